// Small WebCrypto helpers shared by auth, tokens and signed URLs.

const encoder = new TextEncoder();

export function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(value: string): Uint8Array {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** An opaque bearer secret: 32 random bytes (256 bits), base64url. */
export function randomToken(bytes = 32): string {
  return toBase64Url(randomBytes(bytes));
}

/** Lower-case hex, two digits per byte. */
export const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  [...(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

export async function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    typeof key === "string" ? encoder.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", cryptoKey, typeof data === "string" ? encoder.encode(data) : data);
  return new Uint8Array(signature);
}

/** Constant-time comparison of two byte strings (workerd's crypto.subtle.timingSafeEqual needs equal lengths). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return crypto.subtle.timingSafeEqual(a, b);
}

// Sealing: secrets that must be read back (OAuth refresh tokens) are stored encrypted with AES-GCM 256 under a
// key from the TOKEN_SEALING_KEY secret. The version prefix lets a later key or algorithm coexist with old rows.
const SEAL_VERSION = "v1";

async function sealingKey(keyB64: string, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const raw = fromBase64Url(keyB64);
  if (raw.byteLength !== 32) throw new Error("The sealing key must be 32 bytes (base64url)");
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, [usage]);
}

/** `v1.<iv>.<ciphertext and tag>` (base64url parts), with a fresh random 96-bit IV per call. */
export async function sealSecret(keyB64: string, plaintext: string): Promise<string> {
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealingKey(keyB64, "encrypt"), encoder.encode(plaintext));
  return `${SEAL_VERSION}.${toBase64Url(iv)}.${toBase64Url(sealed)}`;
}

/** Opens what `sealSecret` made; throws when the value was altered or sealed under another key. */
export async function unsealSecret(keyB64: string, sealed: string): Promise<string> {
  const [version, iv, data, ...rest] = sealed.split(".");
  if (version !== SEAL_VERSION || !iv || !data || rest.length > 0) throw new Error("Not a sealed secret of a known version");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, await sealingKey(keyB64, "decrypt"), fromBase64Url(data));
  return new TextDecoder().decode(plain);
}
