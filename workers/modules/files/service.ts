import { and, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { contacts, files, sessions, type FileRow } from "@shared/db/schema";
import { ApiError, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import type { FileParent } from "./cleanup";
import { boundaryOf, findFilePart } from "./form-data";
import { nameOrFallback, sanitizeName } from "./names";
import { toFileDto, type FileDto } from "./schemas";
import { storeStream } from "./store";

export const FILE_FIELD = "file";

/** Every object key starts with its owner's id (ARCHITECTURE.md, "Tenancy"). */
export const fileKey = (ownerId: string, fileId: string) => `${ownerId}/files/${fileId}`;

export const parentIds = (parent: FileParent) =>
  "contactId" in parent ? { contactId: parent.contactId, sessionId: null } : { contactId: null, sessionId: parent.sessionId };

const parentColumn = (parent: FileParent) => ("contactId" in parent ? eq(files.contactId, parent.contactId) : eq(files.sessionId, parent.sessionId));

async function parentExists(db: Db, ownerId: string, parent: FileParent): Promise<boolean> {
  const [row] =
    "contactId" in parent
      ? await db.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, parent.contactId))).limit(1)
      : await db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.ownerId, ownerId), eq(sessions.id, parent.sessionId))).limit(1);
  return row !== undefined;
}

/** 404 unless the contact or session exists and belongs to `ownerId`. */
export async function requireParent(db: Db, ownerId: string, parent: FileParent): Promise<void> {
  if (!(await parentExists(db, ownerId, parent))) throw "contactId" in parent ? notFound("Contact") : notFound("Session");
}

/**
 * Records a file whose object is already in R2. The object goes first and the row second, so a row never
 * exists without its object. When the row cannot be written because the parent was deleted meanwhile, the
 * object is deleted and the answer is 404, as it would have been a moment earlier. On any other failure an
 * unclaimed object is deleted too, but one whose key a multipart upload claims (`releaseClaim`, the statement
 * that removes the upload row, fails along with the insert) is kept: the orphan sweep leaves claimed keys
 * alone, and a retried complete records it. Deleting a multi-GB upload over a transient D1 error would lose it.
 */
export async function recordStoredFile(deps: ServiceDeps, row: FileRow, parent: FileParent, releaseClaim?: BatchItem<"sqlite">): Promise<FileRow> {
  try {
    await auditedBatch(deps.db, deps.actor, [deps.db.insert(files).values(row), ...(releaseClaim ? [releaseClaim] : [])]);
    return row;
  } catch (error) {
    // Should the parent check fail as well, the claimed object is kept all the same.
    if (releaseClaim && (await parentExists(deps.db, row.ownerId, parent))) throw error;
    // Should this delete fail too, the object is an orphan for the hourly sweep (its upload row, if any, went
    // with the parent).
    await deps.env.FILES.delete(row.r2Key).catch(() => undefined);
    await requireParent(deps.db, row.ownerId, parent);
    throw error;
  }
}

export interface UploadBody {
  contentType: string | undefined;
  contentLength: number | null;
  stream: ReadableStream<Uint8Array> | null;
}

/** A file sent as multipart/form-data (field `file`), streamed into R2 and then recorded. */
export async function uploadFile(deps: ServiceDeps, ownerId: string, parent: FileParent, body: UploadBody): Promise<FileRow> {
  const { maxUploadBytes, maxBodyBytes, uploadAllowedTypes } = deps.config;
  const boundary = boundaryOf(body.contentType);
  if (!boundary) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the file as multipart/form-data in the field `file`");
  // The form's other fields and headers may add up to MAX_BODY_BYTES around the file itself.
  if (body.contentLength !== null && body.contentLength > maxUploadBytes + maxBodyBytes) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `The file exceeds ${maxUploadBytes} bytes: use the multipart upload routes for larger files`);
  }
  await requireParent(deps.db, ownerId, parent);
  const part = body.stream ? await findFilePart(body.stream, boundary, FILE_FIELD, maxBodyBytes) : null;
  if (!part) throw validationFailed([{ path: `body.${FILE_FIELD}`, message: "is required" }]);

  const id = newId();
  const r2Key = fileKey(ownerId, id);
  const name = sanitizeName(part.filename);
  const stored = await storeStream(deps.env.FILES, r2Key, part.chunks, {
    maxBytes: maxUploadBytes,
    allowedTypes: uploadAllowedTypes,
    customMetadata: { ownerId, fileId: id },
    path: `body.${FILE_FIELD}`,
  });
  const now = new Date();
  const row: FileRow = {
    id,
    ownerId,
    ...parentIds(parent),
    name: nameOrFallback(name, stored.contentType),
    contentType: stored.contentType,
    size: stored.size,
    r2Key,
    sha256: stored.sha256,
    createdAt: now,
    updatedAt: now,
  };
  return recordStoredFile(deps, row, parent);
}

const FileCursor = z.tuple([z.number().int(), z.string()]);

/** Newest first, keyset on (created_at, id): files_owner_{contact,session}_idx serves it as one range. */
export async function listFiles(db: Db, ownerId: string, parent: FileParent, query: { limit: number; cursor?: string }): Promise<Page<FileDto>> {
  await requireParent(db, ownerId, parent);
  const after = query.cursor ? decodeCursor(query.cursor, FileCursor) : null;
  const rows = await db
    .select()
    .from(files)
    .where(and(eq(files.ownerId, ownerId), parentColumn(parent), after ? sql`(${files.createdAt}, ${files.id}) < (${after[0]}, ${after[1]})` : undefined))
    .orderBy(desc(files.createdAt), desc(files.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => [row.createdAt.getTime(), row.id], toFileDto);
}

/** The caller's file, or 404 (another tenant's file is not found either). */
export async function getFile(db: Db, ownerId: string, fileId: string): Promise<FileRow> {
  const [row] = await db.select().from(files).where(and(eq(files.ownerId, ownerId), eq(files.id, fileId))).limit(1);
  if (!row) throw notFound("File");
  return row;
}

/** Any tenant's file: only for a request that proved its right with a signed link. */
export async function getFileForSignedLink(db: Db, fileId: string): Promise<FileRow> {
  const [row] = await db.select().from(files).where(eq(files.id, fileId)).limit(1);
  if (!row) throw notFound("File");
  return row;
}

/** The row goes first (audited); the object follows. An object left behind by a failed R2 delete has no row
 *  and is removed by the hourly orphan sweep (workers/cron/orphan-files.ts). */
export async function deleteFile(deps: ServiceDeps, ownerId: string, fileId: string): Promise<void> {
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db.delete(files).where(and(eq(files.ownerId, ownerId), eq(files.id, fileId))).returning({ r2Key: files.r2Key }),
  ]);
  const key = deleted[0]?.r2Key;
  if (!key) throw notFound("File");
  try {
    await deps.env.FILES.delete(key);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "R2 delete failed; the orphan sweep will retry", key, error: String(error) }));
  }
}
