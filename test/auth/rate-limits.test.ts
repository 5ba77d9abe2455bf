import { describe, expect, it } from "vitest";
import { api, expectProblem, freshRateLimitWindow, login, PASSWORD, register, uniqueEmail, uniqueIp, type ApiResponse } from "../support/http";

// Limits from wrangler.toml (miniflare enforces them locally, in fixed 60-second windows).
const LOGIN_FAILURES_PER_ACCOUNT = 5;
const LOGIN_FAILURES_PER_IP = 50;
const PASSWORD_FORGOT_PER_IP = 20;
const REGISTRATIONS_PER_IP = 100;
// Tests that wait for a fresh limiter window (up to 30 s) before their requests need more than the default 30 s.
const WINDOW_TEST_TIMEOUT = 90_000;

function expectRateLimited(res: ApiResponse) {
  expectProblem(res, 429, "RATE_LIMITED");
  const retryAfter = res.headers.get("retry-after");
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

describe("failed logins", () => {
  it("per account: the failure after the limit is a 429, and while blocked even the right password gets 429", async () => {
    const account = await register();
    const attacker = uniqueIp();
    await freshRateLimitWindow(15_000);
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
      expectProblem(await login(account.email, `wrong password ${i}`, attacker), 401, "UNAUTHORIZED");
    }
    expectRateLimited(await login(account.email, "wrong password again", attacker));

    // The block is on the account: the right password is refused too, from the same address or another one,
    // and however the address is spelled.
    expectRateLimited(await login(account.email, account.password, attacker));
    expectRateLimited(await login(account.email, account.password, uniqueIp()));
    expectRateLimited(await login(`  ${account.email.toUpperCase()}`, account.password, uniqueIp()));

    // A session from before keeps working: the block is on password checks only.
    expect((await api("/api/users/me", { token: account.accessToken })).status).toBe(200);
  }, WINDOW_TEST_TIMEOUT);

  it("a different account from another address is unaffected", async () => {
    const [victim, other] = await Promise.all([register(), register()]);
    await freshRateLimitWindow(15_000);
    const attacker = uniqueIp();
    for (let i = 0; i <= LOGIN_FAILURES_PER_ACCOUNT; i++) await login(victim.email, `wrong ${i}`, attacker);
    expectRateLimited(await login(victim.email, victim.password, attacker));

    expect((await login(other.email, other.password, uniqueIp())).status).toBe(200);
    expectProblem(await login(other.email, "one wrong guess", uniqueIp()), 401, "UNAUTHORIZED");
    expect((await login(other.email, other.password, uniqueIp())).status).toBe(200);
  }, WINDOW_TEST_TIMEOUT);

  it("successful logins do not count", async () => {
    const account = await register();
    await freshRateLimitWindow(15_000);
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT * 2; i++) {
      expect((await login(account.email, account.password, account.ip)).status).toBe(200);
    }
  }, WINDOW_TEST_TIMEOUT);

  it("per address: spraying many accounts from one IP is stopped after the IP limit", async () => {
    const sprayer = uniqueIp();
    await freshRateLimitWindow(15_000);
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_FAILURES_PER_IP; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => login(uniqueEmail("spray"), "guessed password", sprayer)));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses).toEqual(Array(LOGIN_FAILURES_PER_IP).fill(401));
    expectRateLimited(await login(uniqueEmail("spray"), "guessed password", sprayer));

    // The address is blocked, whatever account it tries next, even one with the right password...
    const account = await register();
    expectRateLimited(await login(account.email, account.password, sprayer));
    // ...while the account itself is fine from anywhere else.
    expect((await login(account.email, account.password, uniqueIp())).status).toBe(200);
  }, WINDOW_TEST_TIMEOUT);
});

describe("POST /api/auth/password/forgot", () => {
  it(`more than ${PASSWORD_FORGOT_PER_IP} a minute from one IP: 429; another IP is unaffected`, async () => {
    const ip = uniqueIp();
    await freshRateLimitWindow(15_000);
    const results = await Promise.all(
      Array.from({ length: PASSWORD_FORGOT_PER_IP }, () => api("/api/auth/password/forgot", { json: { email: uniqueEmail("f") }, ip })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(PASSWORD_FORGOT_PER_IP).fill(202));
    expectRateLimited(await api("/api/auth/password/forgot", { json: { email: uniqueEmail("f") }, ip }));
    expect((await api("/api/auth/password/forgot", { json: { email: uniqueEmail("f") }, ip: uniqueIp() })).status).toBe(202);
  }, WINDOW_TEST_TIMEOUT);
});

describe("POST /api/auth/register", () => {
  it(`more than ${REGISTRATIONS_PER_IP} a minute from one IP: 429; another IP is unaffected`, async () => {
    const ip = uniqueIp();
    const email = uniqueEmail("office");
    const body = { email, password: PASSWORD, firstName: "A", lastName: "B" };
    await freshRateLimitWindow(30_000);
    // One account and then duplicates: every well-formed attempt counts, 201 or 409 alike.
    const statuses: number[] = [];
    for (let i = 0; i < REGISTRATIONS_PER_IP; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => api("/api/auth/register", { json: body, ip })));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(REGISTRATIONS_PER_IP - 1);
    expectRateLimited(await api("/api/auth/register", { json: { ...body, email: uniqueEmail("office") }, ip }));
    expect((await api("/api/auth/register", { json: { ...body, email: uniqueEmail("elsewhere") }, ip: uniqueIp() })).status).toBe(201);
  }, WINDOW_TEST_TIMEOUT);

  it("the per-IP limit stays generous: 60 sign-ups from one office address in a minute all succeed", async () => {
    const ip = uniqueIp();
    await freshRateLimitWindow(20_000);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => api("/api/auth/register", { json: { email: uniqueEmail("team"), password: PASSWORD, firstName: "A", lastName: "B" }, ip })),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses).toEqual(Array(60).fill(201));
  }, WINDOW_TEST_TIMEOUT);

  it("malformed bodies are refused before the limiter and do not use up the address's allowance", async () => {
    const ip = uniqueIp();
    await freshRateLimitWindow(15_000);
    const invalid = await Promise.all(
      Array.from({ length: REGISTRATIONS_PER_IP + 20 }, () => api("/api/auth/register", { json: { email: "not-an-email" }, ip })),
    );
    for (const res of invalid) expect(res.status).toBe(400);
    expect((await api("/api/auth/register", { json: { email: uniqueEmail(), password: PASSWORD, firstName: "A", lastName: "B" }, ip })).status).toBe(201);
  }, WINDOW_TEST_TIMEOUT);
});
