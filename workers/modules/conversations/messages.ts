import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { conversationParticipants as cp, conversations, messages } from "@shared/db/schema";
import { ApiError, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { emitToRoom } from "../realtime/push";
import type { MessagingDeps } from "./publish";
import { idsOf, messageInQuery, messagePageQuery, participantIdsQuery } from "./queries";
import { parseContent, toMessageView, type MessageView } from "./schemas";

export { publishMessage } from "./publish";

const isParticipant = (conversationId: string, userId: string) =>
  sql`EXISTS (SELECT 1 FROM ${cp} WHERE ${cp.conversationId} = ${conversationId} AND ${cp.userId} = ${userId})`;

/**
 * Stores a message, in one batch that inserts it only if the sender is a participant, moves the conversation's
 * activity time and the sender's read position to it, and reads who is in the conversation. The caller
 * publishes it afterwards (`publishMessage`): nobody hears of a message before it is stored.
 */
export async function sendMessage(db: Db, userId: string, conversationId: string, content: string): Promise<{ message: MessageView; participantIds: string[] }> {
  const text = parseContent(content);
  const id = newId();
  const now = new Date();
  const seqOfNew = sql`(SELECT ${messages.seq} FROM ${messages} WHERE ${messages.id} = ${id})`;
  const [inserted, , , members] = await db.batch([
    db
      .insert(messages)
      .select(sql`SELECT NULL, ${id}, ${conversationId}, ${userId}, ${text}, ${now.getTime()}, NULL, NULL WHERE ${isParticipant(conversationId, userId)}`)
      .returning(),
    db
      .update(conversations)
      .set({ lastActivityAt: sql`max(${conversations.lastActivityAt}, ${now.getTime()})` })
      .where(and(eq(conversations.id, conversationId), sql`${seqOfNew} IS NOT NULL`)),
    db
      .update(cp)
      .set({ lastReadSeq: sql`max(${cp.lastReadSeq}, ${seqOfNew})` })
      .where(and(eq(cp.conversationId, conversationId), eq(cp.userId, userId), sql`${seqOfNew} IS NOT NULL`)),
    participantIdsQuery(db, conversationId),
  ]);
  if (!inserted[0]) throw notFound("Conversation");
  return { message: toMessageView(inserted[0]), participantIds: idsOf(members) };
}

/**
 * History newest first, `limit` messages sent before the `before` message (a message id of this conversation,
 * 400 otherwise); `nextCursor` is the oldest one's id when there are older ones.
 */
export async function listMessages(
  db: Db,
  userId: string,
  conversationId: string,
  query: { limit: number; before?: string },
): Promise<{ items: MessageView[]; nextCursor: string | null }> {
  const [members, anchor, rows] = await db.batch([
    participantIdsQuery(db, conversationId),
    messageInQuery(db, conversationId, query.before ?? ""),
    messagePageQuery(db, conversationId, query.limit, query.before),
  ]);
  if (!idsOf(members).includes(userId)) throw notFound("Conversation");
  if (query.before !== undefined && !anchor[0]) {
    throw validationFailed([{ path: "query.before", message: "is not a message of this conversation" }]);
  }
  const items = rows.slice(0, query.limit);
  return { items: items.map(toMessageView), nextCursor: rows.length > query.limit ? items.at(-1)!.id : null };
}

/**
 * Moves the caller's read position forward to `messageId` (never back). A message that is not in this
 * conversation is a 404, like one that does not exist.
 */
export async function markRead(db: Db, userId: string, conversationId: string, messageId: string): Promise<{ participantIds: string[] }> {
  const seqOfRead = sql`(SELECT ${messages.seq} FROM ${messages} WHERE ${messages.id} = ${messageId} AND ${messages.conversationId} = ${conversationId})`;
  const [members, moved] = await db.batch([
    participantIdsQuery(db, conversationId),
    db
      .update(cp)
      .set({ lastReadSeq: sql`max(${cp.lastReadSeq}, ${seqOfRead})` })
      .where(and(eq(cp.conversationId, conversationId), eq(cp.userId, userId), sql`${seqOfRead} IS NOT NULL`))
      .returning({ userId: cp.userId }),
  ]);
  const participantIds = idsOf(members);
  if (!participantIds.includes(userId)) throw notFound("Conversation");
  if (!moved[0]) throw notFound("Message");
  return { participantIds };
}

/**
 * Runs `change` on the caller's own live message, in one batch with the checks that decide the refusal:
 * 404 for outsiders and for messages that are not (or no longer) there, 403 for someone else's message.
 */
async function changeOwnMessage(db: Db, userId: string, conversationId: string, messageId: string, change: Partial<typeof messages.$inferInsert>) {
  const [members, [message], [changed]] = await db.batch([
    participantIdsQuery(db, conversationId),
    messageInQuery(db, conversationId, messageId),
    db
      .update(messages)
      .set(change)
      .where(
        and(
          eq(messages.id, messageId),
          eq(messages.conversationId, conversationId),
          eq(messages.senderId, userId),
          isNull(messages.deletedAt),
          isParticipant(conversationId, userId),
        ),
      )
      .returning(),
  ]);
  const participantIds = idsOf(members);
  if (!participantIds.includes(userId)) throw notFound("Conversation");
  if (!message || message.deletedAt) throw notFound("Message");
  if (message.senderId !== userId) throw new ApiError("FORBIDDEN", "Only the sender can edit or delete a message");
  if (!changed) throw notFound("Message");
  return { participantIds, message: changed };
}

/** The sender rewrites their message; the room sees `messageUpdated`. */
export async function editMessage(deps: MessagingDeps, userId: string, conversationId: string, messageId: string, content: string): Promise<MessageView> {
  const text = parseContent(content);
  const { participantIds, message } = await changeOwnMessage(deps.db, userId, conversationId, messageId, { content: text, editedAt: new Date() });
  const view = toMessageView(message);
  await emitToRoom(deps.env, participantIds, conversationId, "messageUpdated", view);
  return view;
}

/** The sender deletes their message: the row stays (history cursors may name it), its content does not. */
export async function deleteMessage(deps: MessagingDeps, userId: string, conversationId: string, messageId: string): Promise<void> {
  const { participantIds } = await changeOwnMessage(deps.db, userId, conversationId, messageId, { content: "", deletedAt: new Date() });
  await emitToRoom(deps.env, participantIds, conversationId, "messageDeleted", { conversationId, messageId });
}
