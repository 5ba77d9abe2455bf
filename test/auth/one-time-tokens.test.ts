import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "@shared/db/client";
import { refreshFamilies, users, type OneTimeTokenPurpose } from "@shared/db/schema";
import { issueOneTimeToken } from "../../workers/modules/auth/tokens";
import { api, errorPaths, expectProblem, login, refresh, register, uniqueEmail } from "../support/http";

const db = createDb(env.DB);
const issue = (userId: string, purpose: OneTimeTokenPurpose, ttlMs = 30 * 60_000) => issueOneTimeToken(db, userId, purpose, ttlMs);
const reset = (token: string, password: string) => api("/api/auth/password/reset", { json: { token, password } });
const verify = (token: string) => api("/api/auth/email/verify", { json: { token } });
const userRow = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0]!;

function expectBadToken(res: Awaited<ReturnType<typeof api>>) {
  expectProblem(res, 400, "VALIDATION_FAILED");
  expect(errorPaths(res)).toEqual(["body.token"]);
}

describe("POST /api/auth/password/forgot", () => {
  it("202 with no body for a known address and for an unknown one alike", async () => {
    const account = await register();
    const known = await api("/api/auth/password/forgot", { json: { email: account.email.toUpperCase() } });
    const unknown = await api("/api/auth/password/forgot", { json: { email: uniqueEmail("ghost") } });
    for (const res of [known, unknown]) {
      expect(res.status).toBe(202);
      expect(res.text).toBe("");
    }
    const relevant = (h: Headers) => Object.fromEntries([...h].filter(([n]) => !["x-request-id", "date"].includes(n)));
    expect(relevant(known.headers)).toEqual(relevant(unknown.headers));
  });

  it("a malformed address is still a 400", async () => {
    expectProblem(await api("/api/auth/password/forgot", { json: { email: "nope" } }), 400, "VALIDATION_FAILED");
  });
});

