import type { z } from "zod";
import { jobPayloads, type JobType } from "@shared/contracts/jobs";

/**
 * Puts a job on the JOBS queue. `key` is the job's idempotency key: the consumer runs each key to completion
 * at most once, so a caller that retries (or a redelivered message) never sends twice. The payload is checked
 * against its contract here, so a malformed job fails at the caller instead of in the consumer.
 */
export async function enqueueJob<T extends JobType>(
  queue: Queue,
  type: T,
  key: string,
  payload: z.input<(typeof jobPayloads)[T]>,
  options: { delaySeconds?: number } = {},
): Promise<void> {
  const parsed = jobPayloads[type].parse(payload);
  await queue.send({ type, key, payload: parsed, enqueuedAt: new Date().toISOString() }, options);
}

/** Many jobs of one type in as few queue sends as the platform allows (100 messages a batch). */
export async function enqueueJobs<T extends JobType>(queue: Queue, type: T, jobs: { key: string; payload: z.input<(typeof jobPayloads)[T]> }[]): Promise<void> {
  const enqueuedAt = new Date().toISOString();
  const messages = jobs.map((job) => ({ body: { type, key: job.key, payload: jobPayloads[type].parse(job.payload), enqueuedAt } }));
  for (let at = 0; at < messages.length; at += 100) await queue.sendBatch(messages.slice(at, at + 100));
}
