// Connecting a host's Google Calendar: OAuth 2.0 authorization code flow with PKCE and offline access (a refresh
// token), the grant sealed in calendar_connections; the connection's status; disconnecting.
//
// The callback runs in whichever browser Google sends back, and its state only names the user who started: a
// consent link started on one account and sent to somebody else would otherwise connect that person's calendar
// to the sender's account. So the callback keeps the grant aside and hands the browser a single-use code, which
// the dashboard redeems while signed in (`completeCalendarConnect`); only a code redeemed by the user who started
// makes the grant usable. Until then an ACTIVE connection keeps its own grant, and any other shows as PENDING.
import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { calendarConnections, oauthStates, type CalendarConnection } from "@shared/db/schema";
import { fromBase64Url, randomToken, sealSecret, sha256Hex, toBase64Url, unsealSecret } from "@shared/lib/crypto";
import { ApiError, notFound, validationFailed } from "@shared/lib/errors";
import { consumeOneTimeToken, issueOneTimeToken } from "../auth/tokens";
import type { CalendarDeps } from "./google-calendar";

const STATE_TTL_MS = 10 * 60 * 1000;
/** As long as a Google sign-in's login code: the dashboard redeems it as soon as it loads. */
const CODE_TTL_MS = 2 * 60 * 1000;
const REVOKE_TIMEOUT_MS = 5_000;
const EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events";
const FREEBUSY_SCOPE = "https://www.googleapis.com/auth/calendar.freebusy";
/** Events to write bookings, free/busy to hide busy slots, the account's address to show which one is connected. */
export const CALENDAR_SCOPES = [EVENTS_SCOPE, FREEBUSY_SCOPE, "openid", "email"];

/** Google's token endpoint answer to the authorization code (RFC 6749 §5.1, OpenID Connect id_token). */
const CodeAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().default(""),
  id_token: z.string().optional(),
});

/**
 * A grant waiting for its code: JSON in the `code_verifier` of an oauth_states row that expires with the code
 * (the auth purge clears it), keyed by the code's hash behind a prefix so that no state, whose key is a bare hex
 * SHA-256, can ever reach it. Apart from an ACTIVE connection, so that one keeps working until the code is redeemed.
 */
const PendingGrant = z.object({
  accountEmail: z.string().nullable(),
  refreshTokenSealed: z.string(),
  accessTokenSealed: z.string(),
  accessTokenExpiresAt: z.number(),
});
type PendingGrant = z.infer<typeof PendingGrant>;
const pendingKey = async (code: string) => `grant:${await sha256Hex(code)}`;

/** Why connecting failed, as the `error` the dashboard receives with the redirect. */
export class CalendarConnectError extends Error {
  override name = "CalendarConnectError";
  constructor(readonly code: string) {
    super(`Google Calendar connection failed: ${code}`);
  }
}

function calendarSecrets(deps: CalendarDeps) {
  const { clientId, clientSecret } = deps.config.google;
  const key = deps.config.tokenSealingKey;
  if (!clientId || !clientSecret || !key) throw new ApiError("SERVICE_UNAVAILABLE", "Google Calendar is not configured on this server");
  return { clientId, clientSecret, key };
}

/** Step 1: a state naming the user and a PKCE verifier, kept ten minutes; answers where to send the browser. */
export async function startCalendarConnect(deps: CalendarDeps, userId: string, redirectUri: string): Promise<{ url: string }> {
  const { clientId } = calendarSecrets(deps);
  const state = randomToken();
  const codeVerifier = randomToken(48);
  const challenge = toBase64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier)));
  const now = Date.now();
  await deps.db.insert(oauthStates).values({
    stateHash: await sha256Hex(state),
    codeVerifier,
    purpose: "CALENDAR",
    userId,
    expiresAt: new Date(now + STATE_TTL_MS),
    createdAt: new Date(now),
  });
  const url = new URL(deps.config.google.authUrl);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: CALENDAR_SCOPES.join(" "),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    // A refresh token, and consent asked again so Google issues a new one even to an account that granted before.
    access_type: "offline",
    prompt: "consent",
  }).toString();
  return { url: url.toString() };
}

