import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { refreshFamilies, users } from "@shared/db/schema";
import { api, errorPaths, expectProblem, login, refresh, register } from "../support/http";

const changePassword = (token: string, currentPassword: string, newPassword: string) =>
  api("/api/users/me/password", { token, json: { currentPassword, newPassword } });

describe("POST /api/users/me/password", () => {
  it("204; the new password signs in and the old one does not", async () => {
    const account = await register();
    const res = await changePassword(account.accessToken, account.password, "my brand new password");
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe("");
    expect((await login(account.email, "my brand new password")).status).toBe(200);
    expectProblem(await login(account.email, account.password), 401, "UNAUTHORIZED");
  });

  it("revokes every refresh family of the account afterwards, this login's included", async () => {
    const account = await register();
    const second = await login(account.email, account.password);
    const third = await login(account.email, account.password);
    const rotated = await refresh(third.body.refreshToken);
    expect(rotated.status).toBe(200);

    expect((await changePassword(second.body.accessToken, account.password, "changed password 1")).status).toBe(204);

    for (const token of [account.refreshToken, second.body.refreshToken, rotated.body.refreshToken]) {
      expectProblem(await refresh(token), 401, "UNAUTHORIZED");
    }
    const families = await createDb(env.DB).select().from(refreshFamilies).where(eq(refreshFamilies.userId, account.user.id));
    expect(families).toHaveLength(3);
    for (const family of families) {
      expect(family.revokedAt).toBeInstanceOf(Date);
      expect(family.revokedReason).toBe("PASSWORD_CHANGED");
    }
    // A login made afterwards works.
    const fresh = await login(account.email, "changed password 1");
    expect((await refresh(fresh.body.refreshToken)).status).toBe(200);
  });

  it("a wrong current password: 400 naming body.currentPassword; nothing changes", async () => {
    const account = await register();
    const res = await changePassword(account.accessToken, "not my password", "attacker's password");
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.currentPassword"]);
    expect((await login(account.email, account.password)).status).toBe(200);
    expect((await refresh(account.refreshToken)).status).toBe(200);
  });

  it("the new password obeys the length rules: 9 and 257 characters refused, 10 and 256 accepted", async () => {
    const account = await register();
    for (const newPassword of ["n".repeat(9), "n".repeat(257)]) {
      const res = await changePassword(account.accessToken, account.password, newPassword);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual(["body.newPassword"]);
    }
    expect((await changePassword(account.accessToken, account.password, "n".repeat(10))).status).toBe(204);
    expect((await changePassword(account.accessToken, "n".repeat(10), "m".repeat(256))).status).toBe(204);
    expect((await login(account.email, "m".repeat(256))).status).toBe(200);
  });

  it("missing fields and unknown fields: 400", async () => {
    const account = await register();
    const missing = await api("/api/users/me/password", { token: account.accessToken, json: {} });
    expectProblem(missing, 400, "VALIDATION_FAILED");
    expect(errorPaths(missing).sort()).toEqual(["body.currentPassword", "body.newPassword"]);
    const extra = await api("/api/users/me/password", {
      token: account.accessToken,
      json: { currentPassword: account.password, newPassword: "long enough pw", userId: "someone" },
    });
    expectProblem(extra, 400, "VALIDATION_FAILED");
  });

  it("401 without a token", async () => {
    const res = await api("/api/users/me/password", { json: { currentPassword: "x", newPassword: "0123456789" } });
    expectProblem(res, 401, "UNAUTHORIZED");
  });

  it("an account without a password (Google sign-in) is told to use a reset instead", async () => {
    const account = await register();
    await createDb(env.DB).update(users).set({ passwordHash: null }).where(eq(users.id, account.user.id));
    const res = await changePassword(account.accessToken, "anything at all", "a new password here");
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.detail).toContain("password reset");
    expect(errorPaths(res)).toEqual(["body.currentPassword"]);
  });
});
