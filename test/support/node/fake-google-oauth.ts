// The OAuth 2.0 / OpenID Connect side of the fake Google: one OAuth client, who is signed in (sessions),
// authorization codes bound to their PKCE challenge, and the signing key of the id_token. Its authorize, token
// and userinfo handlers answer in Google's wire format; issued tokens and offline grants are in
// fake-google-grants.ts, the server and the routing in fake-google.ts.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { cookies, oauthError, readBody, redirect, sendJson } from "./fake-google-http";
import { ACCESS_TOKEN_TTL_S, createGrants } from "./fake-google-grants";
import { defaultIdentity, type Consent, type GoogleIdentity } from "./fake-google-identity";

export interface FakeGoogleOptions {
  clientId: string;
  clientSecret: string;
  /** Authorized redirect URIs of the OAuth client (more can be added with `allowRedirectUri`). */
  redirectUris?: string[];
  /** Who is signed in when an authorization request carries no session cookie. */
  identity?: GoogleIdentity;
}

/** One token endpoint call, as recorded for assertions on what the client sent. */
export interface TokenRequest {
  at: number;
  params: Record<string, string>;
  status: number;
  error?: string;
}

export const SESSION_COOKIE = "FAKE_GOOGLE_SID";
const CODE_TTL_MS = 10 * 60 * 1000;
const CALENDAR_SCOPES = ["calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly", "calendar.freebusy", "calendar.events.freebusy"].map(
  (name) => `https://www.googleapis.com/auth/${name}`,
);
const KNOWN_SCOPES: Record<string, string> = {
  ...Object.fromEntries(CALENDAR_SCOPES.map((scope) => [scope, scope])),
  openid: "openid",
  email: "https://www.googleapis.com/auth/userinfo.email",
  profile: "https://www.googleapis.com/auth/userinfo.profile",
  "https://www.googleapis.com/auth/userinfo.email": "https://www.googleapis.com/auth/userinfo.email",
  "https://www.googleapis.com/auth/userinfo.profile": "https://www.googleapis.com/auth/userinfo.profile",
};
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  nonce?: string;
  identity: GoogleIdentity;
  /** `access_type=offline`: the exchange also issues a refresh token. */
  offline: boolean;
  expiresAt: number;
  used: boolean;
  /** Access token issued for it, revoked if the code is replayed (RFC 6749 §4.1.2). */
  accessToken?: string;
}

const b64url = (buf: Buffer) => buf.toString("base64url");
const sha256 = (value: string) => createHash("sha256").update(value).digest();

function signJwt(key: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const header = b64url(Buffer.from(JSON.stringify({ alg: "RS256", kid, typ: "JWT" })));
  const body = b64url(Buffer.from(JSON.stringify(payload)));
  const signature = sign("RSA-SHA256", Buffer.from(`${header}.${body}`), key);
  return `${header}.${body}.${b64url(signature)}`;
}

