// A local stand-in for Google's OAuth 2.0 / OpenID Connect endpoints, speaking their documented wire format:
//   GET  /o/oauth2/v2/auth   authorization endpoint (code flow, PKCE S256 required): 302 back to redirect_uri
//   POST /token              token endpoint (RFC 6749 §4.1.3, RFC 7636 §4.5): form-encoded in, JSON out
//   GET  /v1/userinfo        OpenID Connect userinfo (Bearer access token)
//   GET  /oauth2/v3/certs, /.well-known/openid-configuration   so the id_token can be verified like Google's
//   POST /token grant_type=refresh_token, POST /revoke     offline access (access_type=offline) and its end
//   /calendar/v3/...         the Calendar API: events and freeBusy (fake-google-calendar.ts)
// Control endpoints under /__fake/ (sessions, calendars, grants, tokens) let tests set up and inspect state.
// Who "is signed in at Google" is chosen per flow: a test creates a session (POST /__fake/sessions, or
// `createGoogleSession()` below) and sends its cookie with the authorization request, the way a browser
// carries its Google session. Without a session the default identity answers.
// This file is the server: routing, the control endpoint and discovery documents, start and close. The OAuth
// state and handlers are in fake-google-oauth.ts, issued tokens and grants in fake-google-grants.ts, the
// accounts in fake-google-identity.ts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGoogleCalendar, type CalendarOperation } from "./fake-google-calendar";
import { readBody, sendJson } from "./fake-google-http";
import { parseIdentity, type Consent, type GoogleIdentity } from "./fake-google-identity";
import { createGoogleOAuth, type FakeGoogleOptions, type TokenRequest } from "./fake-google-oauth";

export type { CalendarOperation, CalendarRequest, FakeEvent, InjectedFailure } from "./fake-google-calendar";
export { defaultIdentity, googleIdentity, type Consent, type GoogleIdentity } from "./fake-google-identity";
export { SESSION_COOKIE, type FakeGoogleOptions, type TokenRequest } from "./fake-google-oauth";

export interface FakeGoogle {
  url: string;
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  calendarApiUrl: string;
  revokeUrl: string;
  clientId: string;
  clientSecret: string;
  allowRedirectUri(uri: string): void;
  setDefaultIdentity(identity: GoogleIdentity): void;
  /** A Google browser session for `identity`; send `Cookie: <cookie>` with the authorization request. */
  signIn(identity: GoogleIdentity, consent?: Consent): { sid: string; cookie: string };
  /** Every token endpoint call, newest last (for assertions on what the client sent). */
  tokenRequests: TokenRequest[];
  /**
   * A miniflare `outboundService`: the Worker's requests to Google's hosts (and to FAKE_GOOGLE_HOST, for the
   * control endpoints) reach this fake with their path and query; any other request goes out unchanged.
   */
  outbound(request: OutgoingRequest): Promise<Response>;
  close(): Promise<void>;
}

/** What `outbound` reads of a request (miniflare hands it a Request of its own copy of undici). */
export interface OutgoingRequest {
  url: string;
  method: string;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The hosts of Google's endpoints the Worker calls (wrangler.toml's defaults). */
export const GOOGLE_HOSTS = ["accounts.google.com", "oauth2.googleapis.com", "openidconnect.googleapis.com", "www.googleapis.com"];
/** Workers-pool tests reach the control endpoints at this origin (see `outbound`). */
export const FAKE_GOOGLE_HOST = "fake-google.test";

const OPERATIONS: CalendarOperation[] = ["insert", "get", "list", "patch", "delete", "freebusy"];

