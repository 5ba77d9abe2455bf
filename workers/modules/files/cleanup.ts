import { and, eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { files, fileUploads } from "@shared/db/schema";
import { chunks } from "@shared/lib/chunk";
import { abortMultipart } from "./r2";

export type FileParent = { contactId: string } | { sessionId: string };

/** Everything a contact or session holds in R2: object keys, and the multipart uploads among them to abort. */
export interface StoredObjects {
  keys: string[];
  /** An unfinished upload's parts are invisible to list() and delete(): only an abort drops them before R2's
   *  lifecycle rule does (7 days). */
  uploads: { key: string; uploadId: string }[];
}

/**
 * What is stored for a contact or session: its files and its unfinished multipart uploads. Read before the
 * parent is deleted (the rows go with it, by cascade), removed with `removeStoredObjects` once the delete committed.
 */
export async function storedKeysOf(db: Db, ownerId: string, parent: FileParent): Promise<StoredObjects> {
  const [fileRows, uploadRows] = await Promise.all([
    db
      .select({ key: files.r2Key })
      .from(files)
      .where(and(eq(files.ownerId, ownerId), "contactId" in parent ? eq(files.contactId, parent.contactId) : eq(files.sessionId, parent.sessionId))),
    db
      .select({ key: fileUploads.r2Key, uploadId: fileUploads.r2UploadId })
      .from(fileUploads)
      .where(and(eq(fileUploads.ownerId, ownerId), "contactId" in parent ? eq(fileUploads.contactId, parent.contactId) : eq(fileUploads.sessionId, parent.sessionId))),
  ]);
  return { keys: [...fileRows.map((r) => r.key), ...uploadRows.map((r) => r.key)], uploads: uploadRows };
}

/** Deletes objects from R2, 1,000 keys per call (the API's limit). Throws on the first failure. */
export async function removeObjects(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (const batch of chunks(keys, 1000)) await bucket.delete(batch);
}

/**
 * Removes what `storedKeysOf` found, after the parent's deletion committed: it never throws, since the delete
 * has happened and must answer as such. A failure is logged; the objects left are orphans (no row claims them)
 * that the hourly sweep removes. An upload whose abort failed keeps its parts until R2's lifecycle rule.
 */
export async function removeStoredObjects(bucket: R2Bucket, stored: StoredObjects): Promise<void> {
  const errors: string[] = [];
  for (const { key, uploadId } of stored.uploads) await abortMultipart(bucket, key, uploadId).catch((error: unknown) => errors.push(String(error)));
  await removeObjects(bucket, stored.keys).catch((error: unknown) => errors.push(String(error)));
  if (errors.length > 0) {
    console.error(
      JSON.stringify({ level: "error", msg: "R2 removal after a delete failed; the orphan sweep will remove the objects", keys: stored.keys.length, uploads: stored.uploads.length, errors }),
    );
  }
}
