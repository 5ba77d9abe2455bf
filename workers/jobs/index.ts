import type { z } from "zod";
import { JobMessage, jobPayloads, type JobType } from "@shared/contracts/jobs";
import { createDb, type Db } from "@shared/db/client";
import type { Env } from "@shared/env";
import { claimJob, markJobDone, markJobFailed, recordFailedJob } from "./runs";
import { failExport, generateExport } from "../modules/import-export/export";
import { getConfig } from "@shared/config";
import { sendEmailJob } from "./send-email";
import { sendMessageDigest } from "../modules/notifications/digests";
import { syncBookingCalendar } from "../modules/calendar/sync";
import { announceBookingChange } from "../modules/booking/announce";
import { deliverDocument, failDelivery } from "../modules/deliveries/service";
import { failScheduledEmail, sendScheduledEmail } from "../modules/scheduled-emails/service";
import { notifyClientMessage } from "../modules/portal/messages";

export interface JobContext {
  env: Env;
  db: Db;
  key: string;
  attempt: number;
}

type Handlers = { [T in JobType]: (payload: z.infer<(typeof jobPayloads)[T]>, ctx: JobContext) => Promise<void> };

/** The job registry: one handler per job type. */
const handlers: Handlers = {
  "email.send": sendEmailJob,
  "export.generate": (payload, { env, db }) => generateExport({ env, db, config: getConfig(env) }, payload.exportId),
  "messages.digest": (payload, { env, db, key }) => sendMessageDigest({ env, db, config: getConfig(env) }, payload, key),
  "booking.announce": (payload, { env, db, key }) => announceBookingChange({ env, db, config: getConfig(env) }, payload, key),
  "calendar.sync": (payload, { env, db, key }) => syncBookingCalendar({ env, db, config: getConfig(env) }, payload.bookingId, key),
  "document.deliver": (payload, { env, db, key }) => deliverDocument({ env, db, config: getConfig(env) }, payload.deliveryId, key),
  "scheduled-email.send": (payload, { env, db, key }) => sendScheduledEmail({ env, db, config: getConfig(env) }, payload, key),
  "client-message.notify": (payload, { env, db }) => notifyClientMessage({ env, db, config: getConfig(env) }, payload.messageId),
};

/** What a job type leaves behind when it is parked in the dead-letter queue, beyond the failed_jobs row. */
const onDeadLetter: { [T in JobType]?: (payload: z.infer<(typeof jobPayloads)[T]>, db: Db) => Promise<void> } = {
  // The user waits on the export's status: it must not stay PENDING forever.
  "export.generate": (payload, db) => failExport(db, payload.exportId, "The export could not be produced; start a new one."),
  // The owner sees the send failed instead of queued forever, and the sweep stops retrying it.
  "document.deliver": (payload, db) => failDelivery({ db }, payload.deliveryId, "The email could not be prepared; send the document again."),
  // Else the sweep would enqueue it again forever: a one-off email ends FAILED, a yearly one moves on to next year.
  "scheduled-email.send": (payload, db) => failScheduledEmail(db, payload),
};

/** Seconds before retry n (1-based): 10 s doubling up to an hour, with ±20 % jitter so failures spread out. */
export function backoffSeconds(attempt: number, random = Math.random): number {
  const base = Math.min(10 * 2 ** Math.max(0, attempt - 1), 3600);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export const DEAD_LETTER_SUFFIX = "-dlq";

export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  const db = createDb(env.DB);
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) {
    for (const message of batch.messages) await recordDeadLetter(db, message);
    return;
  }
  await Promise.all(
    batch.messages.map(async (message) => {
      const outcome = await processMessage(db, env, message);
      if (outcome.action === "ack") message.ack();
      else message.retry({ delaySeconds: outcome.delaySeconds });
    }),
  );
}

export type Outcome = { action: "ack" } | { action: "retry"; delaySeconds: number };
const ACK: Outcome = { action: "ack" };

/** Runs one delivery and decides its fate: acknowledged (done, duplicate, or hopeless) or retried after a delay. */
export async function processMessage(db: Db, env: Env, message: Message<unknown>): Promise<Outcome> {
  const envelope = JobMessage.safeParse(message.body);
  if (!envelope.success) {
    // Retrying cannot fix a malformed message: record it and let it go.
    await recordFailedJob(db, { key: `message:${message.id}`, type: "unknown", payload: message.body, error: `malformed job message: ${envelope.error.message}`, attempts: message.attempts });
    return ACK;
  }
  const { type, key, payload } = envelope.data;
  const handler = handlers[type as JobType] as ((payload: unknown, ctx: JobContext) => Promise<void>) | undefined;
  const parsed = handler ? jobPayloads[type as JobType].safeParse(payload) : undefined;
  if (!handler || !parsed?.success) {
    const error = handler ? `invalid payload for ${type}: ${parsed?.error?.message}` : `unknown job type ${type}`;
    await recordFailedJob(db, { key, type, payload, error, attempts: message.attempts });
    return ACK;
  }

  const claim = await claimJob(db, key, type);
  if (claim.state === "done") return ACK;
  if (claim.state === "busy") return { action: "retry", delaySeconds: claim.retryInSeconds };

  try {
    await handler(parsed.data, { env, db, key, attempt: message.attempts });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(JSON.stringify({ level: "error", msg: "job failed", type, key, attempt: message.attempts, error: reason }));
    await markJobFailed(db, key, reason);
    // After max_retries the platform moves the message to the dead-letter queue.
    return { action: "retry", delaySeconds: backoffSeconds(message.attempts) };
  }
  await markJobDone(db, key);
  return ACK;
}

async function recordDeadLetter(db: Db, message: Message<unknown>): Promise<void> {
  const envelope = JobMessage.safeParse(message.body);
  const key = envelope.success ? envelope.data.key : `message:${message.id}`;
  const type = envelope.success ? envelope.data.type : "unknown";
  const payload = envelope.success ? envelope.data.payload : message.body;
  await recordFailedJob(db, { key, type, payload, error: null, attempts: null });
  const hook = onDeadLetter[type as JobType] as ((payload: unknown, db: Db) => Promise<void>) | undefined;
  const parsed = hook ? jobPayloads[type as JobType].safeParse(payload) : undefined;
  if (hook && parsed?.success) await hook(parsed.data, db);
  message.ack();
}
