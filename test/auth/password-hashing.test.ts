import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { users } from "@shared/db/schema";
import { hmacSha256, randomBytes, toBase64Url } from "@shared/lib/crypto";
import { newId } from "@shared/lib/ids";
import {
  hashPassword,
  needsRehash,
  PASSWORD_HASH_PARAMS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
  WORKERS_PBKDF2_MAX_ITERATIONS,
} from "@shared/lib/password";
import { login, uniqueEmail } from "../support/http";

const PEPPER = env.PASSWORD_PEPPER;

/** A hash in the stored format made with `iterations`, computed here independently of the library. */
async function legacyHash(password: string, pepper: string, iterations: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await crypto.subtle.importKey("raw", await hmacSha256(pepper, password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(bits)}`;
}

describe("password hashing parameters (pinned inside what production Workers accept)", () => {
  it("PBKDF2-SHA256 at no more than 100,000 iterations, 16-byte salt, 32-byte hash", () => {
    expect(WORKERS_PBKDF2_MAX_ITERATIONS).toBe(100_000);
    expect(PASSWORD_HASH_PARAMS.algorithm).toBe("pbkdf2-sha256");
    expect(PASSWORD_HASH_PARAMS.iterations).toBeLessThanOrEqual(WORKERS_PBKDF2_MAX_ITERATIONS);
    // Not weakened either: OWASP's PBKDF2-SHA256 floor is far above a few thousand.
    expect(PASSWORD_HASH_PARAMS.iterations).toBeGreaterThanOrEqual(100_000);
    expect(PASSWORD_HASH_PARAMS.saltBytes).toBeGreaterThanOrEqual(16);
    expect(PASSWORD_HASH_PARAMS.hashBytes).toBe(32);
    expect(PASSWORD_MIN_LENGTH).toBe(10);
    expect(PASSWORD_MAX_LENGTH).toBe(256);
  });

  it("a produced hash embeds its algorithm, iteration count, salt and hash", async () => {
    const stored = await hashPassword("correct horse battery staple", PEPPER);
    const [algorithm, iterations, salt, hash, ...rest] = stored.split("$");
    expect(rest).toEqual([]);
    expect(algorithm).toBe(PASSWORD_HASH_PARAMS.algorithm);
    expect(Number(iterations)).toBe(PASSWORD_HASH_PARAMS.iterations);
    expect(salt).toMatch(/^[\w-]{22}$/); // 16 bytes, base64url
    expect(hash).toMatch(/^[\w-]{43}$/); // 32 bytes, base64url
    expect(stored).not.toContain("correct horse");
    expect(needsRehash(stored)).toBe(false);
  });

  it("salts every hash: the same password twice gives two hashes that both verify", async () => {
    const [a, b] = await Promise.all([hashPassword("same password", PEPPER), hashPassword("same password", PEPPER)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", a, PEPPER)).toBe(true);
    expect(await verifyPassword("same password", b, PEPPER)).toBe(true);
    expect(await verifyPassword("same passwore", a, PEPPER)).toBe(false);
  });

  it("the pepper matters: same password, another pepper, verify is false", async () => {
    const stored = await hashPassword("peppered password", PEPPER);
    expect(await verifyPassword("peppered password", stored, PEPPER)).toBe(true);
    expect(await verifyPassword("peppered password", stored, `${PEPPER}-rotated`)).toBe(false);
    expect(await verifyPassword("peppered password", stored, "another-pepper-0123456789")).toBe(false);
  });

  it("a hash made with fewer iterations still verifies (the count is read from it) and needs a rehash", async () => {
    const old = await legacyHash("an older password", PEPPER, 10_000);
    expect(await verifyPassword("an older password", old, PEPPER)).toBe(true);
    expect(await verifyPassword("not the password", old, PEPPER)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it("refuses hashes it cannot or must not compute: over the platform cap, unknown algorithm, garbage", async () => {
    const tooMany = (await legacyHash("x-password", PEPPER, 1000)).replace("$1000$", `$${WORKERS_PBKDF2_MAX_ITERATIONS + 1}$`);
    expect(await verifyPassword("x-password", tooMany, PEPPER)).toBe(false);
    expect(needsRehash(tooMany)).toBe(true);
    const scrypt = (await legacyHash("x-password", PEPPER, 1000)).replace("pbkdf2-sha256", "scrypt");
    expect(await verifyPassword("x-password", scrypt, PEPPER)).toBe(false);
    for (const garbage of ["", "pbkdf2-sha256", "pbkdf2-sha256$abc$salt$hash", "pbkdf2-sha256$0$c2FsdA$aGFzaA"]) {
      expect(await verifyPassword("x-password", garbage, PEPPER)).toBe(false);
      expect(needsRehash(garbage)).toBe(true);
    }
  });

  it("login upgrades an old hash to the current parameters", async () => {
    const db = createDb(env.DB);
    const id = newId();
    const email = uniqueEmail("legacy");
    const now = new Date();
    await db.insert(users).values({
      id,
      email,
      passwordHash: await legacyHash("legacy password", PEPPER, 20_000),
      firstName: "Old",
      lastName: "Timer",
      createdAt: now,
      updatedAt: now,
    });
    const res = await login(email, "legacy password");
    expect(res.status, res.text).toBe(200);
    const [row] = await db.select().from(users).where(eq(users.id, id));
    expect(row!.passwordHash!.split("$")[1]).toBe(String(PASSWORD_HASH_PARAMS.iterations));
    expect(needsRehash(row!.passwordHash!)).toBe(false);
    expect((await login(email, "legacy password")).status).toBe(200);
  });
});
