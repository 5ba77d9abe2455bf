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