/** The `email` claim of an id_token received straight from Google's token endpoint over TLS (OIDC Core §3.1.3.7). */
function emailOf(idToken: string | undefined): string | null {
  const payload = idToken?.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(payload))) as { email?: unknown };
    return typeof claims.email === "string" ? claims.email : null;
  } catch {
    return null;
  }
}

/**
 * Step 2: Google sent the browser back. The state is spent once, atomically, and names the user; the code is
 * exchanged with the PKCE verifier; the grant is kept sealed for step 3, and a connection that is not ACTIVE
 * shows it as PENDING. Answers the single-use code for the dashboard; every failure is a CalendarConnectError.
 */
export async function receiveCalendarGrant(
  deps: CalendarDeps,
  input: { code?: string; state: string; error?: string; redirectUri: string },
): Promise<{ userId: string; code: string }> {
  const { clientId, clientSecret, key } = calendarSecrets(deps);
  const [saved] = await deps.db
    .delete(oauthStates)
    .where(
      and(
        eq(oauthStates.stateHash, await sha256Hex(input.state)),
        eq(oauthStates.purpose, "CALENDAR"),
        sql`${oauthStates.expiresAt} > ${Date.now()}`,
      ),
    )
    .returning({ codeVerifier: oauthStates.codeVerifier, userId: oauthStates.userId });
  if (!saved?.userId) throw new CalendarConnectError("invalid_state");
  // The person declined, or Google refused the request: its error code, reduced to a safe token.
  if (input.error) throw new CalendarConnectError(/^[a-z_]{1,64}$/.test(input.error) ? input.error : "google_error");
  if (!input.code) throw new CalendarConnectError("invalid_request");

  const res = await fetch(deps.config.google.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: input.code,
      redirect_uri: input.redirectUri,
      client_id: clientId,
      client_secret: clientSecret,
      code_verifier: saved.codeVerifier,
    }),
  }).catch(() => null);
  const body: unknown = await res?.json().catch(() => null);
  if (!res?.ok) throw new CalendarConnectError((body as { error?: unknown } | null)?.error === "invalid_grant" ? "invalid_grant" : "google_unavailable");
  const token = CodeAnswer.safeParse(body);
  if (!token.success) throw new CalendarConnectError("google_unavailable");
  // Google lets the person untick scopes on the consent screen; without both, bookings could not be kept.
  const granted = new Set(token.data.scope.split(" "));
  if (!granted.has(EVENTS_SCOPE) || !granted.has(FREEBUSY_SCOPE)) throw new CalendarConnectError("insufficient_scope");
  if (!token.data.refresh_token) throw new CalendarConnectError("no_refresh_token");

  const now = new Date();
  const pending: PendingGrant = {
    accountEmail: emailOf(token.data.id_token),
    refreshTokenSealed: await sealSecret(key, token.data.refresh_token),
    accessTokenSealed: await sealSecret(key, token.data.access_token),
    accessTokenExpiresAt: now.getTime() + token.data.expires_in * 1000,
  };
  const shown = { ...connectionOf(pending, now), status: "PENDING" as const };
  try {
    const issued = await issueOneTimeToken(deps.db, saved.userId, "CALENDAR_CONNECT", CODE_TTL_MS);
    await deps.db.batch([
      deps.db.insert(oauthStates).values({
        stateHash: await pendingKey(issued.token),
        codeVerifier: JSON.stringify(pending),
        purpose: "CALENDAR",
        userId: saved.userId,
        expiresAt: issued.expiresAt,
        createdAt: now,
      }),
      deps.db
        .insert(calendarConnections)
        .values({ userId: saved.userId, ...shown })
        .onConflictDoUpdate({ target: calendarConnections.userId, set: shown, setWhere: ne(calendarConnections.status, "ACTIVE") }),
    ]);
    return { userId: saved.userId, code: issued.token };
  } catch (error) {
    // The account was deleted while its owner was at Google.
    const message = error instanceof Error ? `${error.message} ${(error.cause as Error | undefined)?.message ?? ""}` : "";
    if (message.includes("FOREIGN KEY constraint failed")) throw new CalendarConnectError("invalid_state");
    throw error;
  }
}

