// Unread-message digests: a participant who is offline when messages arrive gets one email per conversation
// per quiet period, listing what they missed, instead of one email per message. The message_digests row
// is the quiet period: while it exists, further messages add nothing; its job, due when the period ends,
// notifies about whatever is still unread then, and removes the row so the next message starts a new period.
import { and, count, desc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import type { z } from "zod";
import type { MessageDigestJobPayload } from "@shared/contracts/jobs";
import type { Db } from "@shared/db/client";
import { conversationParticipants, conversations, messageDigests, messages, users } from "@shared/db/schema";
import { enqueueJob } from "../../jobs/enqueue";
import { unreadMessagesEmail } from "../../templates/emails/messages";
import { notify, type NotificationDeps } from "./service";

/** Most messages a digest quotes; the count covers the rest. */
export const DIGEST_MESSAGES = 5;
const EXCERPT_CHARS = 140;
/** Keeps each INSERT under D1's 100 bound parameters. */
const CHUNK = 90;

export const digestJobKey = (userId: string, conversationId: string, dueAt: Date) => `digest:${userId}:${conversationId}:${dueAt.getTime()}`;

const log = (msg: string, fields: Record<string, unknown>) => console.error(JSON.stringify({ level: "error", msg, ...fields }));

/**
 * Starts a quiet period for each of these users in the conversation, unless one is already running.
 * Only current participants get one. Never throws: the message that prompted it is already stored, so a
 * failure is logged, and a row whose job could not be enqueued is picked up by the hourly cron.
 */
export async function scheduleMessageDigests(deps: NotificationDeps, conversationId: string, userIds: string[]): Promise<void> {
  const { db, env, config } = deps;
  const quietSeconds = config.messageDigestQuietMinutes * 60;
  const dueAt = new Date(Date.now() + quietSeconds * 1000);
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return;

  // Selecting from the participants both drops non-participants and spares a foreign-key failure for an
  // account deleted meanwhile, which would otherwise roll back everyone's row in the batch.
  const inserts = chunk(unique, CHUNK).map((ids) =>
    db
      .insert(messageDigests)
      .select(
        db
          .select({ userId: conversationParticipants.userId, conversationId: conversationParticipants.conversationId, dueAt: sql`${dueAt.getTime()}`.as("due_at") })
          .from(conversationParticipants)
          .where(and(eq(conversationParticipants.conversationId, conversationId), inArray(conversationParticipants.userId, ids))),
      )
      .onConflictDoNothing()
      .returning({ userId: messageDigests.userId }),
  );
  let started: string[];
  try {
    const results = await db.batch(inserts as [(typeof inserts)[0], ...typeof inserts]);
    started = results.flat().map((row) => row.userId);
  } catch (error) {
    log("digest scheduling failed", { conversationId, users: unique.length, error: String(error) });
    return;
  }

  const outcomes = await Promise.allSettled(
    started.map((userId) =>
      enqueueJob(env.JOBS, "messages.digest", digestJobKey(userId, conversationId, dueAt), { userId, conversationId, dueAt: dueAt.toISOString() }, { delaySeconds: quietSeconds }),
    ),
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "rejected") log("digest job not enqueued", { conversationId, userId: started[i], error: String(outcome.reason) });
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const lastReadSeq = (conversationId: string, userId: string) =>
  sql`(SELECT ${conversationParticipants.lastReadSeq} FROM ${conversationParticipants}
    WHERE ${conversationParticipants.conversationId} = ${conversationId} AND ${conversationParticipants.userId} = ${userId})`;

/** Messages from others after the user's last read one, still live: a range of messages_live_idx. */
const unreadWhere = (conversationId: string, userId: string) =>
  and(
    eq(messages.conversationId, conversationId),
    gt(messages.seq, lastReadSeq(conversationId, userId)),
    isNull(messages.deletedAt),
    sql`${messages.senderId} IS NOT ${userId}`,
  );

export const unreadMessagesCountQuery = (db: Db, conversationId: string, userId: string) =>
  db.select({ count: count() }).from(messages).where(unreadWhere(conversationId, userId));

export const newestUnreadMessagesQuery = (db: Db, conversationId: string, userId: string) =>
  db
    .select({ content: messages.content, createdAt: messages.createdAt, firstName: users.firstName })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.senderId))
    .where(unreadWhere(conversationId, userId))
    .orderBy(desc(messages.seq))
    .limit(DIGEST_MESSAGES);

/** The `messages.digest` job: one digest for what is still unread when the quiet period ends. */
export async function sendMessageDigest(deps: NotificationDeps, payload: z.infer<typeof MessageDigestJobPayload>, jobKey: string): Promise<void> {
  const { db, config } = deps;
  const { userId, conversationId } = payload;
  const dueAt = new Date(payload.dueAt);
  const digestRow = and(eq(messageDigests.userId, userId), eq(messageDigests.conversationId, conversationId), eq(messageDigests.dueAt, dueAt));
  const [digest, participant, [unread], newest, conversation, others] = await db.batch([
    db.select({ userId: messageDigests.userId }).from(messageDigests).where(digestRow),
    db
      .select({ firstName: users.firstName })
      .from(conversationParticipants)
      .innerJoin(users, eq(users.id, conversationParticipants.userId))
      .where(and(eq(conversationParticipants.conversationId, conversationId), eq(conversationParticipants.userId, userId))),
    unreadMessagesCountQuery(db, conversationId, userId),
    newestUnreadMessagesQuery(db, conversationId, userId),
    db.select({ title: conversations.title }).from(conversations).where(eq(conversations.id, conversationId)),
    db
      .select({ firstName: users.firstName })
      .from(conversationParticipants)
      .innerJoin(users, eq(users.id, conversationParticipants.userId))
      .where(and(eq(conversationParticipants.conversationId, conversationId), ne(conversationParticipants.userId, userId)))
      .orderBy(conversationParticipants.joinedAt)
      .limit(4),
  ]);
  // Another run of this job already sent it, or the conversation is gone (the row went with it).
  if (digest.length === 0) return;
  const done = () => db.delete(messageDigests).where(digestRow);
  const unreadCount = unread?.count ?? 0;
  if (participant.length === 0 || unreadCount === 0 || newest.length === 0) {
    await done();
    return;
  }

  const conversationName = conversation[0]?.title || namesOf(others.map((o) => o.firstName));
  const quoted = newest.map((m) => ({ senderName: m.firstName ?? "A former member", content: m.content, createdAt: m.createdAt }));
  const base = config.appUrl.replace(/\/+$/, "");
  const email = unreadMessagesEmail({
    firstName: participant[0]!.firstName,
    conversationName,
    unreadCount,
    messages: quoted,
    link: `${base}/messages/${encodeURIComponent(conversationId)}`,
    preferencesLink: `${base}/settings/notifications`,
  });
  const latest = quoted[0]!;
  await notify(deps, userId, {
    type: "MESSAGES_UNREAD",
    title: email.subject,
    body: excerpt(`${latest.senderName}: ${latest.content}`),
    data: { conversationId, unreadCount },
    email,
    key: jobKey,
  });
  // Only now: a crash before this line leaves the row, so the retry (or the cron) sends it, and the key
  // keeps notify from sending it twice.
  await done();
}

function namesOf(names: string[]): string {
  if (names.length === 0) return "a conversation";
  if (names.length <= 3) return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `${names.slice(0, 2).join(", ")} and others`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1).trimEnd()}…`;
}
