// Queue helpers for workers-pool tests: a JOBS binding that records what services enqueue (forwarding the
// chosen jobs to the real local queue and its consumer), one delivery of a recorded job through the real
// consumer path, and the captured mails once the email jobs have finished.
import { createMessageBatch, env } from "cloudflare:test";
import { and, eq, inArray } from "drizzle-orm";
import { expect, vi } from "vitest";
import { getConfig } from "@shared/config";
import type { JobMessage } from "@shared/contracts/jobs";
import { createDb } from "@shared/db/client";
import { devMail, jobRuns } from "@shared/db/schema";
import { processMessage } from "../../workers/jobs";
import type { NotificationDeps } from "../../workers/modules/notifications/service";

const db = createDb(env.DB);

export interface SentJob {
  body: JobMessage;
  options?: QueueSendOptions;
}

export type DevMail = typeof devMail.$inferSelect;

/** Service deps whose JOBS binding records every job; those `forward` accepts also reach the real consumer. */
export function recordingDeps(forward: (body: JobMessage) => boolean): { deps: NotificationDeps; sent: SentJob[]; ofType: (type: string) => SentJob[] } {
  const sent: SentJob[] = [];
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
  return { deps: { env: { ...env, JOBS: jobs }, db, config: getConfig(env) }, sent, ofType: (type) => sent.filter((job) => job.body.type === type) };
}

let delivery = 0;

/** One delivery of a recorded job through the real consumer path (idempotency claim included). */
export function runJob(deps: NotificationDeps, job: SentJob, attempts = 1) {
  const message = createMessageBatch("lightbox-jobs", [{ id: `test-msg-${++delivery}`, timestamp: new Date(), attempts, body: job.body }]).messages[0]!;
  return processMessage(db, deps.env, message);
}

/** The mails to `to` once the jobs with these keys are done: from then on no further copy can arrive. */
export async function mailsAfterJobs(to: string, keys: string[]): Promise<DevMail[]> {
  if (keys.length > 0) {
    await vi.waitFor(
      async () => {
        const done = await db.select({ key: jobRuns.key }).from(jobRuns).where(and(inArray(jobRuns.key, keys), eq(jobRuns.status, "DONE")));
        expect(new Set(done.map((run) => run.key))).toEqual(new Set(keys));
      },
      { timeout: 20_000, interval: 200 },
    );
  }
  return db.select().from(devMail).where(eq(devMail.to, to.toLowerCase()));
}

/** The mails to `to` once every email job in `sent` has finished on the real consumer. */
export const settledMails = (to: string, sent: SentJob[]) =>
  mailsAfterJobs(
    to,
    sent.filter((job) => job.body.type === "email.send").map((job) => job.body.key),
  );
