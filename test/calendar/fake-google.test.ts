// The fake is only worth what its fidelity is: these pin the parts of Google's offline access, token revocation
// and Calendar API wire format the Worker's client relies on, called as the Worker calls them.
import { describe, expect, it } from "vitest";
import { toBase64Url } from "@shared/lib/crypto";
import { config, googleCookie, googleIdentity, type Identity } from "./helpers";

const REDIRECT = "http://lightbox.test/api/calendar/google/callback";
const CALENDAR = config.google.calendarApiUrl;
const form = (params: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(params),
});

/** The authorization code flow run by hand: answers the token endpoint's JSON. */
async function grant(identity: Identity, scope: string, accessType?: "offline") {
  const verifier = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = toBase64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const url = new URL(config.google.authUrl);
  url.search = new URLSearchParams({
    client_id: config.google.clientId!,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope,
    state: "s",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...(accessType ? { access_type: accessType } : {}),
  }).toString();
  const authorized = await fetch(url, { redirect: "manual", headers: { cookie: await googleCookie(identity) } });
  await authorized.arrayBuffer();
  const code = new URL(authorized.headers.get("location")!).searchParams.get("code")!;
  const res = await fetch(
    config.google.tokenUrl,
    form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: config.google.clientId!, client_secret: config.google.clientSecret!, code_verifier: verifier }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token?: string; scope: string };
}

const calendarScopes = "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy openid email";

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${CALENDAR}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const googleError = (code: number, reason: string) => ({ error: expect.objectContaining({ code, message: expect.any(String), errors: [expect.objectContaining({ domain: "global", reason })] }) });

describe("fake Google: offline access", () => {
  it("issues a refresh token for offline access only, refreshes with it, and revokes the grant", async () => {
    const identity = googleIdentity();
    expect((await grant(identity, calendarScopes)).refresh_token).toBeUndefined();
    const offline = await grant(identity, calendarScopes, "offline");
    expect(offline.refresh_token).toMatch(/^1\/\//);
    expect(offline.scope.split(" ")).toEqual(expect.arrayContaining(["https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.freebusy"]));

    const refreshBody = { grant_type: "refresh_token", refresh_token: offline.refresh_token!, client_id: config.google.clientId!, client_secret: config.google.clientSecret! };
    const refreshed = await fetch(config.google.tokenUrl, form(refreshBody));
    expect(refreshed.status).toBe(200);
    const fresh = (await refreshed.json()) as Record<string, unknown>;
    expect(fresh).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: "Bearer" });
    expect(fresh.refresh_token).toBeUndefined();

    const revoked = await fetch(config.google.revokeUrl, form({ token: offline.refresh_token! }));
    expect(revoked.status).toBe(200);
    await revoked.arrayBuffer();
    const after = await fetch(config.google.tokenUrl, form(refreshBody));
    expect(after.status).toBe(400);
    expect(await after.json()).toEqual({ error: "invalid_grant", error_description: "Token has been expired or revoked." });
    // Access tokens of the grant died with it.
    expect((await call(String(fresh.access_token), "GET", "/calendars/primary/events")).status).toBe(401);
    const again = await fetch(config.google.revokeUrl, form({ token: offline.refresh_token! }));
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_token" });
  });
});

