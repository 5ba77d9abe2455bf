import { and, eq, gt, isNull, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import { oneTimeTokens, refreshFamilies, refreshTokens, type OneTimeTokenPurpose, type User } from "@shared/db/schema";
import { randomToken, sha256Hex } from "@shared/lib/crypto";
import { unauthorized } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { signAccessToken } from "@shared/lib/jwt";

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A new login: a refresh family, its first refresh token and an access token bound to the family. */
export async function createSession(db: Db, config: Config, user: Pick<User, "id" | "role">): Promise<SessionTokens> {
  const now = new Date();
  const familyId = newId();
  const refreshToken = randomToken();
  await db.batch([
    db.insert(refreshFamilies).values({ id: familyId, userId: user.id, createdAt: now, lastUsedAt: now }),
    db.insert(refreshTokens).values({
      id: newId(),
      familyId,
      userId: user.id,
      tokenHash: await sha256Hex(refreshToken),
      expiresAt: new Date(now.getTime() + config.refreshTtlDays * DAY_MS),
      createdAt: now,
    }),
  ]);
  const access = await signAccessToken(config.jwt, { sub: user.id, sid: familyId, role: user.role });
  return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
}

/**
 * Exchanges a refresh token for a new pair. The exchange is one D1 batch: the old token is marked used only
 * if it is unused, unexpired and its family alive, and its successor is inserted only if that mark landed,
 * so two concurrent exchanges of one token cannot both succeed. Presenting a spent token revokes its family.
 */
export async function rotateRefreshToken(
  db: Db,
  config: Config,
  presented: string,
  loadRole: (userId: string) => Promise<"USER" | "ADMIN" | null>,
): Promise<SessionTokens> {
  const now = new Date();
  const tokenHash = await sha256Hex(presented);
  const successorId = newId();
  const successor = randomToken();
  const successorHash = await sha256Hex(successor);
  const expiresAt = new Date(now.getTime() + config.refreshTtlDays * DAY_MS);

  const [marked] = await db.batch([
    db
      .update(refreshTokens)
      .set({ usedAt: now, replacedBy: successorId })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.usedAt),
          gt(refreshTokens.expiresAt, now),
          sql`${refreshTokens.familyId} IN (SELECT ${refreshFamilies.id} FROM ${refreshFamilies} WHERE ${refreshFamilies.revokedAt} IS NULL)`,
        ),
      )
      .returning({ familyId: refreshTokens.familyId, userId: refreshTokens.userId }),
    // Query builders only: drizzle's D1 batch cannot bind the parameters of raw `db.run(sql)` items
    // (drizzle-orm#2277, "Cannot read properties of undefined (reading 'bind')").
    // The successor row, inserted only if the mark above landed (aliases are positional here, and unlike the
    // table's column names so they cannot shadow them).
    db.insert(refreshTokens).select(
      db
        .select({
          id: sql<string>`${successorId}`.as("successor_id"),
          familyId: refreshTokens.familyId,
          userId: refreshTokens.userId,
          tokenHash: sql<string>`${successorHash}`.as("successor_token_hash"),
          expiresAt: sql<number>`${expiresAt.getTime()}`.as("successor_expires_at"),
          usedAt: sql<null>`NULL`.as("successor_used_at"),
          replacedBy: sql<null>`NULL`.as("successor_replaced_by"),
          createdAt: sql<number>`${now.getTime()}`.as("successor_created_at"),
        })
        .from(refreshTokens)
        .where(eq(refreshTokens.replacedBy, successorId)),
    ),
    db
      .update(refreshFamilies)
      .set({ lastUsedAt: now })
      .where(eq(refreshFamilies.id, sql`(SELECT ${refreshTokens.familyId} FROM ${refreshTokens} WHERE ${refreshTokens.replacedBy} = ${successorId})`)),
  ]);

  const row = marked[0];
  if (!row) {
    // Unknown, expired, revoked, or already spent. A spent one means the token leaked or was replayed:
    // the whole login is revoked.
    const [existing] = await db
      .select({ familyId: refreshTokens.familyId, usedAt: refreshTokens.usedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .limit(1);
    if (existing?.usedAt) await revokeFamily(db, existing.familyId, "REFRESH_TOKEN_REUSE");
    throw unauthorized("Invalid refresh token");
  }
  const role = await loadRole(row.userId);
  if (!role) {
    await revokeFamily(db, row.familyId, "USER_GONE");
    throw unauthorized("Invalid refresh token");
  }
  const access = await signAccessToken(config.jwt, { sub: row.userId, sid: row.familyId, role });
  return { accessToken: access.token, refreshToken: successor, expiresIn: access.expiresIn };
}

export async function revokeFamily(db: Db, familyId: string, reason: string): Promise<void> {
  await db
    .update(refreshFamilies)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(refreshFamilies.id, familyId), isNull(refreshFamilies.revokedAt)));
}

/** Logout: the family of the presented token ends, whatever state the token is in. */
export async function revokeFamilyOfToken(db: Db, presented: string): Promise<void> {
  const tokenHash = await sha256Hex(presented);
  await db.run(sql`UPDATE ${refreshFamilies} SET revoked_at = ${Date.now()}, revoked_reason = 'LOGOUT'
    WHERE revoked_at IS NULL AND id = (SELECT family_id FROM ${refreshTokens} WHERE token_hash = ${tokenHash})`);
}

/** Every login of a user (password change or reset). Returned unexecuted so callers can batch it. */
export function revokeAllFamilies(db: Db, userId: string | SQL, reason: string) {
  return db
    .update(refreshFamilies)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(refreshFamilies.userId, userId), isNull(refreshFamilies.revokedAt)));
}

/** Issues a single-use token; only its SHA-256 is stored. */
export async function issueOneTimeToken(
  db: Db,
  userId: string,
  purpose: OneTimeTokenPurpose,
  ttlMs: number,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const id = newId();
  const token = randomToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.insert(oneTimeTokens).values({
    id,
    userId,
    purpose,
    tokenHash: await sha256Hex(token),
    expiresAt,
    createdAt: now,
  });
  return { id, token, expiresAt };
}

/**
 * Consumes a single-use token atomically together with `effects`: one D1 batch marks the token consumed
 * (only if unconsumed and unexpired) with a fresh nonce, and every effect is written to act only on the row
 * carrying that nonce (`userIdOfNonce`). Two concurrent consumers: exactly one batch finds the token.
 * Returns the user id, or null when the token was unknown, expired or already used.
 */
export async function consumeOneTimeToken(
  db: Db,
  presented: string,
  purpose: OneTimeTokenPurpose,
  effects: (userIdOfNonce: SQL) => BatchItem<"sqlite">[] = () => [],
): Promise<string | null> {
  const nonce = newId();
  const now = new Date();
  const userIdOfNonce = sql`(SELECT ${oneTimeTokens.userId} FROM ${oneTimeTokens} WHERE ${oneTimeTokens.consumedBy} = ${nonce})`;
  const [consumed] = await db.batch([
    db
      .update(oneTimeTokens)
      .set({ consumedAt: now, consumedBy: nonce })
      .where(
        and(
          eq(oneTimeTokens.tokenHash, await sha256Hex(presented)),
          eq(oneTimeTokens.purpose, purpose),
          isNull(oneTimeTokens.consumedAt),
          gt(oneTimeTokens.expiresAt, now),
        ),
      )
      .returning({ userId: oneTimeTokens.userId }),
    ...effects(userIdOfNonce),
  ] as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  const rows = consumed as { userId: string }[];
  return rows[0]?.userId ?? null;
}
