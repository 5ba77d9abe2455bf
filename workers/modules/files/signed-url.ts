import type { Config } from "@shared/config";
import { hmacSha256, timingSafeEqual } from "@shared/lib/crypto";
import { toHex } from "./bytes";

/**
 * Download links that work without a bearer token until they expire:
 * `/api/files/<id>/download?expires=<unix seconds>&signature=<hex HMAC-SHA256("<id>:<expires>")>`.
 *
 * The HMAC key is derived from JWT_SECRET with HKDF-SHA256 (info "lightbox file urls"), so there is no new
 * secret to provision, and a signature made for a link can never stand in for a token signature or the
 * reverse: the two keys are unrelated. During a JWT secret rotation, links signed under the previous secret
 * stay valid until they expire, like access tokens do.
 */

const HKDF_INFO = new TextEncoder().encode("lightbox file urls");
const keys = new Map<string, Promise<Uint8Array>>();

function urlKey(secret: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveBits"]);
      const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: HKDF_INFO }, base, 256);
      return new Uint8Array(bits);
    })();
    keys.set(secret, key);
  }
  return key;
}

const message = (fileId: string, expires: number) => `${fileId}:${expires}`;

function fromHex(value: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(value)) return null;
  return Uint8Array.from(value.match(/../g)!, (pair) => parseInt(pair, 16));
}

/** The hex signature of a link to `fileId` valid until `expires` (unix seconds). */
export async function signDownload(jwt: Config["jwt"], fileId: string, expires: number): Promise<string> {
  return toHex(await hmacSha256(await urlKey(jwt.secret), message(fileId, expires)));
}

export type LinkCheck = "valid" | "expired" | "invalid";

/** Checks a link's signature first (so an expired link with a forged signature reads as forged), then its time. */
export async function checkDownload(jwt: Config["jwt"], fileId: string, expires: number, signature: string, now: Date): Promise<LinkCheck> {
  const given = fromHex(signature);
  if (!given) return "invalid";
  let genuine = false;
  for (const secret of [jwt.secret, jwt.previousSecret]) {
    if (secret && timingSafeEqual(given, await hmacSha256(await urlKey(secret), message(fileId, expires)))) genuine = true;
  }
  if (!genuine) return "invalid";
  return expires * 1000 <= now.getTime() ? "expired" : "valid";
}

/** The absolute URL of a signed link; `origin` is the API's own (the request's), which serves the download. */
export function downloadUrl(origin: string, fileId: string, expires: number, signature: string): string {
  const url = new URL(`/api/files/${encodeURIComponent(fileId)}/download`, origin);
  url.searchParams.set("expires", String(expires));
  url.searchParams.set("signature", signature);
  return url.toString();
}
