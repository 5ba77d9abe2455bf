import { asc, inArray, lt } from "drizzle-orm";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { exportsTable, fileUploads, files } from "@shared/db/schema";
import { chunks } from "@shared/lib/chunk";
import type { CronContext } from "./index";

/**
 * The janitor of R2 (ARCHITECTURE.md, "Cron is the janitor"): objects and uploads that no row accounts for.
 *
 * - Expired multipart uploads (files/multipart.ts): aborted in R2, the object at their key removed (an upload
 *   completed in R2 whose row swap failed), their rows deleted (audited as SYSTEM). The API refuses them from
 *   `expires_at`; the cron waits a further hour so a request still running at that instant is never undercut.
 * - Orphan objects: keys `<ownerId>/files/<id>` with no `files` row and no `file_uploads` row claiming them,
 *   left by a request that died between its R2 write and its D1 write, or by a failed R2 delete; and keys
 *   `<ownerId>/exports/<id>.<ext>` that no `exports` row claims (`r2_key`), left by an export job whose row
 *   update failed for good or by a failed removal of an expired export. Only objects older than an hour are
 *   touched, so an upload or an export job in flight (object written, row not yet) is safe.
 *
 * Bounded per run: at most `maxPages` list pages of the bucket and `maxUploads` uploads. The sweep resumes
 * where the previous run stopped: the last key seen is kept in R2 itself (POSITION_KEY, outside every owner's
 * prefix), and removed once the end of the bucket is reached so the next run starts over.
 */

export const ORPHAN_MIN_AGE_MS = 60 * 60 * 1000;
export const EXPIRY_GRACE_MS = 60 * 60 * 1000;
export const POSITION_KEY = "_system/orphan-sweep-position";
const FILE_KEY = /^[^/]+\/files\/[^/]+$/;
/** Export objects are named after their row's id (import-export/export.ts), which is how their row is found. */
const EXPORT_KEY = /^[^/]+\/exports\/([^/.]+)\.[^/.]+$/;
/** Ids or keys per query: under D1's 100 bound parameters. */
const CHUNK = 90;

export interface SweepLimits {
  pageSize: number;
  maxPages: number;
  maxUploads: number;
}

const DEFAULT_LIMITS: SweepLimits = { pageSize: 1000, maxPages: 5, maxUploads: 100 };

async function expireUploads(bucket: R2Bucket, db: Db, now: Date, max: number): Promise<number> {
  const expired = await db
    .select({ id: fileUploads.id, key: fileUploads.r2Key, uploadId: fileUploads.r2UploadId })
    .from(fileUploads)
    .where(lt(fileUploads.expiresAt, new Date(now.getTime() - EXPIRY_GRACE_MS)))
    .orderBy(asc(fileUploads.expiresAt))
    .limit(max);
  if (expired.length === 0) return 0;
  for (const { key, uploadId } of expired) {
    // Already aborted or completed: nothing left to abort, which is what was wanted.
    await bucket
      .resumeMultipartUpload(key, uploadId)
      .abort()
      .catch(() => undefined);
  }
  await bucket.delete(expired.map((u) => u.key));
  const actor = systemActor("cron:orphan-files");
  for (const ids of chunks(expired.map((u) => u.id), CHUNK)) await auditedBatch(db, actor, [db.delete(fileUploads).where(inArray(fileUploads.id, ids))]);
  return expired.length;
}

/** The keys among `keys` that no file, upload in progress or export claims. */
async function unclaimed(db: Db, keys: string[]): Promise<string[]> {
  const claimed = new Set<string>();
  for (const chunk of chunks(keys.filter((key) => FILE_KEY.test(key)), CHUNK)) {
    const [fileRows, uploadRows] = await db.batch([
      db.select({ key: files.r2Key }).from(files).where(inArray(files.r2Key, chunk)),
      db.select({ key: fileUploads.r2Key }).from(fileUploads).where(inArray(fileUploads.r2Key, chunk)),
    ]);
    for (const row of [...fileRows, ...uploadRows]) claimed.add(row.key);
  }
  // Looked up by primary key (r2_key has no index); the claim is still the row's r2_key, not the id alone.
  const exportIds = [...new Set(keys.flatMap((key) => key.match(EXPORT_KEY)?.[1] ?? []))];
  for (const ids of chunks(exportIds, CHUNK)) {
    const rows = await db.select({ key: exportsTable.r2Key }).from(exportsTable).where(inArray(exportsTable.id, ids));
    for (const { key } of rows) if (key) claimed.add(key);
  }
  return keys.filter((key) => !claimed.has(key));
}

async function sweepOrphans(bucket: R2Bucket, db: Db, now: Date, limits: SweepLimits) {
  const saved = await bucket.get(POSITION_KEY);
  const startAfter = saved ? await saved.text() : undefined;
  const cutoff = now.getTime() - ORPHAN_MIN_AGE_MS;
  let cursor: string | undefined;
  let lastKey: string | undefined;
  let pages = 0;
  let listed = 0;
  let removed = 0;
  do {
    const page = await bucket.list({ limit: limits.pageSize, ...(cursor ? { cursor } : startAfter ? { startAfter } : {}) });
    pages++;
    listed += page.objects.length;
    lastKey = page.objects.at(-1)?.key ?? lastKey;
    const old = page.objects.filter((o) => (FILE_KEY.test(o.key) || EXPORT_KEY.test(o.key)) && o.uploaded.getTime() < cutoff).map((o) => o.key);
    const orphans = old.length > 0 ? await unclaimed(db, old) : [];
    if (orphans.length > 0) await bucket.delete(orphans);
    removed += orphans.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && pages < limits.maxPages);
  if (cursor && lastKey) await bucket.put(POSITION_KEY, lastKey);
  else if (saved) await bucket.delete(POSITION_KEY);
  return { objectsListed: listed, orphansRemoved: removed, sweepComplete: cursor ? 0 : 1 };
}

export async function removeOrphanFiles({ env, db, now }: CronContext, limits: SweepLimits = DEFAULT_LIMITS): Promise<Record<string, number>> {
  const expiredUploads = await expireUploads(env.FILES, db, now, limits.maxUploads);
  return { expiredUploads, ...(await sweepOrphans(env.FILES, db, now, limits)) };
}
