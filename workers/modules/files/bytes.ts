/** Byte helpers shared by the upload paths (form parsing, single-request and multipart storage) and signed links. */

/** The chunks joined in order. A lone non-empty chunk is returned as it is, not copied. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const filled = chunks.filter((chunk) => chunk.length > 0);
  if (filled.length === 1) return filled[0]!;
  const out = new Uint8Array(filled.reduce((total, chunk) => total + chunk.length, 0));
  let at = 0;
  for (const chunk of filled) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export { toHex } from "@shared/lib/crypto";
