import { eq, sql } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { failedJobs, jobRuns } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";

/** How long a claimed job may run before another delivery of the same key may take it over. */
export const JOB_LEASE_MS = 5 * 60 * 1000;

export type Claim = { state: "claimed" } | { state: "done" } | { state: "busy"; retryInSeconds: number };

/**
 * Takes the job's idempotency key for this delivery: one statement that succeeds only when the key is new,
 * failed before, or its lease ran out. A key that completed is never run again.
 */
export async function claimJob(db: Db, key: string, type: string): Promise<Claim> {
  const now = Date.now();
  const claimed = await db.all<{ key: string }>(sql`
    INSERT INTO ${jobRuns} (key, type, status, attempts, lease_until, created_at, updated_at)
    VALUES (${key}, ${type}, 'RUNNING', 1, ${now + JOB_LEASE_MS}, ${now}, ${now})
    ON CONFLICT (key) DO UPDATE SET status = 'RUNNING', attempts = attempts + 1,
      lease_until = excluded.lease_until, updated_at = excluded.updated_at
    WHERE status = 'FAILED' OR (status = 'RUNNING' AND lease_until < ${now})
    RETURNING key`);
  if (claimed.length > 0) return { state: "claimed" };
  const [run] = await db.select().from(jobRuns).where(eq(jobRuns.key, key)).limit(1);
  if (!run || run.status === "DONE") return { state: "done" };
  const leaseLeft = (run.leaseUntil?.getTime() ?? now) - now;
  return { state: "busy", retryInSeconds: Math.max(1, Math.ceil(leaseLeft / 1000)) };
}

export async function markJobDone(db: Db, key: string): Promise<void> {
  const now = new Date();
  await db.update(jobRuns).set({ status: "DONE", leaseUntil: null, completedAt: now, updatedAt: now, lastError: null }).where(eq(jobRuns.key, key));
}

export async function markJobFailed(db: Db, key: string, error: string): Promise<void> {
  await db
    .update(jobRuns)
    .set({ status: "FAILED", leaseUntil: null, lastError: error.slice(0, 2000), updatedAt: new Date() })
    .where(eq(jobRuns.key, key));
}

/** Portal links (`?token=…`) in a parked email are credentials: failed_jobs keeps the rest of the payload,
 *  for an operator to read, without them. */
export const redactTokens = (text: string) => text.replace(/([?&;]token=)[^&\s"'<>#\\]+/gi, "$1[redacted]");

/**
 * Records a job that will not run again, portal tokens redacted. `error`/`attempts` null means "take them from
 * the job's run" (the dead-letter consumer knows only the message). A duplicate delivery updates the same row.
 */
export async function recordFailedJob(
  db: Db,
  job: { key: string; type: string; payload: unknown; error: string | null; attempts: number | null },
): Promise<void> {
  const [run] = await db.select().from(jobRuns).where(eq(jobRuns.key, job.key)).limit(1);
  const error = redactTokens(job.error ?? run?.lastError ?? "retries exhausted");
  const attempts = job.attempts ?? run?.attempts ?? 0;
  await db
    .insert(failedJobs)
    .values({ id: newId(), jobKey: job.key, type: job.type, payload: redactTokens(JSON.stringify(job.payload ?? null)), error, attempts, failedAt: new Date() })
    .onConflictDoUpdate({ target: failedJobs.jobKey, set: { error, attempts, failedAt: new Date() } });
}
