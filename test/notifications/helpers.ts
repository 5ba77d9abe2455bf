import { createMessageBatch, env } from "cloudflare:test";
import { and, eq, inArray } from "drizzle-orm";
import { expect, vi } from "vitest";
import { getConfig } from "@shared/config";
import type { JobMessage } from "@shared/contracts/jobs";
import { createDb } from "@shared/db/client";
import { conversationParticipants, conversations, devMail, jobRuns, messages, users } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { processMessage } from "../../workers/jobs";
import type { NotificationDeps } from "../../workers/modules/notifications/service";
import { uniqueEmail } from "../support/http";

export const db = createDb(env.DB);
export const config = getConfig(env);

export interface SentJob {
  body: JobMessage;
  options?: QueueSendOptions;
}

/**
 * Service deps whose JOBS binding is the real local queue with a record of what was sent. Emails go on to
 * the real consumer (and the dev mailbox); digest jobs wait a whole quiet period there, so tests run those
 * themselves with `runJob` instead.
 */
export function recordingDeps(): { deps: NotificationDeps; sent: SentJob[]; ofType: (type: string) => SentJob[] } {
  const sent: SentJob[] = [];
  const forward = (body: JobMessage) => body.type !== "messages.digest";
  const jobs = {
    async send(body: JobMessage, options?: QueueSendOptions) {
      sent.push({ body, options });
      if (forward(body)) await env.JOBS.send(body, options);
    },
    async sendBatch(batch: Iterable<MessageSendRequest<JobMessage>>, options?: QueueSendBatchOptions) {
      const list = [...batch];
      for (const message of list) sent.push({ body: message.body, options: message });
      const forwarded = list.filter((message) => forward(message.body));
      if (forwarded.length > 0) await env.JOBS.sendBatch(forwarded, options);
    },
  } as unknown as Queue;
  return { deps: { env: { ...env, JOBS: jobs }, db, config }, sent, ofType: (type) => sent.filter((job) => job.body.type === type) };
}

let sequence = 0;

/** One delivery of a recorded job through the real consumer path (idempotency claim included). */
export function runJob(deps: NotificationDeps, job: SentJob, attempts = 1) {
  const message = createMessageBatch("lightbox-jobs", [{ id: `notif-msg-${++sequence}`, timestamp: new Date(), attempts, body: job.body }]).messages[0]!;
  return processMessage(db, deps.env, message);
}

/**
 * The mails to `to` once every email job in `sent` has finished on the real consumer: from then on no
 * further copy can arrive, so a count is final.
 */
export async function settledMails(to: string, sent: SentJob[]) {
  const keys = sent.filter((job) => job.body.type === "email.send").map((job) => job.body.key);
  if (keys.length > 0) {
    await vi.waitFor(
      async () => {
        const done = await db.select({ key: jobRuns.key }).from(jobRuns).where(and(inArray(jobRuns.key, keys), eq(jobRuns.status, "DONE")));
        expect(new Set(done.map((run) => run.key))).toEqual(new Set(keys));
      },
      { timeout: 20_000, interval: 200 },
    );
  }
  return db.select().from(devMail).where(eq(devMail.to, to));
}

export async function newUser(firstName = "Uma", lastName = "Tester"): Promise<{ id: string; email: string; firstName: string }> {
  const now = new Date();
  const user = { id: newId(), email: uniqueEmail("notif"), firstName, lastName, createdAt: now, updatedAt: now };
  await db.insert(users).values(user);
  return user;
}

export async function newConversation(memberIds: string[], title: string | null = null): Promise<string> {
  const id = newId();
  const now = new Date();
  await db.batch([
    db.insert(conversations).values({ id, title, createdBy: memberIds[0], createdAt: now, updatedAt: now, lastActivityAt: now }),
    db.insert(conversationParticipants).values(memberIds.map((userId) => ({ conversationId: id, userId }))),
  ]);
  return id;
}

/** Stores messages in order; answers their `seq`s. */
export async function postMessages(conversationId: string, senderId: string, contents: string[]): Promise<number[]> {
  const rows = await db
    .insert(messages)
    .values(contents.map((content) => ({ id: newId(), conversationId, senderId, content })))
    .returning({ seq: messages.seq });
  return rows.map((row) => row.seq);
}

export async function readUpTo(conversationId: string, userId: string, seq: number): Promise<void> {
  await db
    .update(conversationParticipants)
    .set({ lastReadSeq: seq })
    .where(and(eq(conversationParticipants.conversationId, conversationId), eq(conversationParticipants.userId, userId)));
}
