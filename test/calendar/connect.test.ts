import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { unsealSecret } from "@shared/lib/crypto";
import worker from "../../workers/index";
import { api, expectProblem, register } from "../support/http";
import { atGoogle, callback, codeOf, complete, config, connectedHost, connectionOf, db, googleCookie, googleIdentity, startConnect } from "./helpers";

const SCOPE = "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy openid email";

/** Every text value stored anywhere in D1 (the application's tables), for "this secret is nowhere" checks. */
async function everythingStored(): Promise<string> {
  const tables = await db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`);
  const dumps = await Promise.all(tables.map(({ name }) => db.all(sql.raw(`SELECT * FROM "${name}"`))));
  return JSON.stringify(dumps);
}

describe("connecting Google Calendar", () => {
  it("sends the browser to Google for offline calendar access with PKCE and a state", async () => {
    const account = await register();
    const url = await startConnect(account);
    expect(`${url.origin}${url.pathname}`).toBe(config.google.authUrl);
    const q = url.searchParams;
    expect(q.get("client_id")).toBe(config.google.clientId);
    expect(q.get("redirect_uri")).toBe("http://lightbox.test/api/calendar/google/callback");
    expect(q.get("response_type")).toBe("code");
    expect(q.get("scope")).toBe(SCOPE);
    expect(q.get("access_type")).toBe("offline");
    expect(q.get("prompt")).toBe("consent");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("keeps the grant sealed until the dashboard of the user who started redeems the code, and the state works once", async () => {
    const account = await register();
    const identity = googleIdentity();
    const back = await atGoogle((await startConnect(account)).toString(), await googleCookie(identity));
    const code = codeOf(await callback(back));
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Received, not yet usable: nothing of it is stored in the clear meanwhile either.
    const pending = await api("/api/calendar/google", { token: account.accessToken });
    expect(pending.body).toEqual({ connected: false, status: "PENDING", accountEmail: null, lastError: null, calendarId: "primary" });
    const whilePending = await everythingStored();
    expect(whilePending).not.toContain(await unsealSecret(config.tokenSealingKey!, (await connectionOf(account.user.id))!.refreshTokenSealed));
    expect(whilePending).not.toContain(code);

    const done = await complete(account, code);
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ connected: true, status: "ACTIVE", accountEmail: identity.email, lastError: null, calendarId: "primary" });
    const status = await api("/api/calendar/google", { token: account.accessToken });
    expect(status.status).toBe(200);
    expect(status.body).toEqual(done.body);

    const row = (await connectionOf(account.user.id))!;
    expect(row.refreshTokenSealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(row.accessTokenSealed).toMatch(/^v1\./);
    const refreshToken = await unsealSecret(config.tokenSealingKey!, row.refreshTokenSealed);
    const accessToken = await unsealSecret(config.tokenSealingKey!, row.accessTokenSealed!);
    expect(refreshToken).toMatch(/^1\/\/0g/);
    expect(accessToken).toMatch(/^ya29\./);
    const stored = await everythingStored();
    expect(stored).not.toContain(refreshToken);
    expect(stored).not.toContain(accessToken);

    // The state was spent: the same redirect again is refused.
    expect((await callback(back)).searchParams.get("error")).toBe("invalid_state");
  });

  it("reports a refusal at Google and keeps nothing", async () => {
    const account = await register();
    const back = await atGoogle((await startConnect(account)).toString(), await googleCookie(googleIdentity(), "deny"));
    expect(back.searchParams.get("error")).toBe("access_denied");
    const done = await callback(back);
    expect(done.toString()).toBe(`${config.appUrl}/settings/calendar?error=access_denied`);
    expect(await connectionOf(account.user.id)).toBeUndefined();
  });

  it("refuses a callback without a state, and states that are unknown or made for sign-in", async () => {
    expectProblem(await api("/api/calendar/google/callback?code=abc"), 400, "VALIDATION_FAILED");
    const unknown = await callback("/api/calendar/google/callback?code=abc&state=never-issued");
    expect(unknown.searchParams.get("error")).toBe("invalid_state");

    // A sign-in state cannot connect a calendar...
    const signIn = await api("/api/auth/google");
    expect(signIn.status).toBe(302);
    const signInState = new URL(signIn.headers.get("location")!).searchParams.get("state")!;
    const crossed = await callback(`/api/calendar/google/callback?code=abc&state=${signInState}`);
    expect(crossed.searchParams.get("error")).toBe("invalid_state");
    // ...and a calendar state cannot sign anybody in.
    const calendarState = (await startConnect(await register())).searchParams.get("state")!;
    const res = await api(`/api/auth/google/callback?code=abc&state=${calendarState}`, { headers: { cookie: `lightbox_oauth_state=${calendarState}` } });
    expectProblem(res, 400, "VALIDATION_FAILED");
  });

  it("disconnects: the grant is forgotten here and revoked at Google", async () => {
    const { account } = await connectedHost();
    const refreshToken = await unsealSecret(config.tokenSealingKey!, (await connectionOf(account.user.id))!.refreshTokenSealed);

    const res = await api("/api/calendar/google", { method: "DELETE", token: account.accessToken });
    expect(res.status, res.text).toBe(204);
    expect(await connectionOf(account.user.id)).toBeUndefined();
    const status = await api("/api/calendar/google", { token: account.accessToken });
    expect(status.body).toEqual({ connected: false, status: null, accountEmail: null, lastError: null, calendarId: null });

    const refreshed = await fetch(config.google.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: config.google.clientId!, client_secret: config.google.clientSecret! }),
    });
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: "invalid_grant" });

    expectProblem(await api("/api/calendar/google", { method: "DELETE", token: account.accessToken }), 404, "NOT_FOUND");
  });

  it("gives another user only their own connection", async () => {
    const { account: host } = await connectedHost();
    const other = await register();
    const status = await api("/api/calendar/google", { token: other.accessToken });
    expect(status.body).toMatchObject({ connected: false, status: null });
    expectProblem(await api("/api/calendar/google", { method: "DELETE", token: other.accessToken }), 404, "NOT_FOUND");
    // The other user's own connect flow connects their own account only.
    const identity = googleIdentity();
    await connectedHost(other, identity);
    expect((await api("/api/calendar/google", { token: other.accessToken })).body.accountEmail).toBe(identity.email);
    expect((await connectionOf(host.user.id))!.accountEmail).not.toBe(identity.email);
    const routes = [["GET", "/api/calendar/google"], ["DELETE", "/api/calendar/google"], ["POST", "/api/calendar/google/connect"], ["POST", "/api/calendar/google/complete"]] as const;
    for (const [method, path] of routes) {
      expectProblem(await api(path, { method }), 401, "UNAUTHORIZED");
    }
  });

  it("answers 503 when the server has no sealing key", async () => {
    const account = await register();
    const unsealed = { ...env, TOKEN_SEALING_KEY: undefined };
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://lightbox.test/api/calendar/google/connect", { method: "POST", headers: { authorization: `Bearer ${account.accessToken}` } }),
      unsealed,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });
});
