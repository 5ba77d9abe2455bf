import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { isUniqueViolation } from "@shared/db/client";
import { oauthStates, users, type User } from "@shared/db/schema";
import { randomToken, sha256Hex, toBase64Url } from "@shared/lib/crypto";
import { ApiError, conflict, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { findUserByEmail } from "../users/service";
import { consumeOneTimeToken, createSession, issueOneTimeToken, revokeAllFamilies, type SessionTokens } from "./tokens";

const STATE_TTL_MS = 10 * 60 * 1000;
const LOGIN_CODE_TTL_MS = 2 * 60 * 1000;

/** Google's token endpoint answer (OAuth 2.0, RFC 6749 §5.1). */
const TokenResponse = z.object({ access_token: z.string().min(1), token_type: z.string(), expires_in: z.number().optional() });
/** Google's OpenID Connect userinfo answer. */
const UserInfo = z.object({
  sub: z.string().min(1),
  email: z.string().email(),
  email_verified: z.union([z.boolean(), z.literal("true"), z.literal("false")]).transform((v) => v === true || v === "true"),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  name: z.string().optional(),
});

function googleClient(deps: ServiceDeps) {
  const { clientId, clientSecret, ...endpoints } = deps.config.google;
  if (!clientId || !clientSecret) throw new ApiError("SERVICE_UNAVAILABLE", "Google sign-in is not configured on this server");
  return { clientId, clientSecret, ...endpoints };
}

/** Step 1: a state (CSRF) and a PKCE verifier, kept for ten minutes; the caller sets `state` in a cookie too. */
export async function startGoogleSignIn(deps: ServiceDeps, redirectUri: string): Promise<{ url: string; state: string }> {
  const google = googleClient(deps);
  const state = randomToken();
  const codeVerifier = randomToken(48);
  const challenge = toBase64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier)));
  const now = Date.now();
  await deps.db.insert(oauthStates).values({
    stateHash: await sha256Hex(state),
    codeVerifier,
    expiresAt: new Date(now + STATE_TTL_MS),
    createdAt: new Date(now),
  });
  const url = new URL(google.authUrl);
  url.search = new URLSearchParams({
    client_id: google.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "openid email profile",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    access_type: "online",
    prompt: "select_account",
  }).toString();
  return { url: url.toString(), state };
}

/**
 * Step 2: Google sent the browser back. The state is spent (once, atomically), the code exchanged with the
 * PKCE verifier, the profile read; the user is found by Google subject, linked by verified email, or created.
 * Returns a short-lived single-use login code for the dashboard to exchange, so no token travels in a URL.
 */
export async function completeGoogleSignIn(deps: ServiceDeps, input: { code: string; state: string; redirectUri: string }): Promise<{ loginCode: string; user: User }> {
  const google = googleClient(deps);
  const [saved] = await deps.db
    .delete(oauthStates)
    .where(sql`${oauthStates.stateHash} = ${await sha256Hex(input.state)} AND ${oauthStates.purpose} = 'SIGN_IN' AND ${oauthStates.expiresAt} > ${Date.now()}`)
    .returning({ codeVerifier: oauthStates.codeVerifier });
  if (!saved) throw validationFailed([{ path: "query.state", message: "is unknown or expired: start the sign-in again" }], "Invalid OAuth state");

  const tokenResponse = await fetch(google.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: input.code,
      redirect_uri: input.redirectUri,
      client_id: google.clientId,
      client_secret: google.clientSecret,
      code_verifier: saved.codeVerifier,
    }),
  });
  const tokenBody = await tokenResponse.json().catch(() => null);
  if (!tokenResponse.ok) {
    const reason = (tokenBody as { error?: string } | null)?.error ?? `HTTP ${tokenResponse.status}`;
    if (reason === "invalid_grant") throw validationFailed([{ path: "query.code", message: "was refused by Google (expired or already used)" }], "Google refused the authorization code");
    throw new ApiError("BAD_GATEWAY", `Google's token endpoint failed: ${reason}`);
  }
  const token = TokenResponse.safeParse(tokenBody);
  if (!token.success) throw new ApiError("BAD_GATEWAY", "Google's token endpoint answered an unexpected body");

  const infoResponse = await fetch(google.userinfoUrl, { headers: { authorization: `Bearer ${token.data.access_token}`, accept: "application/json" } });
  const info = UserInfo.safeParse(await infoResponse.json().catch(() => null));
  if (!infoResponse.ok || !info.success) throw new ApiError("BAD_GATEWAY", "Google's userinfo endpoint failed");
  if (!info.data.email_verified) throw new ApiError("FORBIDDEN", "Google has not verified this email address");

  const user = await findOrCreateGoogleUser(deps, info.data);
  const issued = await issueOneTimeToken(deps.db, user.id, "GOOGLE_LOGIN", LOGIN_CODE_TTL_MS);
  return { loginCode: issued.token, user };
}

async function findOrCreateGoogleUser(deps: ServiceDeps, info: z.infer<typeof UserInfo>): Promise<User> {
  const { db } = deps;
  const email = info.email.trim().toLowerCase();
  const now = new Date();
  const [bySub] = await db.select().from(users).where(eq(users.googleSub, info.sub)).limit(1);
  if (bySub) return bySub;
  const byEmail = await findUserByEmail(db, email);
  if (byEmail) {
    if (byEmail.googleSub && byEmail.googleSub !== info.sub) throw conflict("This account is linked to another Google account");
    // Nobody has proved they own an unverified account's address until now. Whoever set its password may
    // not be the person Google just vouched for (account pre-hijacking), so that password and every login
    // made with it end here; the owner can set a new password by reset.
    const unverified = byEmail.emailVerifiedAt === null;
    const link = db
      .update(users)
      .set({ googleSub: info.sub, emailVerifiedAt: byEmail.emailVerifiedAt ?? now, ...(unverified ? { passwordHash: null } : {}), updatedAt: now })
      .where(eq(users.id, byEmail.id))
      .returning();
    const [[linked]] = unverified ? await db.batch([link, revokeAllFamilies(db, byEmail.id, "UNVERIFIED_ACCOUNT_CLAIMED")]) : [await link];
    return linked!;
  }
  const [first, ...rest] = (info.name ?? "").trim().split(/\s+/);
  const created = await db
    .insert(users)
    .values({
      id: newId(),
      email,
      emailVerifiedAt: now,
      passwordHash: null,
      firstName: (info.given_name || first || email.split("@")[0]!).slice(0, 100),
      lastName: (info.family_name || rest.join(" ")).slice(0, 100),
      googleSub: info.sub,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch((error: unknown) => {
      // Two callbacks for the same new person at once: the other one created the account; use it.
      if (isUniqueViolation(error)) return null;
      throw error;
    });
  if (created?.[0]) return created[0];
  const [existing] = await db.select().from(users).where(eq(users.googleSub, info.sub)).limit(1);
  if (!existing) throw conflict("An account with this email already exists");
  return existing;
}

/** Step 3: the dashboard trades the login code for a session, once. */
export async function exchangeGoogleLoginCode(deps: ServiceDeps, code: string): Promise<{ user: User; tokens: SessionTokens }> {
  const userId = await consumeOneTimeToken(deps.db, code, "GOOGLE_LOGIN");
  if (!userId) throw validationFailed([{ path: "body.code", message: "is unknown, expired or already used" }], "Invalid login code");
  const [user] = await deps.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw validationFailed([{ path: "body.code", message: "is unknown, expired or already used" }], "Invalid login code");
  return { user, tokens: await createSession(deps.db, deps.config, user) };
}