/** The calendar_connections columns of a grant received at `now`. */
function connectionOf(grant: PendingGrant, now: Date) {
  return {
    provider: "GOOGLE" as const,
    accountEmail: grant.accountEmail,
    calendarId: "primary",
    refreshTokenSealed: grant.refreshTokenSealed,
    accessTokenSealed: grant.accessTokenSealed,
    accessTokenExpiresAt: new Date(grant.accessTokenExpiresAt),
    status: "ACTIVE" as const,
    lastError: null,
    busyCache: null,
    busyFetchedAt: null,
    // A new grant: its own "disconnected" notification, should Google revoke it one day.
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Step 3: the signed-in dashboard redeems the code, once. The code is spent whoever presents it; the grant it
 * stands for becomes this user's ACTIVE connection (replacing any earlier one) only when this user started the
 * flow. A code of another account means its consent link was passed on: that grant is dropped, and not revoked
 * at Google, where revoking would also end a connection the person made themselves with the same account.
 */
export async function completeCalendarConnect(deps: CalendarDeps, userId: string, code: string): Promise<CalendarStatus> {
  const invalid = (message: string) => validationFailed([{ path: "body.code", message }], "Invalid calendar connection code");
  const owner = await consumeOneTimeToken(deps.db, code, "CALENDAR_CONNECT");
  if (!owner) throw invalid("is unknown, expired or already used");
  const [kept] = await deps.db
    .delete(oauthStates)
    .where(and(eq(oauthStates.stateHash, await pendingKey(code)), eq(oauthStates.userId, owner)))
    .returning({ grant: oauthStates.codeVerifier });
  const grant = kept ? PendingGrant.parse(JSON.parse(kept.grant)) : null;
  if (owner !== userId) {
    if (grant) {
      await deps.db
        .delete(calendarConnections)
        .where(and(eq(calendarConnections.userId, owner), eq(calendarConnections.status, "PENDING"), eq(calendarConnections.refreshTokenSealed, grant.refreshTokenSealed)));
    }
    throw invalid("was issued to another account: start connecting from this one");
  }
  if (!grant) throw invalid("is unknown, expired or already used");
  const active = connectionOf(grant, new Date());
  await deps.db.insert(calendarConnections).values({ userId, ...active }).onConflictDoUpdate({ target: calendarConnections.userId, set: active });
  return getCalendarStatus(deps, userId);
}

export interface CalendarStatus {
  connected: boolean;
  status: CalendarConnection["status"] | null;
  accountEmail: string | null;
  lastError: string | null;
  calendarId: string | null;
}

export async function getCalendarStatus(deps: CalendarDeps, userId: string): Promise<CalendarStatus> {
  const [row] = await deps.db.select().from(calendarConnections).where(eq(calendarConnections.userId, userId)).limit(1);
  return {
    connected: row?.status === "ACTIVE",
    status: row?.status ?? null,
    // Until redeemed, a grant may be a stranger's who was sent the consent link: their address is not shown.
    accountEmail: row?.status === "PENDING" ? null : (row?.accountEmail ?? null),
    lastError: row?.lastError ?? null,
    calendarId: row?.calendarId ?? null,
  };
}

/** Forgets the grant, then asks Google to revoke it (best effort: the grant is gone here either way). */
export async function disconnectCalendar(deps: CalendarDeps, userId: string): Promise<void> {
  const [row] = await deps.db.delete(calendarConnections).where(eq(calendarConnections.userId, userId)).returning();
  if (!row) throw notFound("Calendar connection");
  const key = deps.config.tokenSealingKey;
  if (row.status !== "ACTIVE" || !key) return;
  try {
    const res = await fetch(deps.config.google.revokeUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: await unsealSecret(key, row.refreshTokenSealed) }),
      signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", msg: "google token revocation failed", userId, error: String(error) }));
  }
}