/** The OAuth state and endpoint handlers of one fake Google; `issuer()` is its origin once it listens. */
export function createGoogleOAuth(options: FakeGoogleOptions, issuer: () => string) {
  const { clientId, clientSecret } = options;
  const redirectUris = new Set(options.redirectUris ?? []);
  let fallbackIdentity = options.identity ?? defaultIdentity;
  const sessions = new Map<string, { identity: GoogleIdentity; consent: Consent }>();
  const codes = new Map<string, PendingCode>();
  const grants = createGrants();
  const tokenRequests: TokenRequest[] = [];
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = b64url(randomBytes(12));

  const signIn = (identity: GoogleIdentity, consent: Consent = "allow") => {
    const sid = b64url(randomBytes(18));
    sessions.set(sid, { identity, consent });
    return { sid, cookie: `${SESSION_COOKIE}=${sid}` };
  };

  function authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const one = (name: string) => {
      const values = query.getAll(name);
      return values.length === 1 ? values[0]! : undefined;
    };
    // Problems with the client or the redirect URI are shown to the person; nothing is sent to the app.
    const requestedClient = one("client_id");
    if (requestedClient !== clientId) return oauthError(res, 401, "invalid_client", "The OAuth client was not found.");
    const redirectUri = one("redirect_uri");
    if (!redirectUri || !redirectUris.has(redirectUri)) {
      return oauthError(res, 400, "redirect_uri_mismatch", `The redirect URI in the request, ${redirectUri ?? "(none)"}, does not match the ones authorized for the OAuth client.`);
    }
    // Everything else goes back to the app, with the state (RFC 6749 §4.1.2.1).
    const state = one("state");
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...params, ...(state !== undefined ? { state } : {}) })) target.searchParams.set(k, v);
      return redirect(res, target.toString());
    };
    if (one("response_type") !== "code") return back({ error: "unsupported_response_type", error_description: "response_type must be code" });
    const requested = (one("scope") ?? "").split(" ").filter(Boolean);
    if (requested.length === 0) return back({ error: "invalid_request", error_description: "Missing required parameter: scope" });
    const unknown = requested.filter((s) => !Object.hasOwn(KNOWN_SCOPES, s));
    if (unknown.length > 0) return back({ error: "invalid_scope", error_description: `Some requested scopes were invalid: ${unknown.join(" ")}` });
    if (!state) return back({ error: "invalid_request", error_description: "Missing required parameter: state" });
    const challenge = one("code_challenge");
    if (!challenge || !PKCE_VALUE.test(challenge)) return back({ error: "invalid_request", error_description: "Missing or malformed code_challenge" });
    if (one("code_challenge_method") !== "S256") return back({ error: "invalid_request", error_description: "code_challenge_method must be S256" });

    const session = sessions.get(cookies(req)[SESSION_COOKIE] ?? "") ?? { identity: fallbackIdentity, consent: "allow" as const };
    if (session.consent === "deny") return back({ error: "access_denied" });
    const scopes = [...new Set(requested.map((s) => KNOWN_SCOPES[s]!))];
    // Google's codes look like "4/0A...": the slash makes the client URL-encode it properly.
    const code = `4/0A${b64url(randomBytes(32))}`;
    const nonce = one("nonce");
    codes.set(code, {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      scopes,
      ...(nonce ? { nonce } : {}),
      identity: session.identity,
      offline: one("access_type") === "offline",
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    return back({ code, scope: scopes.join(" "), authuser: "0", prompt: "consent" });
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const record = (params: Record<string, string>, status: number, error?: string) =>
      tokenRequests.push({ at: Date.now(), params: { ...params, ...(params.client_secret ? { client_secret: "(redacted)" } : {}) }, status, ...(error ? { error } : {}) });
    const fail = (params: Record<string, string>, status: number, error: string, description: string) => {
      record(params, status, error);
      return oauthError(res, status, error, description, status === 401 ? { "www-authenticate": 'Basic realm="oauth2"' } : {});
    };
    const mediaType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    const raw = await readBody(req);
    if (mediaType !== "application/x-www-form-urlencoded") return fail({}, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    const form = new URLSearchParams(raw);
    const params = Object.fromEntries(form);
    for (const [name] of form) {
      if (form.getAll(name).length > 1) return fail(params, 400, "invalid_request", `Parameter ${name} was repeated`);
    }
    // Client authentication: client_secret_post or client_secret_basic (RFC 6749 §2.3.1), not both.
    let id = params.client_id;
    let secret = params.client_secret;
    const basic = req.headers.authorization?.match(/^Basic\s+(\S+)$/i);
    if (basic) {
      if (secret) return fail(params, 400, "invalid_request", "Client authenticated in more than one way");
      const [user, pass] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
      id = decodeURIComponent(user ?? "");
      secret = decodeURIComponent(pass ?? "");
    }
    if (id !== clientId || secret !== clientSecret) return fail(params, 401, "invalid_client", "Unauthorized");
    if (params.grant_type === "refresh_token") {
      const refreshed = grants.refresh(id, params.refresh_token);
      if ("error" in refreshed) return fail(params, refreshed.error === "unauthorized_client" ? 401 : 400, refreshed.error, refreshed.description);
      record(params, 200);
      return sendJson(
        res,
        200,
        { access_token: refreshed.accessToken, expires_in: ACCESS_TOKEN_TTL_S, scope: refreshed.scopes.join(" "), token_type: "Bearer" },
        { "cache-control": "no-store", pragma: "no-cache" },
      );
    }
    if (params.grant_type !== "authorization_code") return fail(params, 400, "unsupported_grant_type", `Invalid grant_type: ${params.grant_type ?? ""}`);
    if (!params.code) return fail(params, 400, "invalid_request", "Missing required parameter: code");
    if (!params.redirect_uri) return fail(params, 400, "invalid_request", "Missing required parameter: redirect_uri");

    const pending = codes.get(params.code);
    if (!pending) return fail(params, 400, "invalid_grant", "Malformed auth code.");
    if (pending.used) {
      // A replayed code: refuse it and revoke what it was exchanged for.
      if (pending.accessToken) grants.revokeAccessToken(pending.accessToken);
      return fail(params, 400, "invalid_grant", "Bad Request");
    }
    // Any authenticated presentation spends the code, successful or not.
    pending.used = true;
    if (pending.expiresAt < Date.now()) return fail(params, 400, "invalid_grant", "Bad Request");
    if (pending.clientId !== id) return fail(params, 400, "invalid_grant", "Bad Request");
    if (pending.redirectUri !== params.redirect_uri) return fail(params, 400, "redirect_uri_mismatch", "Bad Request");
    const verifier = params.code_verifier;
    if (!verifier) return fail(params, 400, "invalid_grant", "Missing code verifier.");
    if (!PKCE_VALUE.test(verifier) || b64url(sha256(verifier)) !== pending.codeChallenge) return fail(params, 400, "invalid_grant", "Invalid code verifier.");

    const grant = pending.offline ? grants.issueGrant(clientId, pending.identity, pending.scopes) : undefined;
    const accessToken = grants.issueAccessToken(pending.identity, pending.scopes, grant);
    pending.accessToken = accessToken;
    const now = Math.floor(Date.now() / 1000);
    const claims = userClaims(pending.identity, pending.scopes);
    const idToken = signJwt(privateKey, kid, {
      iss: issuer(),
      azp: clientId,
      aud: clientId,
      ...claims,
      at_hash: b64url(sha256(accessToken).subarray(0, 16)),
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
      iat: now,
      exp: now + ACCESS_TOKEN_TTL_S + 1,
    });
    record(params, 200);
    return sendJson(
      res,
      200,
      {
        access_token: accessToken,
        expires_in: ACCESS_TOKEN_TTL_S,
        id_token: idToken,
        ...(grant ? { refresh_token: grant.refreshToken } : {}),
        scope: pending.scopes.join(" "),
        token_type: "Bearer",
      },
      { "cache-control": "no-store", pragma: "no-cache" },
    );
  }

  /** The claims Google releases for the granted scopes. */
  function userClaims(identity: GoogleIdentity, scopes: string[]): Record<string, unknown> {
    const claims: Record<string, unknown> = { sub: identity.sub };
    if (scopes.includes(KNOWN_SCOPES.email!)) Object.assign(claims, { email: identity.email, email_verified: identity.email_verified });
    if (scopes.includes(KNOWN_SCOPES.profile!)) {
      for (const key of ["name", "given_name", "family_name", "picture", "locale"] as const) {
        if (identity[key] !== undefined) claims[key] = identity[key];
      }
    }
    return claims;
  }

  function userinfo(req: IncomingMessage, res: ServerResponse) {
    const match = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
    const issued = grants.accessTokenInfo(match?.[1]);
    if (!issued) {
      return oauthError(res, 401, "invalid_request", "Invalid Credentials", {
        "www-authenticate": `Bearer realm="${issuer()}/", error="invalid_token"`,
      });
    }
    return sendJson(res, 200, userClaims(issued.identity, issued.scopes));
  }

  return {
    signIn,
    authorize,
    token,
    userinfo,
    /** The JWK set the id_token verifies against (GET /oauth2/v3/certs). */
    jwks: () => ({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] }),
    allowRedirectUri: (uri: string) => void redirectUris.add(uri),
    setDefaultIdentity: (identity: GoogleIdentity) => {
      fallbackIdentity = identity;
    },
    tokenRequests,
    grants,
  };
}
