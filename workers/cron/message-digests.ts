import { asc, lt } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { messageDigests } from "@shared/db/schema";
import { enqueueJob } from "../jobs/enqueue";
import { digestJobKey } from "../modules/notifications/digests";
import type { CronContext } from "./index";

/** A digest this late has lost its job (never enqueued, or parked in the dead-letter queue). */
export const DIGEST_GRACE_MS = 10 * 60 * 1000;
/** Normally a handful; after an outage, the oldest this many per run (the rest the next hour). */
export const DIGEST_REQUEUE_MAX = 500;
const CONCURRENCY = 50;

export const overdueDigestsQuery = (db: Db, dueBefore: Date) =>
  db.select().from(messageDigests).where(lt(messageDigests.dueAt, dueBefore)).orderBy(asc(messageDigests.dueAt)).limit(DIGEST_REQUEUE_MAX);

/**
 * Enqueues overdue digests again under their original job key: a job that completed has removed its row,
 * and one still running holds its key, so the job runner turns any duplicate into a no-op.
 */
export async function requeueOverdueDigests({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const overdue = await overdueDigestsQuery(db, new Date(now.getTime() - DIGEST_GRACE_MS));
  let failed = 0;
  for (let i = 0; i < overdue.length; i += CONCURRENCY) {
    const outcomes = await Promise.allSettled(
      overdue.slice(i, i + CONCURRENCY).map((row) =>
        enqueueJob(env.JOBS, "messages.digest", digestJobKey(row.userId, row.conversationId, row.dueAt), {
          userId: row.userId,
          conversationId: row.conversationId,
          dueAt: row.dueAt.toISOString(),
        }),
      ),
    );
    failed += outcomes.filter((outcome) => outcome.status === "rejected").length;
  }
  return { digestsRequeued: overdue.length - failed, digestsNotRequeued: failed };
}
