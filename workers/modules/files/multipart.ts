import { and, eq } from "drizzle-orm";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { files, fileUploads, type FileRow } from "@shared/db/schema";
import { ApiError, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { concatBytes } from "./bytes";
import type { FileParent } from "./cleanup";
import { detectType, SNIFF_BYTES } from "./magic";
import { nameOrFallback, sanitizeName } from "./names";
import { abortMultipart, r2Code, R2_NO_SUCH_UPLOAD } from "./r2";
import { R2_MAX_PART_BYTES, R2_MAX_PARTS, R2_MIN_PART_BYTES, type CompleteUploadInput, type CreateUploadInput } from "./schemas";
import { fileKey, parentIds, recordStoredFile, requireParent } from "./service";
import { STORE_PIECE_BYTES, allowedTypeOf, unsupportedType } from "./store";

/**
 * Files too big for one request body: an R2 multipart upload driven through the API. The upload's id is the
 * future file's id, its key the file's key, and its `file_uploads` row claims that key until the upload
 * completes (the row is swapped for the `files` row in one batch) or is aborted, or expires and is cleaned
 * up by the hourly cron. Part 1's magic bytes decide the type, checked again on the completed object.
 * MAX_MULTIPART_UPLOAD_BYTES bounds the whole file: at create (the announced size), at each part (part n of
 * length L means at least n × L bytes, parts being numbered from 1 and all but the last of one size), and at
 * complete (the assembled object).
 */

/** Long enough for a large archive over a slow line; R2 itself drops unfinished uploads after 7 days. */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

type UploadRow = typeof fileUploads.$inferSelect;

export interface UploadDto {
  uploadId: string;
  partSize: number;
  minPartSize: number;
  maxParts: number;
  maxSize: number;
  expiresAt: string;
}

const tooLarge = (max: number, what: string) =>
  new ApiError("PAYLOAD_TOO_LARGE", `${what}: a multipart upload may hold at most ${max} bytes (MAX_MULTIPART_UPLOAD_BYTES)`);

const R2_PART_ERRORS: Record<number, string> = {
  10025: "a part is missing or its etag does not match the uploaded part",
  10011: `every part but the last must be at least ${R2_MIN_PART_BYTES} bytes`,
  10048: "every part but the last must have the same size, and the last must not be larger",
};

export async function createUpload(deps: ServiceDeps, ownerId: string, parent: FileParent, input: CreateUploadInput): Promise<UploadDto> {
  const max = deps.config.maxMultipartUploadBytes;
  if (input.size !== undefined && input.size > max) throw tooLarge(max, `The file's announced size is ${input.size} bytes`);
  await requireParent(deps.db, ownerId, parent);
  const id = newId();
  const r2Key = fileKey(ownerId, id);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + UPLOAD_TTL_MS);
  // The type is unknown until part 1 arrives: downloads take it from the files row, not from R2's metadata.
  const upload = await deps.env.FILES.createMultipartUpload(r2Key, { customMetadata: { ownerId, fileId: id } });
  try {
    await auditedBatch(deps.db, deps.actor, [
      deps.db.insert(fileUploads).values({
        id,
        ownerId,
        ...parentIds(parent),
        name: sanitizeName(input.name),
        contentType: null,
        r2Key,
        r2UploadId: upload.uploadId,
        expiresAt,
        createdAt: now,
        updatedAt: now,
      }),
    ]);
  } catch (error) {
    await upload.abort().catch(() => undefined);
    await requireParent(deps.db, ownerId, parent);
    throw error;
  }
  // Parts of 8 MiB unless the announced size needs bigger ones to fit in 10,000 parts.
  const needed = input.size ? Math.ceil(input.size / R2_MAX_PARTS / R2_MIN_PART_BYTES) * R2_MIN_PART_BYTES : 0;
  return {
    uploadId: id,
    partSize: Math.max(STORE_PIECE_BYTES, needed),
    minPartSize: R2_MIN_PART_BYTES,
    maxParts: R2_MAX_PARTS,
    maxSize: max,
    expiresAt: expiresAt.toISOString(),
  };
}

