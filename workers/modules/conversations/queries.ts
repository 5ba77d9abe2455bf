// The statements behind conversation and message reads, unexecuted, so handlers can batch them with writes and
// tests can read their SQL for EXPLAIN QUERY PLAN.
import { and, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "@shared/db/client";
import { conversationParticipants as cp, conversations, messages, users } from "@shared/db/schema";
import { toMessageView, type ConversationView } from "./schemas";

/** The participant ids of a conversation (its primary key's range, covering). */
export const participantIdsQuery = (db: Db, conversationId: string) =>
  db.select({ userId: cp.userId }).from(cp).where(eq(cp.conversationId, conversationId));

export const idsOf = (rows: { userId: string }[]) => rows.map((row) => row.userId);

/** Existing users among `ids`, through one JSON parameter (D1 binds at most 100 parameters per statement). */
export const usersAmong = (db: Db, ids: string[]) =>
  db
    .select({ id: users.id, firstName: users.firstName, lastName: users.lastName })
    .from(users)
    .where(sql`${users.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);

/**
 * Adds the existing users among `ids` to a conversation, returning those not already in it. With `whileMember`,
 * only while that user is still a participant (a caller removed meanwhile adds no one).
 */
export function insertParticipants(db: Db, conversationId: string, ids: string[], joinedAt: Date, whileMember?: string) {
  // SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT (without one, the ON is ambiguous).
  const guard = whileMember
    ? sql`EXISTS (SELECT 1 FROM ${cp} WHERE ${cp.conversationId} = ${conversationId} AND ${cp.userId} = ${whileMember})`
    : sql`true`;
  return db
    .insert(cp)
    .select(
      sql`SELECT ${conversationId}, u.id, ${joinedAt.getTime()}, 0 FROM json_each(${JSON.stringify(ids)}) j JOIN ${users} u ON u.id = j.value WHERE ${guard}`,
    )
    .onConflictDoNothing()
    .returning({ userId: cp.userId });
}

export type ConversationScope = { conversationId: string } | { limit: number; after?: [number, string] };

/**
 * The caller's conversations as views, newest activity first, in one statement. The page is chosen first
 * (the caller's participant rows, joined to their conversations, `limit + 1` of them), and only then does each
 * row of the page get its extras: the last message (the live index walked backwards, one step), the unread
 * count (a covering range of the live index after the caller's last read message), the participants' names.
 * Ordering by another table's activity time cannot come from an index, so the caller's conversations are
 * sorted once per page: that is the size of one user's inbox, never of the message history.
 */
export function conversationViewsQuery(db: Db, userId: string, scope: ConversationScope) {
  const conditions: SQL[] = [eq(cp.userId, userId)];
  if ("conversationId" in scope) conditions.push(eq(cp.conversationId, scope.conversationId));
  else if (scope.after) conditions.push(sql`(${conversations.lastActivityAt}, ${conversations.id}) < (${scope.after[0]}, ${scope.after[1]})`);
  const page = db
    .select({
      id: conversations.id,
      title: conversations.title,
      createdBy: conversations.createdBy,
      createdAt: conversations.createdAt,
      updatedAt: conversations.updatedAt,
      lastActivityAt: conversations.lastActivityAt,
      lastReadSeq: cp.lastReadSeq,
    })
    .from(cp)
    .innerJoin(conversations, eq(conversations.id, cp.conversationId))
    .where(and(...conditions))
    .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
    .limit("conversationId" in scope ? 1 : scope.limit + 1)
    .as("page");
  const last = alias(messages, "last_message");
  return db
    .select({
      id: page.id,
      title: page.title,
      createdBy: page.createdBy,
      createdAt: page.createdAt,
      updatedAt: page.updatedAt,
      lastActivityAt: page.lastActivityAt,
      // Aliased: in a D1 batch, rows come back keyed by column name, and these share names with the page's.
      lastId: sql<string | null>`${last.id}`.as("last_id"),
      lastSenderId: sql<string | null>`${last.senderId}`.as("last_sender_id"),
      lastContent: sql<string | null>`${last.content}`.as("last_content"),
      lastCreatedAt: sql<Date | null>`${last.createdAt}`.mapWith(last.createdAt).as("last_created_at"),
      lastEditedAt: sql<Date | null>`${last.editedAt}`.mapWith(last.editedAt).as("last_edited_at"),
      unreadCount: sql<number>`(SELECT count(*) FROM ${messages} m WHERE m.conversation_id = ${page.id} AND m.deleted_at IS NULL
        AND m.seq > ${page.lastReadSeq} AND m.sender_id IS NOT ${userId})`
        .mapWith(Number)
        .as("unread_count"),
      participantList: sql<string>`(SELECT json_group_array(json_array(p.id, p.first_name, p.last_name)) FROM (
        SELECT u.id, u.first_name, u.last_name FROM ${cp} p JOIN ${users} u ON u.id = p.user_id
        WHERE p.conversation_id = ${page.id} ORDER BY p.joined_at, p.user_id) p)`.as("participant_list"),
    })
    .from(page)
    .leftJoin(
      last,
      eq(last.seq, sql`(SELECT m.seq FROM ${messages} m WHERE m.conversation_id = ${page.id} AND m.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1)`),
    )
    .orderBy(desc(page.lastActivityAt), desc(page.id));
}

export type ConversationRow = Awaited<ReturnType<typeof conversationViewsQuery>>[number];

export const toConversationView = (row: ConversationRow): ConversationView => ({
  id: row.id,
  title: row.title,
  participants: (JSON.parse(row.participantList) as [string, string, string][]).map(([id, firstName, lastName]) => ({ id, firstName, lastName })),
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  lastMessage:
    row.lastId === null
      ? null
      : toMessageView({ id: row.lastId, conversationId: row.id, senderId: row.lastSenderId, content: row.lastContent!, createdAt: row.lastCreatedAt!, editedAt: row.lastEditedAt }),
  unreadCount: row.unreadCount,
});

/**
 * A page of history, newest first: live messages of the conversation with a `seq` below the `before`
 * message's, `limit + 1` of them. Walking `seq` (not time) gives every message exactly once across pages,
 * however many arrive meanwhile. The `before` message may itself be deleted: its row keeps its place.
 */
export function messagePageQuery(db: Db, conversationId: string, limit: number, before?: string) {
  const conditions: SQL[] = [eq(messages.conversationId, conversationId), isNull(messages.deletedAt)];
  if (before !== undefined) {
    conditions.push(sql`${messages.seq} < (SELECT b.seq FROM ${messages} b WHERE b.id = ${before} AND b.conversation_id = ${conversationId})`);
  }
  return db
    .select()
    .from(messages)
    .where(and(...conditions))
    .orderBy(desc(messages.seq))
    .limit(limit + 1);
}

/** A message of this conversation, deleted or not. */
export const messageInQuery = (db: Db, conversationId: string, messageId: string) =>
  db
    .select()
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.conversationId, conversationId)))
    .limit(1);
