import { z } from "zod";
import { validationFailed } from "./errors";

/** `?limit=`: default 20, at most 100 (API.md, "Lists"). */
export const limitParam = z.coerce.number().int().min(1).max(100).default(20);

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** Opaque cursor: the sort key of the last item served (base64url JSON). Clients must not parse it. */
export function encodeCursor(key: unknown[]): string {
  return toBase64Url(encoder.encode(JSON.stringify(key)));
}

/** Decodes a cursor made by `encodeCursor`, checking its shape; anything else is a 400 on `query.cursor`. */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.infer<T> {
  try {
    const parsed = shape.safeParse(JSON.parse(decoder.decode(fromBase64Url(cursor))));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the 400
  }
  throw validationFailed([{ path: "query.cursor", message: "is not a cursor this list produced" }]);
}

/** The page of `rows` fetched with `limit + 1`: the extra row only says whether another page exists. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => unknown[], map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