/** 404 for a missing upload, 410 once expired unless `expiredToo`. */
function checkedUpload(row: UploadRow | undefined, expiredToo = false): UploadRow {
  if (!row) throw notFound("Upload");
  if (!expiredToo && row.expiresAt.getTime() <= Date.now()) throw new ApiError("GONE", "This upload has expired: start a new one");
  return row;
}

/** The caller's upload (404 for anyone else's), refused with 410 once expired unless `expiredToo`. */
async function findUpload(db: Db, ownerId: string, uploadId: string, expiredToo = false): Promise<UploadRow> {
  const [row] = await db.select().from(fileUploads).where(and(eq(fileUploads.ownerId, ownerId), eq(fileUploads.id, uploadId))).limit(1);
  return checkedUpload(row, expiredToo);
}

const discardUpload = (deps: ServiceDeps, row: UploadRow) =>
  auditedBatch(deps.db, deps.actor, [deps.db.delete(fileUploads).where(and(eq(fileUploads.ownerId, row.ownerId), eq(fileUploads.id, row.id)))]);

/** Drops an upload whose assembled object is refused: the object, then the row that claimed its key. */
async function discardAssembled(deps: ServiceDeps, row: UploadRow): Promise<void> {
  await deps.env.FILES.delete(row.r2Key);
  await discardUpload(deps, row);
}

