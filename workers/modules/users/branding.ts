// The studio's logo, printed on its quotes and invoices (embedded in the PDF's HTML as a data: URI).
// One object per user at `<userId>/branding/logo`, replaced in place; the users row says whether it is set and
// its type. The orphan sweep (workers/cron/orphan-files.ts) only touches `files/` and `exports/` keys.
import { eq } from "drizzle-orm";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import { users, type User } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { ApiError, notFound, unauthorized, validationFailed } from "@shared/lib/errors";
import { concatBytes } from "../files/bytes";
import { boundaryOf, findFilePart } from "../files/form-data";
import { detectType } from "../files/magic";

export const LOGO_MAX_BYTES = 1024 * 1024;
export const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
const FIELD = "file";

export const logoKey = (userId: string) => `${userId}/branding/logo`;

export interface LogoUpload {
  contentType: string | undefined;
  contentLength: number | null;
  stream: ReadableStream<Uint8Array> | null;
}

/** The whole file of the form's `file` field, refused (413) past LOGO_MAX_BYTES without reading further. */
async function readLogo(body: LogoUpload, maxBodyBytes: number): Promise<Uint8Array> {
  const boundary = boundaryOf(body.contentType);
  if (!boundary) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Send the logo as multipart/form-data in the field \`${FIELD}\``);
  if (body.contentLength !== null && body.contentLength > LOGO_MAX_BYTES + maxBodyBytes) throw tooLarge();
  const part = body.stream ? await findFilePart(body.stream, boundary, FIELD, maxBodyBytes) : null;
  if (!part) throw validationFailed([{ path: `body.${FIELD}`, message: "is required" }]);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of part.chunks) {
    size += chunk.length;
    if (size > LOGO_MAX_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  if (size === 0) throw validationFailed([{ path: `body.${FIELD}`, message: "is empty" }]);
  return concatBytes(chunks);
}

const tooLarge = () => new ApiError("PAYLOAD_TOO_LARGE", `The logo exceeds ${LOGO_MAX_BYTES} bytes`);

/** Stores the logo (PNG, JPEG or WebP by its magic bytes, at most 1 MiB) and records it on the user. */
export async function setLogo(env: Env, db: Db, config: Config, userId: string, body: LogoUpload): Promise<User> {
  const bytes = await readLogo(body, config.maxBodyBytes);
  const type = detectType(bytes);
  if (!(LOGO_TYPES as readonly string[]).includes(type)) {
    throw validationFailed([{ path: `body.${FIELD}`, message: `content detected as ${type}; a logo must be one of ${LOGO_TYPES.join(", ")}` }], "The logo is not a PNG, JPEG or WebP image");
  }
  const key = logoKey(userId);
  await env.FILES.put(key, bytes, { httpMetadata: { contentType: type }, customMetadata: { ownerId: userId } });
  const [user] = await db.update(users).set({ logoKey: key, logoContentType: type, updatedAt: new Date() }).where(eq(users.id, userId)).returning();
  if (!user) throw unauthorized("The account of this token no longer exists");
  return user;
}

/** The logo's bytes with its type; 404 when none is set. */
export async function logoResponse(env: Env, user: User): Promise<Response> {
  const object = user.logoKey ? await env.FILES.get(user.logoKey) : null;
  if (!object || !user.logoContentType) throw notFound("Logo");
  return new Response(object.body, {
    headers: {
      "content-type": user.logoContentType,
      "content-length": String(object.size),
      etag: object.httpEtag,
      "cache-control": "private, no-cache",
      "x-content-type-options": "nosniff",
    },
  });
}

/** Removes the logo (nothing to do when none is set): the row first, so a failed R2 delete leaves no logo shown. */
export async function removeLogo(env: Env, db: Db, userId: string): Promise<void> {
  await db.update(users).set({ logoKey: null, logoContentType: null, updatedAt: new Date() }).where(eq(users.id, userId));
  await env.FILES.delete(logoKey(userId));
}
