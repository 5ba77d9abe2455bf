import type { FileRow } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";

/**
 * `attachment` with both an ASCII `filename` for old clients and the exact UTF-8 name in `filename*`
 * (RFC 6266 / RFC 8187). Stored names are sanitized, so no quote or backslash needs escaping.
 */
export function contentDisposition(name: string): string {
  const fallback = name.normalize("NFKD").replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "_").trim() || "file";
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * One `bytes=` range of a `size`-byte object, as R2 takes it, or null to serve the whole file: a server may
 * ignore a Range header (RFC 9110 §14.2), which is what happens to multiple, malformed or unsatisfiable ones.
 */
export function parseRange(header: string | null, size: number): { offset: number; length: number } | null {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/i);
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return null;
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return null;
  return { offset: start, length: end - start + 1 };
}

/** The file's bytes as an HTTP response: whole or one range, revalidated with its ETag. */
export async function downloadResponse(bucket: R2Bucket, file: FileRow, request: Headers): Promise<Response> {
  const range = parseRange(request.get("range"), file.size);
  const ifNoneMatch = request.get("if-none-match");
  const object = await bucket.get(file.r2Key, {
    ...(range ? { range } : {}),
    ...(ifNoneMatch ? { onlyIf: new Headers({ "if-none-match": ifNoneMatch }) } : {}),
  });
  if (!object) throw notFound("File content");
  const headers = new Headers({
    etag: object.httpEtag,
    "cache-control": "private, no-cache",
    "accept-ranges": "bytes",
    "content-disposition": contentDisposition(file.name),
  });
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  headers.set("content-type", file.contentType);
  if (range) {
    headers.set("content-length", String(range.length));
    headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`);
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("content-length", String(object.size));
  return new Response(object.body, { status: 200, headers });
}
