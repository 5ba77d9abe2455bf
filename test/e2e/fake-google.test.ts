// The fake is only worth what its fidelity is: these pin the parts of Google's OAuth 2.0 wire format the
// Worker's client relies on, so a test passing against the fake means something.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleIdentity, startFakeGoogle, type FakeGoogle } from "../support/node/fake-google";

const REDIRECT = "http://127.0.0.1:9/api/auth/google/callback";
let google: FakeGoogle;
beforeAll(async () => {
  google = await startFakeGoogle({ clientId: "fidelity.apps.googleusercontent.com", clientSecret: "s3cret", redirectUris: [REDIRECT] });
});
afterAll(() => google.close());

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function authorize(params: Record<string, string>, cookie?: string) {
  const url = new URL(google.authUrl);
  url.search = new URLSearchParams(params).toString();
  const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  await res.arrayBuffer();
  return res;
}

const tokenRequest = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(google.tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form) });

async function codeFor(challenge: string, identity = googleIdentity()) {
  const { cookie } = google.signIn(identity);
  const res = await authorize(
    { client_id: google.clientId, redirect_uri: REDIRECT, response_type: "code", scope: "openid email profile", state: "st4te", code_challenge: challenge, code_challenge_method: "S256" },
    cookie,
  );
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get("location")!);
  expect(back.searchParams.get("state")).toBe("st4te");
  return back.searchParams.get("code")!;
}

describe("fake Google", () => {
  it("exchanges a code once, with the PKCE verifier and the client secret, and serves userinfo", async () => {
    const { verifier, challenge } = pkce();
    const identity = googleIdentity();
    const code = await codeFor(challenge, identity);
    const base = { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: google.clientId };

    const ok = await tokenRequest({ ...base, client_secret: "s3cret", code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    const token = (await ok.json()) as Record<string, unknown>;
    expect(token).toMatchObject({ access_token: expect.any(String), expires_in: 3599, id_token: expect.any(String), token_type: "Bearer" });
    const claims = JSON.parse(Buffer.from(String(token.id_token).split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ aud: google.clientId, sub: identity.sub, email: identity.email });

    const info = await fetch(google.userinfoUrl, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(await info.json()).toEqual({
      sub: identity.sub,
      email: identity.email,
      email_verified: true,
      name: identity.name,
      given_name: identity.given_name,
      family_name: identity.family_name,
      picture: identity.picture,
    });

    const replay = await tokenRequest({ ...base, client_secret: "s3cret", code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    // The replay revoked what the code had been exchanged for.
    const revoked = await fetch(google.userinfoUrl, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    await revoked.arrayBuffer();
  });

  it("refuses a wrong verifier, a wrong secret and a foreign redirect_uri the way Google does", async () => {
    const { challenge } = pkce();
    const code = await codeFor(challenge);
    const badSecret = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: google.clientId, client_secret: "nope", code_verifier: pkce().verifier });
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toMatchObject({ error: "invalid_client" });
    const badVerifier = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: google.clientId, client_secret: "s3cret", code_verifier: pkce().verifier });
    expect(badVerifier.status).toBe(400);
    expect(await badVerifier.json()).toMatchObject({ error: "invalid_grant" });

    const json = await fetch(google.tokenUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: "invalid_request" });

    const foreign = await authorize({ client_id: google.clientId, redirect_uri: "https://evil.example/cb", response_type: "code", scope: "openid", state: "s", code_challenge: challenge, code_challenge_method: "S256" });
    expect(foreign.status).toBe(400);
    const plain = await authorize({ client_id: google.clientId, redirect_uri: REDIRECT, response_type: "code", scope: "openid", state: "s", code_challenge: challenge, code_challenge_method: "plain" });
    expect(plain.status).toBe(302);
    expect(new URL(plain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });
});
