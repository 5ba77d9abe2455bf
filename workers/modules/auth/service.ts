import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { isUniqueViolation } from "@shared/db/client";
import { authThrottles, users, type User } from "@shared/db/schema";
import { conflict, unauthorized, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decoyHash, hashPassword, needsRehash, verifyPassword } from "@shared/lib/password";
import { enqueueJob } from "../../jobs/enqueue";
import type { ServiceDeps } from "../../router";
import { hit, rateLimited, RATE_LIMIT_PERIOD_SECONDS } from "../../middleware/rate-limit";
import { passwordResetEmail, verifyEmailEmail } from "../../templates/emails/account";
import { findUserByEmail, findUserById } from "../users/service";
import { consumeOneTimeToken, createSession, issueOneTimeToken, revokeAllFamilies, rotateRefreshToken, type SessionTokens } from "./tokens";

export type AuthDeps = ServiceDeps;

const MINUTE_MS = 60_000;

export async function register(
  deps: AuthDeps,
  input: { email: string; password: string; firstName: string; lastName: string; invitationCode?: string },
): Promise<{ user: User; tokens: SessionTokens }> {
  const { db, config } = deps;
  const now = new Date();
  const passwordHash = await hashPassword(input.password, config.passwordPepper);
  let user: User | undefined;
  try {
    [user] = await db
      .insert(users)
      .values({
        id: newId(),
        email: input.email,
        passwordHash,
        firstName: input.firstName,
        lastName: input.lastName,
        invitationCode: input.invitationCode ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
  } catch (error) {
    // The unique index decides, so two concurrent registrations of one address cannot both succeed.
    if (isUniqueViolation(error)) throw conflict("An account with this email already exists");
    throw error;
  }
  const tokens = await createSession(db, config, user!);
  await sendVerificationEmail(deps, user!);
  return { user: user!, tokens };
}

export async function sendVerificationEmail(deps: AuthDeps, user: User): Promise<void> {
  const { db, config, env } = deps;
  const ttlHours = config.emailVerificationTtlHours;
  const issued = await issueOneTimeToken(db, user.id, "EMAIL_VERIFICATION", ttlHours * 60 * MINUTE_MS);
  const link = `${config.appUrl}/verify-email?token=${encodeURIComponent(issued.token)}`;
  const email = verifyEmailEmail({ firstName: user.firstName, link, ttlHours });
  await enqueueJob(env.JOBS, "email.send", `email:verify:${issued.id}`, { to: user.email, ...email });
}

const throttleKeys = (ip: string, email: string) => ({ ip: `login:ip:${ip}`, account: `login:account:${email}` });

/**
 * Password login. Failures (and only failures) count against two rate limiters, per IP and per account;
 * a key that goes over is remembered in D1 until its period ends, so further attempts are refused before any
 * password is checked (a right guess during a block gets 429 like a wrong one). Wrong email and wrong password
 * answer identically, and an unknown email still costs one hash.
 */
export async function login(deps: AuthDeps, input: { email: string; password: string }, ip: string): Promise<{ user: User; tokens: SessionTokens }> {
  const { db, config, env } = deps;
  const keys = throttleKeys(ip, input.email);
  const now = new Date();
  const [blocked, user] = await Promise.all([
    db
      .select({ blockedUntil: authThrottles.blockedUntil })
      .from(authThrottles)
      .where(and(inArray(authThrottles.key, [keys.ip, keys.account]), gt(authThrottles.blockedUntil, now))),
    findUserByEmail(db, input.email),
  ]);
  if (blocked.length > 0) {
    const until = Math.max(...blocked.map((row) => row.blockedUntil.getTime()));
    throw rateLimited("Too many failed sign-in attempts, try again later", Math.ceil((until - now.getTime()) / 1000));
  }

  const stored = user?.passwordHash ?? (await decoyHash(config.passwordPepper));
  const valid = (await verifyPassword(input.password, stored, config.passwordPepper)) && Boolean(user?.passwordHash);
  if (!valid || !user) {
    const [ipOk, accountOk] = await Promise.all([
      hit(env, "LOGIN_FAILURES_PER_IP", keys.ip),
      hit(env, "LOGIN_FAILURES_PER_ACCOUNT", keys.account),
    ]);
    if (!ipOk || !accountOk) {
      const blockedUntil = new Date(now.getTime() + RATE_LIMIT_PERIOD_SECONDS * 1000);
      const over = [...(ipOk ? [] : [keys.ip]), ...(accountOk ? [] : [keys.account])];
      await db
        .insert(authThrottles)
        .values(over.map((key) => ({ key, blockedUntil })))
        .onConflictDoUpdate({ target: authThrottles.key, set: { blockedUntil: sql`excluded.blocked_until` } });
      throw rateLimited("Too many failed sign-in attempts, try again later");
    }
    throw unauthorized("Invalid email or password");
  }

  if (needsRehash(user.passwordHash!)) {
    const passwordHash = await hashPassword(input.password, config.passwordPepper);
    await db.update(users).set({ passwordHash }).where(eq(users.id, user.id));
  }
  return { user, tokens: await createSession(db, config, user) };
}

export function refresh(deps: AuthDeps, refreshToken: string): Promise<SessionTokens> {
  return rotateRefreshToken(deps.db, deps.config, refreshToken, async (userId) => (await findUserById(deps.db, userId))?.role ?? null);
}

/** Always resolves the same way whether or not the address has an account (no enumeration). */
export async function forgotPassword(deps: AuthDeps, email: string): Promise<void> {
  const { db, config, env } = deps;
  const user = await findUserByEmail(db, email);
  if (!user) return;
  const ttlMinutes = config.passwordResetTtlMinutes;
  const issued = await issueOneTimeToken(db, user.id, "PASSWORD_RESET", ttlMinutes * MINUTE_MS);
  const link = `${config.appUrl}/reset-password?token=${encodeURIComponent(issued.token)}`;
  const message = passwordResetEmail({ firstName: user.firstName, link, ttlMinutes });
  await enqueueJob(env.JOBS, "email.send", `email:password-reset:${issued.id}`, { to: user.email, ...message });
}

const invalidToken = (what: string) => validationFailed([{ path: "body.token", message: `is not a valid ${what} token, or it expired or was already used` }], `Invalid ${what} token`);

/** Sets the new password, proves the address (the link reached it) and ends every login, all in the batch
 *  that spends the token. */
export async function resetPassword(deps: AuthDeps, token: string, password: string): Promise<void> {
  const { db, config } = deps;
  const passwordHash = await hashPassword(password, config.passwordPepper);
  const now = new Date();
  // Query builders only: drizzle's D1 batch cannot bind the parameters of raw `db.run(sql)` items (drizzle-orm#2277).
  const userId = await consumeOneTimeToken(db, token, "PASSWORD_RESET", (uid) => [
    db
      .update(users)
      .set({ passwordHash, updatedAt: now, emailVerifiedAt: sql`COALESCE(${users.emailVerifiedAt}, ${now.getTime()})` })
      .where(eq(users.id, uid)),
    revokeAllFamilies(db, uid, "PASSWORD_RESET"),
  ]);
  if (!userId) throw invalidToken("password reset");
}

export async function verifyEmail(deps: AuthDeps, token: string): Promise<void> {
  const now = new Date();
  const userId = await consumeOneTimeToken(deps.db, token, "EMAIL_VERIFICATION", (uid) => [
    deps.db
      .update(users)
      .set({ emailVerifiedAt: sql`COALESCE(${users.emailVerifiedAt}, ${now.getTime()})`, updatedAt: now })
      .where(eq(users.id, uid)),
  ]);
  if (!userId) throw invalidToken("email verification");
}
