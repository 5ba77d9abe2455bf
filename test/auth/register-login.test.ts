import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { users } from "@shared/db/schema";
import { api, errorPaths, expectProblem, login, PASSWORD, register, uniqueEmail, uniqueIp } from "../support/http";

const USER_KEYS = ["id", "email", "firstName", "lastName", "emailVerified", "plan", "createdAt"];

describe("POST /api/auth/register", () => {
  it("creates the account: 201 with the user and a session, email trimmed and lower-cased, never a hash", async () => {
    const local = `Ada.${crypto.randomUUID().slice(0, 8)}`;
    const before = Date.now();
    const res = await api("/api/auth/register", {
      json: { email: `  ${local}@Studio.EXAMPLE `, password: PASSWORD, firstName: " Ada ", lastName: "Lovelace" },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const { user, accessToken, refreshToken, expiresIn } = res.body;
    expect(Object.keys(res.body).sort()).toEqual(["accessToken", "expiresIn", "refreshToken", "user"]);
    for (const key of USER_KEYS) expect(user).toHaveProperty(key);
    expect(user).toMatchObject({
      email: `${local.toLowerCase()}@studio.example`,
      firstName: "Ada",
      lastName: "Lovelace",
      emailVerified: false,
      plan: "FREE",
    });
    expect(user.id).toEqual(expect.any(String));
    expect(Date.parse(user.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(accessToken.split(".")).toHaveLength(3);
    expect(refreshToken.length).toBeGreaterThanOrEqual(32);
    expect(expiresIn).toBe(900);
    // No hash under any name, anywhere in the answer.
    expect(res.text).not.toMatch(/pbkdf2|passwordHash|password_hash/i);
    expect(JSON.stringify(user)).not.toContain(PASSWORD);

    // Stored lower-cased, with a hash that is not the password.
    const [row] = await createDb(env.DB).select().from(users).where(eq(users.id, user.id));
    expect(row!.email).toBe(user.email);
    expect(row!.passwordHash).toMatch(/^pbkdf2-sha256\$/);
  });

  it("the access token it returns opens /api/users/me", async () => {
    const account = await register();
    const me = await api("/api/users/me", { token: account.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: account.user.id, email: account.email });
  });

  it("refuses an email that is taken: 409 CONFLICT, also with other case and surrounding whitespace", async () => {
    const account = await register();
    const ip = uniqueIp();
    for (const email of [account.email, account.email.toUpperCase(), `  ${account.email.replace("user", "USER")}\t`]) {
      const res = await api("/api/auth/register", { json: { email, password: PASSWORD, firstName: "B", lastName: "C" }, ip });
      expectProblem(res, 409, "CONFLICT");
    }
  });

  it("two concurrent registrations of one address: exactly one 201, the other 409", async () => {
    const email = uniqueEmail("race");
    const input = { email, password: PASSWORD, firstName: "A", lastName: "B" };
    const results = await Promise.all([api("/api/auth/register", { json: input }), api("/api/auth/register", { json: input })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it("password length: 9 and 257 characters are refused (400 body.password), 10 and 256 accepted", async () => {
    const ip = uniqueIp();
    for (const password of ["a".repeat(9), "a".repeat(257)]) {
      const res = await api("/api/auth/register", { json: { email: uniqueEmail(), password, firstName: "A", lastName: "B" }, ip });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual(["body.password"]);
    }
    for (const password of ["a".repeat(10), "a".repeat(256)]) {
      const account = await register({ password }, ip);
      expect((await login(account.email, password)).status).toBe(200);
    }
  });

  it("names every invalid field of the body", async () => {
    const res = await api("/api/auth/register", { json: { email: "not-an-email", password: 12345678901, firstName: "", lastName: 7 } });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res).sort()).toEqual(["body.email", "body.firstName", "body.lastName", "body.password"]);
    for (const error of res.body.errors) expect(error.message).toEqual(expect.any(String));
  });

  it("refuses an unknown field (no mass assignment of role or plan)", async () => {
    const res = await api("/api/auth/register", {
      json: { email: uniqueEmail(), password: PASSWORD, firstName: "A", lastName: "B", role: "ADMIN" },
    });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors).toEqual([{ path: "body.role", message: "is not an allowed field" }]);
  });
});

describe("POST /api/auth/login", () => {
  it("200 with the user and a new session; the email matches whatever its case", async () => {
    const account = await register();
    const res = await login(`  ${account.email.toUpperCase()} `, account.password);
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ id: account.user.id, email: account.email, emailVerified: false });
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.refreshToken).not.toBe(account.refreshToken);
    expect(res.body.expiresIn).toBe(900);
    expect(res.text).not.toMatch(/pbkdf2|passwordHash/i);
  });

  it("unknown email and wrong password answer identically (status, body, headers)", async () => {
    const account = await register();
    const ip = uniqueIp();
    const unknown = await login(uniqueEmail("nobody"), "wrong password 123", ip);
    const wrong = await login(account.email, "wrong password 123", ip);
    expectProblem(unknown, 401, "UNAUTHORIZED");
    expectProblem(wrong, 401, "UNAUTHORIZED");
    const strip = ({ requestId: _r, instance: _i, ...rest }: Record<string, unknown>) => rest;
    const [unknownBody, wrongBody] = [unknown.body as unknown as Record<string, unknown>, wrong.body as unknown as Record<string, unknown>];
    expect(strip(wrongBody)).toEqual(strip(unknownBody));
    expect(Object.keys(wrong.body).sort()).toEqual(Object.keys(unknown.body).sort());
    const relevant = (h: Headers) =>
      Object.fromEntries([...h].filter(([name]) => !["x-request-id", "date", "content-length"].includes(name)));
    expect(relevant(wrong.headers)).toEqual(relevant(unknown.headers));
    expect(wrong.headers.get("www-authenticate")).toBe(unknown.headers.get("www-authenticate"));
    expect(wrong.headers.get("retry-after")).toBeNull();
  });

  it("a password that is not the account's is refused, even by one character", async () => {
    const account = await register();
    expectProblem(await login(account.email, `${account.password}!`), 401, "UNAUTHORIZED");
    expectProblem(await login(account.email, account.password.toUpperCase()), 401, "UNAUTHORIZED");
  });

  it("refuses a body without a password or with a wrong type: 400 naming the fields", async () => {
    const res = await api("/api/auth/login", { json: { email: 42 } });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res).sort()).toEqual(["body.email", "body.password"]);
  });
});