describe("POST /api/auth/password/reset", () => {
  it("204; the new password signs in, the old one no longer does, and the address counts as verified", async () => {
    const account = await register();
    const { token } = await issue(account.user.id, "PASSWORD_RESET");
    const res = await reset(token, "a brand new password");
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe("");
    expect((await login(account.email, "a brand new password")).status).toBe(200);
    expectProblem(await login(account.email, account.password), 401, "UNAUTHORIZED");
    expect((await userRow(account.user.id)).emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("ends every login of the account (every refresh family revoked)", async () => {
    const account = await register();
    const second = await login(account.email, account.password);
    const rotated = await refresh(second.body.refreshToken);
    expect(rotated.status).toBe(200);
    const { token } = await issue(account.user.id, "PASSWORD_RESET");
    expect((await reset(token, "another new password")).status).toBe(204);

    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    expectProblem(await refresh(rotated.body.refreshToken), 401, "UNAUTHORIZED");
    const families = await db.select().from(refreshFamilies).where(eq(refreshFamilies.userId, account.user.id));
    expect(families).toHaveLength(2);
    for (const family of families) expect(family.revokedReason).toBe("PASSWORD_RESET");
  });

  it("another user's logins are untouched", async () => {
    const [victim, bystander] = await Promise.all([register(), register()]);
    const { token } = await issue(victim.user.id, "PASSWORD_RESET");
    expect((await reset(token, "another new password")).status).toBe(204);
    expect((await refresh(bystander.refreshToken)).status).toBe(200);
    expect((await login(bystander.email, bystander.password)).status).toBe(200);
  });

  it("the token works once: the second use is a 400 and does not change the password again", async () => {
    const account = await register();
    const { token } = await issue(account.user.id, "PASSWORD_RESET");
    expect((await reset(token, "first new password")).status).toBe(204);
    expectBadToken(await reset(token, "second new password"));
    expect((await login(account.email, "first new password")).status).toBe(200);
  });

  it("two concurrent confirms: exactly one 204 and one 400, and the password is the winner's", async () => {
    const account = await register();
    const { token } = await issue(account.user.id, "PASSWORD_RESET");
    const passwords = ["password of racer one", "password of racer two"];
    const results = await Promise.all(passwords.map((p) => reset(token, p)));
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
    const winner = passwords[results.findIndex((r) => r.status === 204)]!;
    const loser = passwords.find((p) => p !== winner)!;
    expectBadToken(results.find((r) => r.status === 400)!);
    expect((await login(account.email, winner)).status).toBe(200);
    expectProblem(await login(account.email, loser), 401, "UNAUTHORIZED");
  });

  it.each([
    ["expired (negative TTL)", -60_000],
    ["expired (zero TTL)", 0],
  ])("an %s token: 400, password unchanged", async (_name, ttl) => {
    const account = await register();
    const { token } = await issue(account.user.id, "PASSWORD_RESET", ttl);
    expectBadToken(await reset(token, "never applied password"));
    expect((await login(account.email, account.password)).status).toBe(200);
  });

  it("an unknown token, or an email verification token: 400", async () => {
    const account = await register();
    expectBadToken(await reset("not-a-token", "whatever password"));
    const { token } = await issue(account.user.id, "EMAIL_VERIFICATION");
    expectBadToken(await reset(token, "whatever password"));
    expect((await login(account.email, account.password)).status).toBe(200);
  });

  it("the new password obeys the length rules (checked before the token is spent)", async () => {
    const account = await register();
    const { token } = await issue(account.user.id, "PASSWORD_RESET");
    for (const password of ["short", "x".repeat(257)]) {
      const res = await reset(token, password);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual(["body.password"]);
    }
    expect((await reset(token, "long enough now")).status).toBe(204);
  });
});

describe("POST /api/auth/email/verify", () => {
  it("204; the user then reads emailVerified true", async () => {
    const account = await register();
    expect(account.user.emailVerified).toBe(false);
    const { token } = await issue(account.user.id, "EMAIL_VERIFICATION");
    const res = await verify(token);
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe("");
    const me = await api("/api/users/me", { token: account.accessToken });
    expect(me.body.emailVerified).toBe(true);
  });

  it("the token works once", async () => {
    const account = await register();
    const { token } = await issue(account.user.id, "EMAIL_VERIFICATION");
    expect((await verify(token)).status).toBe(204);
    expectBadToken(await verify(token));
  });

  it("two concurrent verifications: exactly one 204", async () => {
    const account = await register();
    const { token } = await issue(account.user.id, "EMAIL_VERIFICATION");
    const results = await Promise.all([verify(token), verify(token), verify(token)]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 400, 400]);
  });

  it("an expired, unknown or password reset token: 400, still unverified", async () => {
    const account = await register();
    const expired = await issue(account.user.id, "EMAIL_VERIFICATION", -1);
    const resetToken = await issue(account.user.id, "PASSWORD_RESET");
    expectBadToken(await verify(expired.token));
    expectBadToken(await verify("unknown-token"));
    expectBadToken(await verify(resetToken.token));
    expect((await userRow(account.user.id)).emailVerifiedAt).toBeNull();
  });

  it("verifies only the token's own user", async () => {
    const [a, b] = await Promise.all([register(), register()]);
    const { token } = await issue(a.user.id, "EMAIL_VERIFICATION");
    expect((await verify(token)).status).toBe(204);
    expect((await userRow(a.user.id)).emailVerifiedAt).toBeInstanceOf(Date);
    expect((await userRow(b.user.id)).emailVerifiedAt).toBeNull();
  });
});

describe("the emailed links (through the queue and the development mailbox)", () => {
  const tokenFromMail = async (to: string, subject: RegExp) => {
    let found: string | undefined;
    await vi.waitFor(
      async () => {
        const res = await api(`/api/dev/mailbox?to=${encodeURIComponent(to)}`);
        const mail = (res.body.items as { subject: string; text: string }[]).find((m) => subject.test(m.subject));
        found = mail?.text.match(/token=([\w%-]+)/)?.[1];
        expect(found).toBeDefined();
      },
      { timeout: 20_000, interval: 250 },
    );
    return decodeURIComponent(found!);
  };

  it("register emails a verification link whose token verifies the address", async () => {
    const account = await register();
    const token = await tokenFromMail(account.email, /confirm your email/i);
    expect((await verify(token)).status).toBe(204);
    expect((await api("/api/users/me", { token: account.accessToken })).body.emailVerified).toBe(true);
  });

  it("forgot emails a reset link whose token resets the password", async () => {
    const account = await register();
    expect((await api("/api/auth/password/forgot", { json: { email: account.email } })).status).toBe(202);
    const token = await tokenFromMail(account.email, /reset your lightbox password/i);
    expect((await reset(token, "reset through the mail")).status).toBe(204);
    expect((await login(account.email, "reset through the mail")).status).toBe(200);
  });
});
