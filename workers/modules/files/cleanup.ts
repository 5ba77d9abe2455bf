import { and, eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { files, fileUploads } from "@shared/db/schema";

export type FileParent = { contactId: string } | { sessionId: string };

type PendingUpload = { key: string; uploadId: string };

// The multipart uploads behind a list of keys returned by storedKeysOf, so removeObjects can abort them too
// without either signature changing: an unfinished upload's parts are invisible to list() and delete(), and
// would otherwise wait for R2's lifecycle rule (7 days) to drop them.
const uploadsOfKeys = new WeakMap<string[], PendingUpload[]>();

/**
 * The R2 keys of everything stored for a contact or session: its files and its unfinished multipart uploads.
 * Read before the parent is deleted (the rows go with it, by cascade), removed from R2 after the delete
 * committed; an object whose removal fails is an orphan the hourly cron deletes.
 */
export async function storedKeysOf(db: Db, ownerId: string, parent: FileParent): Promise<string[]> {
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
  const keys = [...fileRows.map((r) => r.key), ...uploadRows.map((r) => r.key)];
  if (uploadRows.length > 0) uploadsOfKeys.set(keys, uploadRows);
  return keys;
}

/**
 * Deletes objects from R2, 1,000 keys per call (the API's limit). Given the very array storedKeysOf returned,
 * it first aborts the multipart uploads among them (an upload already gone is not an error).
 */
export async function removeObjects(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (const { key, uploadId } of uploadsOfKeys.get(keys) ?? []) {
    await bucket
      .resumeMultipartUpload(key, uploadId)
      .abort()
      .catch(() => undefined);
  }
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}