export async function startFakeGoogle(options: FakeGoogleOptions): Promise<FakeGoogle> {
  const { clientId, clientSecret } = options;
  let base = "";
  const oauth = createGoogleOAuth(options, () => base);
  const { signIn, authorize, token, userinfo, grants } = oauth;
  const calendar = createGoogleCalendar(grants);

  async function control(req: IncomingMessage, res: ServerResponse, url: URL) {
    const route = `${req.method} ${url.pathname}`;
    const email = url.searchParams.get("email") ?? "";
    const body = req.method === "POST" ? (JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>) : {};
    const text = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : undefined);
    switch (route) {
      case "POST /__fake/sessions": {
        const identity = parseIdentity(body.identity);
        if (!identity) return sendJson(res, 400, { error: "identity needs sub, email and email_verified" });
        const consent: Consent = body.consent === "deny" ? "deny" : "allow";
        return sendJson(res, 201, signIn(identity, consent));
      }
      case "GET /__fake/calendar/events":
        return sendJson(res, 200, { items: calendar.eventsOf(email) });
      case "POST /__fake/calendar/events": {
        const [owner, start, end] = [text("email"), text("start"), text("end")];
        if (!owner || !start || !end) return sendJson(res, 400, { error: "email, start and end are required" });
        return sendJson(res, 201, calendar.addEvent(owner, { start, end, summary: text("summary") }));
      }
      case "GET /__fake/calendar/requests":
        return sendJson(res, 200, { items: calendar.requestsOf(email) });
      case "POST /__fake/calendar/failures": {
        const operation = text("operation") as CalendarOperation | undefined;
        const owner = text("email");
        if (!owner || !operation || !OPERATIONS.includes(operation) || typeof body.status !== "number") {
          return sendJson(res, 400, { error: `email, status and operation (${OPERATIONS.join(", ")}) are required` });
        }
        calendar.failNext({ email: owner, operation, status: body.status, commit: body.commit === true, reason: text("reason") });
        return sendJson(res, 201, {});
      }
      case "POST /__fake/grants/revoke":
        return sendJson(res, 200, { revoked: grants.revokeGrantsOf(text("email") ?? "") });
      case "POST /__fake/tokens/expire":
        return sendJson(res, 200, { expired: grants.expireAccessTokens(text("email")) });
      default:
        return sendJson(res, 404, { error: "not_found" });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-google.invalid");
    const route = `${req.method} ${url.pathname}`;
    const handle = async () => {
      switch (route) {
        case "GET /o/oauth2/v2/auth":
          return authorize(req, res, url.searchParams);
        case "POST /token":
          return token(req, res);
        case "GET /v1/userinfo":
        case "GET /oauth2/v3/userinfo":
          return userinfo(req, res);
        case "POST /revoke":
          return grants.revokeEndpoint(req, res, url.searchParams);
        case "GET /oauth2/v3/certs":
          return sendJson(res, 200, oauth.jwks());
        case "GET /.well-known/openid-configuration":
          return sendJson(res, 200, {
            issuer: base,
            authorization_endpoint: `${base}/o/oauth2/v2/auth`,
            token_endpoint: `${base}/token`,
            userinfo_endpoint: `${base}/v1/userinfo`,
            revocation_endpoint: `${base}/revoke`,
            jwks_uri: `${base}/oauth2/v3/certs`,
            response_types_supported: ["code"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
            scopes_supported: ["openid", "email", "profile"],
            token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
            code_challenge_methods_supported: ["S256"],
            grant_types_supported: ["authorization_code", "refresh_token"],
          });
        default:
          if (url.pathname.startsWith("/calendar/v3/")) return calendar.handle(req, res, url.pathname.slice("/calendar/v3".length), url.searchParams);
          if (url.pathname.startsWith("/__fake/")) return control(req, res, url);
          return sendJson(res, 404, { error: "not_found", error_description: `${route} is not a Google endpoint` });
      }
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "server_error", error_description: String(error) });
      else res.destroy();
    });
  });
  // Loopback clients (undici, workerd) keep connections alive; closing must not wait for them.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    authUrl: `${base}/o/oauth2/v2/auth`,
    tokenUrl: `${base}/token`,
    userinfoUrl: `${base}/v1/userinfo`,
    calendarApiUrl: `${base}/calendar/v3`,
    revokeUrl: `${base}/revoke`,
    clientId,
    clientSecret,
    allowRedirectUri: oauth.allowRedirectUri,
    setDefaultIdentity: oauth.setDefaultIdentity,
    signIn,
    tokenRequests: oauth.tokenRequests,
    async outbound(request) {
      const url = new URL(request.url);
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      const headers = new Headers();
      request.headers.forEach((value, name) => name !== "host" && headers.append(name, value));
      const target = GOOGLE_HOSTS.includes(url.hostname) || url.hostname === FAKE_GOOGLE_HOST ? `${base}${url.pathname}${url.search}` : url.toString();
      // Rebuilt rather than passed on: Node's fetch would not read a Request from another copy of undici.
      return fetch(target, { method: request.method, headers, body, redirect: "manual" });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** From another process (a test file): sign in at the fake Google as `identity`; returns the Cookie header value. */
export async function createGoogleSession(fakeGoogleUrl: string, identity: GoogleIdentity, consent: Consent = "allow"): Promise<string> {
  const res = await fetch(`${fakeGoogleUrl}/__fake/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity, consent }),
  });
  if (res.status !== 201) throw new Error(`fake Google refused the session: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { cookie: string }).cookie;
}
