import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { refreshFamilies, refreshTokens } from "@shared/db/schema";
import { api, expectProblem, login, refresh, register } from "../support/http";

const familiesOf = (userId: string) => createDb(env.DB).select().from(refreshFamilies).where(eq(refreshFamilies.userId, userId));

describe("POST /api/auth/refresh", () => {
  it("200 with a new pair; the new refresh token differs and the access token keeps the login (sid)", async () => {
    const account = await register();
    const res = await refresh(account.refreshToken);
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["accessToken", "expiresIn", "refreshToken"]);
    expect(res.body.refreshToken).not.toBe(account.refreshToken);
    expect(res.body.accessToken).not.toBe(account.accessToken);
    expect(res.body.expiresIn).toBe(900);
    expect(decodeJwt(res.body.accessToken).sid).toBe(decodeJwt(account.accessToken).sid);
    expect(decodeJwt(res.body.accessToken).sub).toBe(account.user.id);

    const me = await api("/api/users/me", { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(account.user.id);

    // And the chain goes on.
    const next = await refresh(res.body.refreshToken);
    expect(next.status).toBe(200);
  });

  it("stores the successor in the same family: 30 days of life, unused; the spent one points at it", async () => {
    const account = await register();
    const before = Date.now();
    expect((await refresh(account.refreshToken)).status).toBe(200);
    const rows = await createDb(env.DB).select().from(refreshTokens).where(eq(refreshTokens.userId, account.user.id));
    expect(rows).toHaveLength(2);
    const spent = rows.find((r) => r.usedAt !== null)!;
    const successor = rows.find((r) => r.usedAt === null)!;
    expect(spent.replacedBy).toBe(successor.id);
    expect(successor).toMatchObject({ familyId: spent.familyId, userId: account.user.id, replacedBy: null });
    expect(successor.expiresAt.getTime() - before).toBeGreaterThan(29.9 * 24 * 3600_000);
    expect(successor.expiresAt.getTime() - before).toBeLessThanOrEqual(30 * 24 * 3600_000 + 60_000);
    const [family] = await familiesOf(account.user.id);
    expect(family!.lastUsedAt!.getTime()).toBe(spent.usedAt!.getTime());
  });

  it("an unknown refresh token: 401", async () => {
    expectProblem(await refresh("not-a-real-refresh-token"), 401, "UNAUTHORIZED");
  });

  it("an access token is not a refresh token: 401", async () => {
    const account = await register();
    expectProblem(await refresh(account.accessToken), 401, "UNAUTHORIZED");
  });

  it("reuse: the spent token answers 401 and the whole family is revoked, its newest token included", async () => {
    const account = await register();
    const rotated = await refresh(account.refreshToken);
    expect(rotated.status).toBe(200);

    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    // The thief (or the owner) holding the successor is logged out too.
    expectProblem(await refresh(rotated.body.refreshToken), 401, "UNAUTHORIZED");

    const [family] = await familiesOf(account.user.id);
    expect(family!.revokedAt).toBeInstanceOf(Date);
    expect(family!.revokedReason).toBe("REFRESH_TOKEN_REUSE");
  });

  it("reuse revokes only that login: another login of the same user keeps working", async () => {
    const account = await register();
    const other = await login(account.email, account.password);
    expect(other.status).toBe(200);
    await refresh(account.refreshToken);
    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });

  it("two concurrent refreshes of one token: exactly one 200", async () => {
    const account = await register();
    const results = await Promise.all([refresh(account.refreshToken), refresh(account.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    for (const res of results.filter((r) => r.status === 401)) expectProblem(res, 401, "UNAUTHORIZED");
  });

  it("five concurrent refreshes of one token: exactly one 200", async () => {
    const account = await register();
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(account.refreshToken)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it("an expired refresh token: 401", async () => {
    const account = await register();
    await env.DB.prepare("UPDATE refresh_tokens SET expires_at = ? WHERE user_id = ?").bind(Date.now() - 1000, account.user.id).run();
    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
  });
});

describe("POST /api/auth/logout", () => {
  it("204 with no body; the refresh token then answers 401", async () => {
    const account = await register();
    const res = await api("/api/auth/logout", { json: { refreshToken: account.refreshToken } });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    const [family] = await familiesOf(account.user.id);
    expect(family!.revokedReason).toBe("LOGOUT");
  });

  it("logging out with an already-rotated token still ends the login (its successor fails)", async () => {
    const account = await register();
    const rotated = await refresh(account.refreshToken);
    expect((await api("/api/auth/logout", { json: { refreshToken: account.refreshToken } })).status).toBe(204);
    expectProblem(await refresh(rotated.body.refreshToken), 401, "UNAUTHORIZED");
  });

  it("ends only that login", async () => {
    const account = await register();
    const other = await login(account.email, account.password);
    expect((await api("/api/auth/logout", { json: { refreshToken: account.refreshToken } })).status).toBe(204);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });

  it("an unknown token: 204 as well (nothing to reveal)", async () => {
    const res = await api("/api/auth/logout", { json: { refreshToken: "unknown-token" } });
    expect(res.status).toBe(204);
  });
});
