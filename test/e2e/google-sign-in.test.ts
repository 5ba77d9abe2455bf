import { describe, expect, inject, it } from "vitest";
import { api, cookiesFrom, expectProblem, login, register, tokenFromLink, waitForMail, type ApiResponse, type Session } from "../support/node/api";
import { createGoogleSession, googleIdentity, type Consent, type GoogleIdentity } from "../support/node/fake-google";

const STATE_COOKIE = "lightbox_oauth_state";

/** Step 1: the Worker sends the browser to Google with state (also in a cookie) and a PKCE challenge. */
async function startSignIn() {
  const res = await api("/api/auth/google");
  expect(res.status, res.text).toBe(302);
  const location = new URL(res.headers.get("location")!);
  const cookie = cookiesFrom(res.headers)[STATE_COOKIE];
  expect(cookie, "state cookie").toBeDefined();
  expect(cookie!.attributes).toMatch(/HttpOnly/i);
  expect(cookie!.attributes).toMatch(/Path=\/api\/auth\/google/i);
  expect(cookie!.attributes).toMatch(/SameSite=Lax/i);
  return { location, state: cookie!.value };
}

/** Step 2: the browser, signed in at Google as `identity`, consents; Google redirects to the callback. */
async function atGoogle(location: URL, identity: GoogleIdentity, consent: Consent = "allow"): Promise<URL> {
  const session = await createGoogleSession(inject("fakeGoogleUrl"), identity, consent);
  const res = await fetch(location, { redirect: "manual", headers: { cookie: session } });
  const body = await res.text();
  expect(res.status, body).toBe(302);
  return new URL(res.headers.get("location")!);
}

/** Step 3: the Worker's callback, with whatever state cookie the browser holds. */
function callback(url: URL, stateCookie: string | null) {
  return api(url.toString(), { headers: stateCookie === null ? {} : { cookie: `${STATE_COOKIE}=${stateCookie}` } });
}

/** The login code from the callback's redirect to the dashboard. */
function loginCodeOf(res: ApiResponse): string {
  expect(res.status, res.text).toBe(302);
  const target = new URL(res.headers.get("location")!);
  expect(`${target.origin}${target.pathname}`).toBe(`${inject("appUrl")}/auth/google/complete`);
  const code = target.searchParams.get("code");
  expect(code).toBeTruthy();
  return code!;
}

const exchange = (code: string) => api<Session>("/api/auth/google/exchange", { json: { code } });

/** The whole flow as a browser and the dashboard run it. */
async function signInWithGoogle(identity: GoogleIdentity) {
  const { location, state } = await startSignIn();
  const back = await atGoogle(location, identity);
  const code = loginCodeOf(await callback(back, state));
  const session = await exchange(code);
  expect(session.status, session.text).toBe(200);
  return { session: session.body, code };
}