describe("fake Google: Calendar API", () => {
  it("answers authentication and scope failures as Google does", async () => {
    const anonymous = await call(null, "GET", "/calendars/primary/events");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual(googleError(401, "authError"));
    expect(anonymous.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    const signInOnly = await grant(googleIdentity(), "openid email profile");
    const refused = await call(signInOnly.access_token, "POST", "/freeBusy", { timeMin: "2031-01-01T00:00:00Z", timeMax: "2031-01-02T00:00:00Z", items: [{ id: "primary" }] });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(googleError(403, "insufficientPermissions"));
  });

  it("validates event ids and times, refuses a taken id, and keeps deleted events as cancelled", async () => {
    const { access_token: token } = await grant(googleIdentity(), calendarScopes);
    const event = { start: { dateTime: "2031-02-03T10:00:00Z" }, end: { dateTime: "2031-02-03T11:00:00Z" }, summary: "Shoot" };
    expect((await call(token, "POST", "/calendars/primary/events", { ...event, id: "Not_Base32hex" })).body).toEqual(googleError(400, "invalid"));
    expect((await call(token, "POST", "/calendars/primary/events", { ...event, id: "abcw1" })).body).toEqual(googleError(400, "invalid"));
    const backwards = await call(token, "POST", "/calendars/primary/events", { ...event, end: { dateTime: "2031-02-03T09:00:00Z" } });
    expect(backwards.body).toEqual(googleError(400, "timeRangeEmpty"));

    const created = await call(token, "POST", "/calendars/primary/events", { ...event, id: "meeting0001" });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ kind: "calendar#event", id: "meeting0001", status: "confirmed", iCalUID: "meeting0001@google.com", sequence: 0 });
    // conferenceData is ignored without conferenceDataVersion=1.
    expect(created.body.conferenceData).toBeUndefined();
    const taken = await call(token, "POST", "/calendars/primary/events", { ...event, id: "meeting0001" });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual(googleError(409, "duplicate"));

    const patched = await call(token, "PATCH", "/calendars/primary/events/meeting0001", { start: { dateTime: "2031-02-03T12:00:00Z" }, end: { dateTime: "2031-02-03T13:00:00Z" } });
    expect(patched.body).toMatchObject({ summary: "Shoot", start: { dateTime: "2031-02-03T12:00:00Z" }, sequence: 1 });
    expect((await call(token, "PATCH", "/calendars/primary/events/nosuchevent", { summary: "x" })).body).toEqual(googleError(404, "notFound"));
    expect((await call(token, "DELETE", "/calendars/primary/events/meeting0001")).status).toBe(204);
    const gone = await call(token, "DELETE", "/calendars/primary/events/meeting0001");
    expect(gone.status).toBe(410);
    expect(gone.body).toEqual(googleError(410, "deleted"));
    expect((await call(token, "GET", "/calendars/primary/events/meeting0001")).body).toMatchObject({ status: "cancelled" });
    expect((await call(token, "POST", "/calendars/primary/events", { ...event, id: "meeting0001" })).status).toBe(409);
    expect((await call(token, "GET", "/calendars/someone-else%40gmail.example/events")).body).toEqual(googleError(404, "notFound"));
  });

  it("merges busy times within the range and reports calendars it cannot read", async () => {
    const { access_token: token } = await grant(googleIdentity(), calendarScopes);
    for (const [start, end] of [["09:00", "10:00"], ["09:30", "11:00"], ["15:00", "16:00"]]) {
      await call(token, "POST", "/calendars/primary/events", { start: { dateTime: `2031-02-05T${start}:00Z` }, end: { dateTime: `2031-02-05T${end}:00Z` } });
    }
    const res = await call(token, "POST", "/freeBusy", { timeMin: "2031-02-05T09:15:00Z", timeMax: "2031-02-05T15:30:00Z", items: [{ id: "primary" }, { id: "other@group.calendar.google.com" }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: "calendar#freeBusy",
      timeMin: "2031-02-05T09:15:00Z",
      timeMax: "2031-02-05T15:30:00Z",
      calendars: {
        primary: { busy: [{ start: "2031-02-05T09:15:00Z", end: "2031-02-05T11:00:00Z" }, { start: "2031-02-05T15:00:00Z", end: "2031-02-05T15:30:00Z" }] },
        "other@group.calendar.google.com": { errors: [{ domain: "global", reason: "notFound" }], busy: [] },
      },
    });
    const empty = await call(token, "POST", "/freeBusy", { timeMin: "2031-02-05T10:00:00Z", timeMax: "2031-02-05T10:00:00Z", items: [] });
    expect(empty.body).toEqual(googleError(400, "timeRangeEmpty"));
  });
});
