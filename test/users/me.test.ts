import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { users } from "@shared/db/schema";
import { api, errorPaths, expectProblem, register } from "../support/http";

const patchMe = (token: string, json: unknown) => api("/api/users/me", { method: "PATCH", token, json });

describe("GET /api/users/me", () => {
  it("200 with the user: the documented fields, never a hash", async () => {
    const account = await register({ firstName: "Grace", lastName: "Hopper" });
    const res = await api("/api/users/me", { token: account.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({
      id: account.user.id,
      email: account.email,
      firstName: "Grace",
      lastName: "Hopper",
      emailVerified: false,
      plan: "FREE",
      createdAt: account.user.createdAt,
      hasPassword: true,
      googleLinked: false,
    });
    expect(res.body).toEqual(account.user);
    expect(res.text).not.toMatch(/pbkdf2|passwordHash|password_hash|googleSub/i);
  });

  it("401 without a token", async () => {
    expectProblem(await api("/api/users/me"), 401, "UNAUTHORIZED");
  });
});

describe("PATCH /api/users/me", () => {
  it("200 with the updated user: profile and company fields, trimmed and normalised", async () => {
    const account = await register();
    const res = await patchMe(account.accessToken, {
      firstName: "  Ada ",
      phone: "+33 1 23 45 67 89",
      companyName: "Analytical Studio",
      companyAddress: { line1: "1 rue de la Paix", postalCode: "75002", city: "Paris", country: "fr" },
      vatNumber: "FR12345678901",
      timezone: "Europe/Paris",
      locale: "fr-FR",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id: account.user.id,
      email: account.email,
      firstName: "Ada",
      lastName: account.user.lastName,
      phone: "+33 1 23 45 67 89",
      companyName: "Analytical Studio",
      companyAddress: { line1: "1 rue de la Paix", line2: null, postalCode: "75002", city: "Paris", region: null, country: "FR" },
      vatNumber: "FR12345678901",
      timezone: "Europe/Paris",
      locale: "fr-FR",
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(account.user.updatedAt as string));
    // And it stays.
    expect((await api("/api/users/me", { token: account.accessToken })).body).toEqual(res.body);
  });

  it("fields can be cleared with null", async () => {
    const account = await register();
    await patchMe(account.accessToken, { phone: "123", companyName: "X" });
    const res = await patchMe(account.accessToken, { phone: null, companyName: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phone: null, companyName: null });
  });

  it.each([
    ["role", { role: "ADMIN" }],
    ["plan", { plan: "PRO" }],
    ["email", { email: "takeover@studio.example" }],
    ["emailVerified", { emailVerified: true }],
    ["passwordHash", { passwordHash: "pbkdf2-sha256$1$a$b" }],
    ["id", { id: "someone-else" }],
  ])("an unknown or protected field (%s) is refused: 400, nothing changes", async (field, body) => {
    const account = await register();
    const res = await patchMe(account.accessToken, { firstName: "Changed", ...body });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors).toEqual([{ path: `body.${field}`, message: "is not an allowed field" }]);
    const [row] = await createDb(env.DB).select().from(users).where(eq(users.id, account.user.id));
    expect(row).toMatchObject({ role: "USER", plan: "FREE", email: account.email, firstName: "Ada", emailVerifiedAt: null });
  });

  it("an unknown key inside companyAddress is refused too", async () => {
    const account = await register();
    const res = await patchMe(account.accessToken, { companyAddress: { city: "Paris", planet: "Earth" } });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.companyAddress.planet"]);
  });

  it("wrong types and invalid values name their field paths", async () => {
    const account = await register();
    const res = await patchMe(account.accessToken, {
      firstName: 42,
      lastName: "",
      timezone: "Mars/Olympus_Mons",
      locale: "not a locale!",
      companyAddress: { country: "France" },
    });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res).sort()).toEqual(["body.companyAddress.country", "body.firstName", "body.lastName", "body.locale", "body.timezone"]);
  });

  it("an empty object is refused (400)", async () => {
    const account = await register();
    expectProblem(await patchMe(account.accessToken, {}), 400, "VALIDATION_FAILED");
  });
});

describe("another tenant's data", () => {
  it("user B's token only ever reads and updates user B", async () => {
    const [a, b] = await Promise.all([register({ firstName: "Alice" }), register({ firstName: "Bob" })]);
    const readB = await api("/api/users/me", { token: b.accessToken });
    expect(readB.body).toMatchObject({ id: b.user.id, email: b.email, firstName: "Bob" });
    expect(readB.text).not.toContain(a.user.id);
    expect(readB.text).not.toContain(a.email);

    const patched = await patchMe(b.accessToken, { firstName: "Robert", companyName: "B Studio" });
    expect(patched.body).toMatchObject({ id: b.user.id, firstName: "Robert", companyName: "B Studio" });

    const readA = await api("/api/users/me", { token: a.accessToken });
    expect(readA.body).toMatchObject({ id: a.user.id, firstName: "Alice", companyName: null });
    expect(readA.body.updatedAt).toBe(a.user.updatedAt);

    // There is no route that takes a user id: /api/users/:id does not exist for anyone.
    for (const path of [`/api/users/${a.user.id}`, `/api/users/${b.user.id}`]) {
      expectProblem(await api(path, { token: b.accessToken }), 404, "NOT_FOUND");
      expectProblem(await api(path, { method: "PATCH", token: b.accessToken, json: { firstName: "X" } }), 404, "NOT_FOUND");
    }
  });

  it("B changing its password leaves A's password and logins alone", async () => {
    const [a, b] = await Promise.all([register(), register()]);
    const res = await api("/api/users/me/password", {
      token: b.accessToken,
      json: { currentPassword: b.password, newPassword: "b's new password" },
    });
    expect(res.status).toBe(204);
    expect((await api("/api/auth/refresh", { json: { refreshToken: a.refreshToken } })).status).toBe(200);
    expect((await api("/api/auth/login", { json: { email: a.email, password: a.password } })).status).toBe(200);
  });
});