describe("Google sign-in against the fake Google", () => {
  it("sends the browser to Google with client_id, redirect_uri, state and an S256 challenge", async () => {
    const { location, state } = await startSignIn();
    expect(`${location.origin}${location.pathname}`).toBe(`${inject("fakeGoogleUrl")}/o/oauth2/v2/auth`);
    const q = location.searchParams;
    expect(q.get("client_id")).toBe(inject("googleClientId"));
    expect(q.get("redirect_uri")).toBe(`${inject("workerUrl")}/api/auth/google/callback`);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("scope")?.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
    expect(q.get("state")).toBe(state);
    expect(q.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(q.get("code_challenge_method")).toBe("S256");
  });

  it("creates an account on first sign-in, then finds it again; a login code works once", async () => {
    const identity = googleIdentity({ given_name: "Grace", family_name: "Hopper" });
    const { session, code } = await signInWithGoogle(identity);
    expect(session.user).toMatchObject({
      email: identity.email,
      firstName: "Grace",
      lastName: "Hopper",
      emailVerified: true,
      hasPassword: false,
      googleLinked: true,
    });
    expect((await api("/api/users/me", { token: session.accessToken })).body).toMatchObject({ id: session.user.id });
    expect((await api("/api/auth/refresh", { json: { refreshToken: session.refreshToken } })).status).toBe(200);

    const second = expectProblem(await exchange(code), 400, "VALIDATION_FAILED");
    expect(second.errors?.map((e) => e.path)).toContain("body.code");

    // Same Google account, new flow (its address changed at Google meanwhile): the same user, by subject.
    const again = await signInWithGoogle({ ...identity, email: identity.email.replace("grace", "amazing.grace") });
    expect(again.session.user.id).toBe(session.user.id);
  });

  it("refuses a callback whose state does not come back in the browser's cookie", async () => {
    const { location, state } = await startSignIn();
    const back = await atGoogle(location, googleIdentity());
    expectProblem(await callback(back, null), 400, "VALIDATION_FAILED");
    expectProblem(await callback(back, `${state.slice(0, -2)}xx`), 400, "VALIDATION_FAILED");
    // Another browser's state: valid for its own flow, not for this one.
    const other = await startSignIn();
    expectProblem(await callback(back, other.state), 400, "VALIDATION_FAILED");

    // The refusals spent nothing: the right browser completes, and the state then works only once.
    const code = loginCodeOf(await callback(back, state));
    expect((await exchange(code)).status).toBe(200);
    expectProblem(await callback(back, state), 400, "VALIDATION_FAILED");
  });

  it("links a Google account to the password account with the same verified address", async () => {
    const account = await register({ firstName: "Katherine", lastName: "Johnson" });
    // Prove the address first, through the verification email.
    const mail = await waitForMail(account.email, (m) => m.subject.startsWith("Confirm your email"));
    const token = tokenFromLink(mail.text ?? "", `${inject("appUrl")}/verify-email?token=`);
    expect((await api("/api/auth/email/verify", { json: { token } })).status).toBe(204);

    const { session } = await signInWithGoogle(googleIdentity({ email: account.email.toUpperCase(), given_name: "Kathy", family_name: "J" }));
    expect(session.user).toMatchObject({ id: account.user.id, email: account.email, firstName: "Katherine", googleLinked: true, hasPassword: true, emailVerified: true });
    // The password still signs in to the same account.
    const byPassword = await login(account.email, account.password);
    expect(byPassword.status).toBe(200);
    expect(byPassword.body.user).toMatchObject({ id: account.user.id, googleLinked: true });
  });

  it("two first sign-ins of the same new person at once end in one account", async () => {
    const identity = googleIdentity();
    const [a, b] = await Promise.all([signInWithGoogle(identity), signInWithGoogle(identity)]);
    expect(a.session.user.id).toBe(b.session.user.id);
    expect(a.session.user).toMatchObject({ email: identity.email.toLowerCase(), googleLinked: true });
  });

  it("takes an unverified password account over for its Google owner, ending the password and its logins", async () => {
    // Someone registered the address first and never proved it: they may not be its owner.
    const squatter = await register({ firstName: "Not", lastName: "Owner" });
    const { session } = await signInWithGoogle(googleIdentity({ email: squatter.email, given_name: "Real", family_name: "Owner" }));
    expect(session.user).toMatchObject({ id: squatter.user.id, googleLinked: true, hasPassword: false, emailVerified: true });
    expect((await login(squatter.email, squatter.password)).status).toBe(401);
    expect((await api("/api/auth/refresh", { json: { refreshToken: squatter.refreshToken } })).status).toBe(401);
  });

  it("refuses an address Google has not verified (403) and reports a refusal at Google to the dashboard", async () => {
    const { location, state } = await startSignIn();
    const back = await atGoogle(location, googleIdentity({ email_verified: false }));
    expectProblem(await callback(back, state), 403, "FORBIDDEN");

    const denied = await startSignIn();
    const deniedBack = await atGoogle(denied.location, googleIdentity(), "deny");
    expect(deniedBack.searchParams.get("error")).toBe("access_denied");
    const res = await callback(deniedBack, denied.state);
    expect(res.status).toBe(302);
    const target = new URL(res.headers.get("location")!);
    expect(`${target.origin}${target.pathname}`).toBe(`${inject("appUrl")}/auth/google/complete`);
    expect(target.searchParams.get("error")).toBe("access_denied");
    expect(target.searchParams.has("code")).toBe(false);
  });
});
