import { and, isNotNull, lt, or, sql } from "drizzle-orm";
import { authThrottles, jobRuns, oauthStates, oneTimeTokens, refreshFamilies, refreshTokens } from "@shared/db/schema";
import type { CronContext } from "./index";

/** Revoked logins are kept this long so a replayed token is still recognised as one, then removed. */
export const REVOKED_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Completed job keys are kept well beyond the queue's retention so a late redelivery is still recognised. */
export const JOB_RUN_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Removes what can no longer be used: expired refresh tokens, revoked or emptied logins, spent or expired
 * single-use tokens, finished Google sign-ins, lapsed login blocks, and old completed job keys.
 */
export async function purgeExpiredAuthData({ db, now }: CronContext): Promise<Record<string, number>> {
  const t = now.getTime();
  const revokedBefore = t - REVOKED_RETENTION_MS;
  const deadFamilies = sql`SELECT ${refreshFamilies.id} FROM ${refreshFamilies} WHERE ${refreshFamilies.revokedAt} < ${revokedBefore}
    OR NOT EXISTS (SELECT 1 FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${refreshFamilies.id} AND ${refreshTokens.expiresAt} > ${t})`;
  const results = await db.batch([
    db.delete(refreshTokens).where(or(lt(refreshTokens.expiresAt, now), sql`${refreshTokens.familyId} IN (${deadFamilies})`)),
    db.delete(refreshFamilies).where(sql`${refreshFamilies.id} IN (${deadFamilies})`),
    db.delete(oneTimeTokens).where(or(lt(oneTimeTokens.expiresAt, now), isNotNull(oneTimeTokens.consumedAt))),
    db.delete(oauthStates).where(lt(oauthStates.expiresAt, now)),
    db.delete(authThrottles).where(lt(authThrottles.blockedUntil, now)),
    db.delete(jobRuns).where(and(sql`${jobRuns.status} = 'DONE'`, lt(jobRuns.completedAt, new Date(t - JOB_RUN_RETENTION_MS)))),
  ]);
  const [tokens, families, oneTime, states, throttles, runs] = results.map((r) => r.meta.changes);
  return { refreshTokens: tokens!, refreshFamilies: families!, oneTimeTokens: oneTime!, oauthStates: states!, authThrottles: throttles!, jobRuns: runs! };
}
