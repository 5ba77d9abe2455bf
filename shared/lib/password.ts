import { fromBase64Url, hmacSha256, randomBytes, timingSafeEqual, toBase64Url } from "./crypto";

/**
 * Password hashing that production Workers can compute.
 *
 * PBKDF2-HMAC-SHA256 through WebCrypto: production workerd refuses more than 100,000 iterations (local dev
 * does not), so 100,000 is both our cost and the platform's ceiling. The password is first keyed with a
 * secret pepper (HMAC-SHA256), so a stolen database alone cannot be brute-forced. The algorithm and
 * iteration count are stored in each hash, so they can be raised later: `needsRehash` tells the login path
 * to upgrade a hash made with older parameters.
 *
 * Format: `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`
 */
export const PASSWORD_HASH_PARAMS = {
  algorithm: "pbkdf2-sha256",
  iterations: 100_000,
  saltBytes: 16,
  hashBytes: 32,
} as const;

/** The most iterations production Workers accept for PBKDF2 (WebCrypto and node:crypto alike). */
export const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

async function derive(password: string, pepper: string, salt: Uint8Array, iterations: number, bytes: number) {
  const peppered = await hmacSha256(pepper, password);
  const key = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, pepper: string): Promise<string> {
  const { algorithm, iterations, saltBytes, hashBytes } = PASSWORD_HASH_PARAMS;
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, pepper, salt, iterations, hashBytes);
  return `${algorithm}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parse(stored: string): ParsedHash | null {
  const [algorithm, iterations, salt, hash] = stored.split("$");
  if (algorithm !== PASSWORD_HASH_PARAMS.algorithm || !iterations || !salt || !hash) return null;
  const count = Number(iterations);
  if (!Number.isInteger(count) || count < 1 || count > WORKERS_PBKDF2_MAX_ITERATIONS) return null;
  return { iterations: count, salt: fromBase64Url(salt), hash: fromBase64Url(hash) };
}

export async function verifyPassword(password: string, stored: string, pepper: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, pepper, parsed.salt, parsed.iterations, parsed.hash.byteLength);
  return timingSafeEqual(candidate, parsed.hash);
}

export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.iterations !== PASSWORD_HASH_PARAMS.iterations || parsed.hash.byteLength !== PASSWORD_HASH_PARAMS.hashBytes;
}

/** A hash of a random password, verified against when the email is unknown so both login failures cost the same. */
let decoy: Promise<string> | undefined;
export function decoyHash(pepper: string): Promise<string> {
  decoy ??= hashPassword(toBase64Url(randomBytes(16)), pepper);
  return decoy;
}
