import { and, eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { files, fileUploads } from "@shared/db/schema";

export type FileParent = { contactId: string } | { sessionId: string };

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
  return [...fileRows.map((r) => r.key), ...uploadRows.map((r) => r.key)];
}

/** Deletes objects from R2, 1,000 keys per call (the API's limit). */
export async function removeObjects(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}
