import { z } from "@hono/zod-openapi";
import type { FileRow } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";

export const FileSchema = z
  .object({
    id: z.string(),
    name: z.string().openapi({ example: "Mariage Élodie & Marc.pdf" }),
    size: z.number().int().openapi({ description: "Bytes" }),
    contentType: z.string().openapi({ description: "Detected from the file's magic bytes", example: "application/pdf" }),
    sha256: z.string().nullable().openapi({ description: "Hex SHA-256 of the bytes (null for multipart uploads)" }),
    contactId: z.string().nullable(),
    sessionId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("File");
export type FileDto = z.infer<typeof FileSchema>;

export const toFileDto = (row: FileRow): FileDto => ({
  id: row.id,
  name: row.name,
  size: row.size,
  contentType: row.contentType,
  sha256: row.sha256,
  contactId: row.contactId,
  sessionId: row.sessionId,
  createdAt: row.createdAt.toISOString(),
});

export const FileListSchema = z.object({ items: z.array(FileSchema), nextCursor: z.string().nullable() }).openapi("FileList");

/** Where files hang: a contact or a session, both owned by the caller (`/api/<segment>/:id/files`). */
export const fileParents = [
  { segment: "contacts", what: "contact", parent: (id: string) => ({ contactId: id }) },
  { segment: "sessions", what: "session", parent: (id: string) => ({ sessionId: id }) },
] as const;

/** A Content-Length header as a number, or null when absent or not a plain decimal. */
export const lengthOf = (header: string | undefined) => (header && /^\d+$/.test(header) ? Number(header) : null);

export const IdParams = z.object({ id: z.string().min(1).max(64) });
export const ListQuery = z.object({ limit: limitParam, cursor: z.string().max(512).optional() });

/** Not a zod schema on purpose: @hono/zod-openapi would then parse the whole form in memory before the
 *  handler runs, and the handler streams it instead (form-data.ts). Documentation only. */
export const uploadBody = {
  required: true,
  description: "multipart/form-data with the file in the field `file`; its type is detected from its content",
  content: {
    "multipart/form-data": {
      schema: { type: "object" as const, required: ["file"], properties: { file: { type: "string" as const, format: "binary" } } },
    },
  },
};

export const DownloadQuery = z
  .object({
    expires: z.coerce.number().int().positive().optional().openapi({ description: "Signed links only: unix seconds" }),
    signature: z.string().max(256).optional().openapi({ description: "Signed links only: hex HMAC-SHA256" }),
  })
  .refine((q) => (q.expires === undefined) === (q.signature === undefined), {
    message: "expires and signature go together",
    path: ["signature"],
  });

export const SignedUrlSchema = z
  .object({
    url: z.url().openapi({ description: "Works without a bearer token until expiresAt" }),
    expiresAt: z.iso.datetime(),
  })
  .openapi("SignedUrl");

// ───────────── multipart uploads (files larger than one request body) ─────────────

export const R2_MIN_PART_BYTES = 5 * 1024 * 1024;
export const R2_MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
export const R2_MAX_PARTS = 10_000;

export const CreateUploadSchema = z
  .strictObject({
    name: z.string().min(1).max(1000).openapi({ example: "Mariage 2026 - RAW.zip" }),
    size: z
      .number()
      .int()
      .positive()
      .max(R2_MAX_PARTS * R2_MAX_PART_BYTES)
      .optional()
      .openapi({ description: "Total bytes, when known: the suggested part size is chosen from it, and more than maxSize is refused (413)" }),
  })
  .openapi("CreateUpload");
export type CreateUploadInput = z.infer<typeof CreateUploadSchema>;

export const UploadSchema = z
  .object({
    uploadId: z.string(),
    partSize: z.number().int().openapi({ description: "Suggested size of every part but the last (bytes)" }),
    minPartSize: z.number().int().openapi({ description: "Every part but the last must be at least this big and all the same size" }),
    maxParts: z.number().int(),
    maxSize: z.number().int().openapi({ description: "Largest file the upload may assemble (bytes, MAX_MULTIPART_UPLOAD_BYTES)" }),
    expiresAt: z.iso.datetime(),
  })
  .openapi("Upload");

export const UploadParams = z.object({ uploadId: z.string().min(1).max(64) });
export const PartParams = UploadParams.extend({
  partNumber: z.coerce.number().int().min(1).max(R2_MAX_PARTS).openapi({ param: { name: "partNumber", in: "path" }, example: 1 }),
});

export const partBody = {
  required: true,
  description: "The part's raw bytes (Content-Length required)",
  content: { "application/octet-stream": { schema: { type: "string" as const, format: "binary" } } },
};

export const PartSchema = z.object({ partNumber: z.number().int(), etag: z.string() }).openapi("UploadedPart");

export const CompleteUploadSchema = z
  .strictObject({
    parts: z
      .array(z.strictObject({ partNumber: z.number().int().min(1).max(R2_MAX_PARTS), etag: z.string().min(1).max(200) }))
      .min(1, { abort: true })
      .max(R2_MAX_PARTS)
      .refine((parts) => new Set(parts.map((p) => p.partNumber)).size === parts.length, "part numbers must be unique")
      .refine((parts) => parts.some((p) => p.partNumber === 1), "part 1 is required (its bytes decide the file's type)"),
  })
  .openapi("CompleteUpload");
export type CompleteUploadInput = z.infer<typeof CompleteUploadSchema>;