/** Reads the stream's first bytes (at least SNIFF_BYTES unless it ends first) without losing any. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array[]> {
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const { value, done } = await reader.read();
    if (done) break;
    head.push(value);
    length += value.length;
  }
  return head;
}

export interface PartBody {
  contentLength: number | null;
  stream: ReadableStream<Uint8Array> | null;
}

/** One part's raw bytes into R2. Part 1 is sniffed first: a type not accepted aborts the whole upload (415). */
export async function uploadPart(deps: ServiceDeps, ownerId: string, uploadId: string, partNumber: number, body: PartBody): Promise<R2UploadedPart> {
  const row = await findUpload(deps.db, ownerId, uploadId);
  if (body.contentLength === null) throw validationFailed([{ path: "header.content-length", message: "is required: R2 needs each part's length" }]);
  if (body.contentLength === 0 || !body.stream) throw validationFailed([{ path: "body", message: "the part is empty" }]);
  if (body.contentLength > R2_MAX_PART_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", `A part may hold at most ${R2_MAX_PART_BYTES} bytes`);
  const max = deps.config.maxMultipartUploadBytes;
  if (partNumber * body.contentLength > max) throw tooLarge(max, `Part ${partNumber} of ${body.contentLength} bytes makes the file at least ${partNumber * body.contentLength} bytes`);

  const reader = body.stream.getReader();
  const head = await readHead(reader);
  let contentType: string | null = null;
  if (partNumber === 1) {
    try {
      contentType = allowedTypeOf(concatBytes(head), deps.config.uploadAllowedTypes, "body");
    } catch (error) {
      await abortMultipart(deps.env.FILES, row.r2Key, row.r2UploadId);
      await discardUpload(deps, row);
      throw error;
    }
  }
  // A fixed-length stream gives R2 the length it requires; the sniffed head is sent before the rest.
  const { readable, writable } = new FixedLengthStream(body.contentLength);
  const writer = writable.getWriter();
  const pump = async () => {
    try {
      for (const chunk of head) await writer.write(chunk);
      for (let next = await reader.read(); !next.done; next = await reader.read()) await writer.write(next.value);
      await writer.close();
    } catch (error) {
      await writer.abort(error).catch(() => undefined);
      throw error;
    }
  };
  let part: R2UploadedPart;
  try {
    [part] = await Promise.all([deps.env.FILES.resumeMultipartUpload(row.r2Key, row.r2UploadId).uploadPart(partNumber, readable), pump()]);
  } catch (error) {
    if (r2Code(error) === R2_NO_SUCH_UPLOAD) throw notFound("Upload");
    throw error;
  }
  if (contentType && contentType !== row.contentType) {
    await auditedBatch(deps.db, deps.actor, [
      deps.db.update(fileUploads).set({ contentType, updatedAt: new Date() }).where(and(eq(fileUploads.ownerId, ownerId), eq(fileUploads.id, row.id))),
    ]);
  }
  return part;
}

/**
 * Assembles the parts in R2. When R2 no longer knows the upload but the object is at its key, an earlier
 * complete assembled it and then failed to record it (the row kept its claim on the key): that object is the
 * upload's, provided it came from as many parts as are given now (the `-<n>` of a multipart ETag).
 */
async function assemble(bucket: R2Bucket, row: UploadRow, parts: R2UploadedPart[]): Promise<R2Object> {
  try {
    return await bucket.resumeMultipartUpload(row.r2Key, row.r2UploadId).complete(parts);
  } catch (error) {
    const code = r2Code(error);
    if (code === R2_NO_SUCH_UPLOAD) {
      const object = await bucket.head(row.r2Key);
      if (!object || object.customMetadata?.fileId !== row.id) throw notFound("Upload");
      const assembledFrom = object.etag.match(/-(\d+)$/)?.[1];
      if (assembledFrom !== undefined && Number(assembledFrom) !== parts.length) {
        throw validationFailed([{ path: "body.parts", message: `the upload was already assembled from ${assembledFrom} parts, not ${parts.length}` }]);
      }
      return object;
    }
    if (R2_PART_ERRORS[code]) throw validationFailed([{ path: "body.parts", message: R2_PART_ERRORS[code]! }], "R2 refused the parts");
    throw error;
  }
}

/**
 * Completes the object in R2, checks its size and its first bytes once more, then swaps the upload row for a
 * file row. Idempotent: a retry after a failed swap records the object assembled the first time, and a retry
 * after a lost answer gets the file.
 */
export async function completeUpload(deps: ServiceDeps, ownerId: string, uploadId: string, input: CompleteUploadInput): Promise<FileRow> {
  const [[pending], [done]] = await deps.db.batch([
    deps.db.select().from(fileUploads).where(and(eq(fileUploads.ownerId, ownerId), eq(fileUploads.id, uploadId))).limit(1),
    deps.db.select().from(files).where(and(eq(files.ownerId, ownerId), eq(files.id, uploadId))).limit(1),
  ]);
  if (!pending && done) return done;
  const row = checkedUpload(pending);
  if (!row.contentType) throw validationFailed([{ path: "body.parts", message: "part 1 has not been uploaded yet" }]);
  const object = await assemble(deps.env.FILES, row, [...input.parts].sort((a, b) => a.partNumber - b.partNumber));
  const max = deps.config.maxMultipartUploadBytes;
  if (object.size > max) {
    await discardAssembled(deps, row);
    throw tooLarge(max, `The assembled file is ${object.size} bytes`);
  }
  // The etags chosen may name an earlier upload of part 1 than the one last sniffed: the object decides.
  const head = await deps.env.FILES.get(row.r2Key, { range: { offset: 0, length: Math.min(SNIFF_BYTES, object.size) } });
  const contentType = detectType(new Uint8Array(head ? await head.arrayBuffer() : new ArrayBuffer(0)));
  if (!deps.config.uploadAllowedTypes.includes(contentType)) {
    await discardAssembled(deps, row);
    throw unsupportedType(contentType, deps.config.uploadAllowedTypes, "body.parts");
  }
  const parent: FileParent = row.contactId ? { contactId: row.contactId } : { sessionId: row.sessionId! };
  const now = new Date();
  return recordStoredFile(
    deps,
    {
      id: row.id,
      ownerId,
      ...parentIds(parent),
      name: nameOrFallback(row.name, contentType),
      contentType,
      size: object.size,
      r2Key: row.r2Key,
      // R2 gives no whole-object digest for multipart objects, and re-reading gigabytes to compute one is not cheap.
      sha256: null,
      createdAt: now,
      updatedAt: now,
    },
    parent,
    deps.db.delete(fileUploads).where(and(eq(fileUploads.ownerId, ownerId), eq(fileUploads.id, row.id))),
  );
}

/** Abandons an upload: R2 drops its parts, the row goes (an expired upload can be aborted too). */
export async function abortUpload(deps: ServiceDeps, ownerId: string, uploadId: string): Promise<void> {
  const row = await findUpload(deps.db, ownerId, uploadId, true);
  await abortMultipart(deps.env.FILES, row.r2Key, row.r2UploadId);
  await discardUpload(deps, row);
}
