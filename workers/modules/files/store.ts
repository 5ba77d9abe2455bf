import { ApiError, validationFailed } from "@shared/lib/errors";
import { concatBytes, toHex } from "./bytes";
import { detectType, SNIFF_BYTES, UNKNOWN_TYPE } from "./magic";

const MiB = 1024 * 1024;

/**
 * A single-request upload is written in pieces of this size: one piece goes to R2 with one `put()`, more go
 * through an R2 multipart upload (parts of equal size, each ≥ 5 MiB). R2 needs the length of what it is given,
 * and a form part's length is only known at its end, so at most one piece is held in memory at a time.
 */
export const STORE_PIECE_BYTES = 8 * MiB;

export interface StoredObject {
  size: number;
  contentType: string;
  /** Hex SHA-256 of the bytes, computed while they streamed through. */
  sha256: string;
}

export interface StoreOptions {
  maxBytes: number;
  allowedTypes: readonly string[];
  customMetadata: Record<string, string>;
  /** Where errors about the content point (`body.file`). */
  path: string;
  /** For content the Worker made itself (an export): its type is known, so the bytes are not sniffed. */
  known?: { contentType: string; contentDisposition?: string };
}

/** The 415 for content whose magic bytes announce a type that is not accepted. */
export function unsupportedType(detected: string, allowed: readonly string[], path: string): ApiError {
  const what = detected === UNKNOWN_TYPE ? "an unrecognised type" : detected;
  return new ApiError("UNSUPPORTED_MEDIA_TYPE", `The file's content is ${what}; accepted types: ${allowed.join(", ")}`, {
    errors: [{ path, message: `content detected as ${detected}, which is not accepted` }],
  });
}

/** The type announced by `head`, refused (415) unless it is one of `allowed`. */
export function allowedTypeOf(head: Uint8Array, allowed: readonly string[], path: string): string {
  const detected = detectType(head);
  if (!allowed.includes(detected)) throw unsupportedType(detected, allowed, path);
  return detected;
}

/** Collects chunks and hands them out again cut to exact lengths. */
class Pieces {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(chunk: Uint8Array) {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first `count` bytes (all when fewer), without consuming them. */
  peek(count: number): Uint8Array {
    return this.front(Math.min(count, this.length), false);
  }

  take(count: number): Uint8Array {
    return this.front(Math.min(count, this.length), true);
  }

  private front(count: number, consume: boolean): Uint8Array {
    const cut: Uint8Array[] = [];
    let filled = 0;
    let index = 0;
    while (filled < count) {
      const chunk = this.chunks[index]!;
      const used = Math.min(chunk.length, count - filled);
      cut.push(chunk.subarray(0, used));
      filled += used;
      // A chunk cut in the middle stays first in line with its remainder.
      if (consume && used < chunk.length) this.chunks[index] = chunk.subarray(used);
      else index++;
    }
    if (consume) {
      this.chunks = this.chunks.slice(index);
      this.length -= count;
    }
    return concatBytes(cut);
  }
}

/**
 * Streams `chunks` into R2 at `key`: refuses the content by its first bytes before anything is written, stops
 * at `maxBytes` + 1 (413) whatever the request claimed, hashes on the way, and leaves nothing behind on
 * failure (a started multipart upload is aborted). Returns what was stored.
 */
export async function storeStream(bucket: R2Bucket, key: string, chunks: AsyncIterable<Uint8Array>, options: StoreOptions): Promise<StoredObject> {
  const digest = new crypto.DigestStream("SHA-256");
  const hasher = digest.getWriter();
  const pending = new Pieces();
  let size = 0;
  let contentType: string | undefined;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  const typeNow = () => (contentType ??= options.known?.contentType ?? allowedTypeOf(pending.peek(SNIFF_BYTES), options.allowedTypes, options.path));
  const httpMetadata = () => ({ contentType: typeNow(), ...(options.known?.contentDisposition ? { contentDisposition: options.known.contentDisposition } : {}) });
  try {
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > options.maxBytes) throw new ApiError("PAYLOAD_TOO_LARGE", `The file exceeds ${options.maxBytes} bytes`);
      await hasher.write(chunk);
      pending.push(chunk);
      if (pending.length >= SNIFF_BYTES) typeNow();
      // Strictly more than a piece: the final piece is never empty, so a file of exactly one piece is one put().
      while (pending.length > STORE_PIECE_BYTES) {
        upload ??= await bucket.createMultipartUpload(key, { httpMetadata: httpMetadata(), customMetadata: options.customMetadata });
        parts.push(await upload.uploadPart(parts.length + 1, pending.take(STORE_PIECE_BYTES)));
      }
    }
    if (size === 0) throw validationFailed([{ path: options.path, message: "is empty" }]);
    const type = typeNow();
    await hasher.close();
    const sha256 = toHex(await digest.digest);
    const rest = pending.take(pending.length);
    if (upload) {
      parts.push(await upload.uploadPart(parts.length + 1, rest));
      await upload.complete(parts);
    } else {
      await bucket.put(key, rest, { httpMetadata: httpMetadata(), customMetadata: options.customMetadata, sha256 });
    }
    return { size, contentType: type, sha256 };
  } catch (error) {
    await upload?.abort().catch(() => undefined);
    throw error;
  }
}

/** Writes content the Worker generated (a queued export) piece by piece: no type check, no size limit. */
export const storeGenerated = (bucket: R2Bucket, key: string, chunks: AsyncIterable<Uint8Array>, known: NonNullable<StoreOptions["known"]>) =>
  storeStream(bucket, key, chunks, { maxBytes: Number.MAX_SAFE_INTEGER, allowedTypes: [], customMetadata: {}, path: "export", known });
