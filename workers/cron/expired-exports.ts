import { and, eq, inArray, lt } from "drizzle-orm";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { exportsTable } from "@shared/db/schema";
import { removeObjects } from "../modules/files/cleanup";
import type { CronContext } from "./index";

/** A queued export still PENDING after this long will never finish (its job is gone): it is marked FAILED. */
export const STALE_PENDING_MS = 24 * 60 * 60 * 1000;
const BATCH = 90;

/** Removes downloaded-or-not exports past their expiry (R2 object, then row) and fails ones stuck in PENDING. */
export async function removeExpiredExports({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const actor = systemActor("cron:expired-exports");
  let removed = 0;
  for (;;) {
    const expired = await db
      .select({ id: exportsTable.id, key: exportsTable.r2Key })
      .from(exportsTable)
      .where(lt(exportsTable.expiresAt, now))
      .limit(BATCH);
    if (expired.length === 0) break;
    // Objects first: a row left behind by a failure here is retried next hour; an object without a row would not be.
    await removeObjects(env.FILES, expired.flatMap((e) => (e.key ? [e.key] : [])));
    await auditedBatch(db, actor, [db.delete(exportsTable).where(inArray(exportsTable.id, expired.map((e) => e.id)))]);
    removed += expired.length;
  }
  const [failed] = await auditedBatch(db, actor, [
    db
      .update(exportsTable)
      .set({ status: "FAILED", error: "The export did not finish; start a new one.", updatedAt: now })
      .where(and(eq(exportsTable.status, "PENDING"), lt(exportsTable.createdAt, new Date(now.getTime() - STALE_PENDING_MS))))
      // Counted from RETURNING: D1's meta.changes also counts the rows the audit trigger inserts.
      .returning({ id: exportsTable.id }),
  ]);
  return { exportsRemoved: removed, exportsFailed: failed.length };
}
