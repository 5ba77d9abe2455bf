import { and, eq, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Db } from "@shared/db/client";
import { conversationParticipants as cp, conversations } from "@shared/db/schema";
import { ApiError, notFound, unauthorized, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, encodeCursor, type Page } from "@shared/lib/pagination";
import { emitToUsers, removeFromRoom } from "../realtime/push";
import { announceAdded, type MessagingDeps } from "./publish";
import { conversationViewsQuery, idsOf, insertParticipants, participantIdsQuery, toConversationView, usersAmong } from "./queries";
import type { ConversationView, CreateConversationInput } from "./schemas";

export { listMessages, markRead, publishMessage, sendMessage } from "./messages";

/** The conversation's participant ids, when `userId` is one of them; anyone else gets 404, as for a missing id. */
export async function requireParticipant(db: Db, userId: string, conversationId: string): Promise<string[]> {
  const ids = idsOf(await participantIdsQuery(db, conversationId));
  if (!ids.includes(userId)) throw notFound("Conversation");
  return ids;
}

/** Users sharing at least one conversation with `userId` (who hears about their presence). */
export async function coParticipantIds(db: Db, userId: string): Promise<string[]> {
  const other = alias(cp, "other");
  const rows = await db
    .selectDistinct({ userId: other.userId })
    .from(cp)
    .innerJoin(other, eq(other.conversationId, cp.conversationId))
    .where(and(eq(cp.userId, userId), ne(other.userId, userId)));
  return idsOf(rows);
}

/** The users `ids` name (with `actorId`, whose name the notifications need); unknown ones are a 400 at their index. */
async function realUsers(db: Db, actorId: string, ids: string[]) {
  const found = await usersAmong(db, [actorId, ...ids]);
  const known = new Set(found.map((user) => user.id));
  const errors = ids.flatMap((id, index) => (known.has(id) ? [] : [{ path: `body.participantIds.${index}`, message: "no such user" }]));
  if (errors.length) throw validationFailed(errors);
  const actor = found.find((user) => user.id === actorId);
  // A token outlives an account deleted meanwhile by at most its few minutes.
  if (!actor) throw unauthorized("This account no longer exists");
  return { actor, ids: [...new Set(ids)] };
}

const viewOrNotFound = (rows: Parameters<typeof toConversationView>[0][]) => {
  if (!rows[0]) throw notFound("Conversation");
  return toConversationView(rows[0]);
};

export async function createConversation(deps: MessagingDeps, userId: string, input: CreateConversationInput): Promise<ConversationView> {
  const { db } = deps;
  const { actor, ids } = await realUsers(db, userId, input.participantIds);
  const now = new Date();
  const id = newId();
  const title = input.title ?? null;
  const [, added, view] = await db.batch([
    db.insert(conversations).values({ id, title, createdBy: userId, createdAt: now, updatedAt: now, lastActivityAt: now }),
    insertParticipants(db, id, [userId, ...ids.filter((other) => other !== userId)], now),
    conversationViewsQuery(db, userId, { conversationId: id }),
  ]);
  await announceAdded(deps, actor, { id, title }, idsOf(added));
  return viewOrNotFound(view);
}

export async function getConversation(db: Db, userId: string, conversationId: string): Promise<ConversationView> {
  return viewOrNotFound(await conversationViewsQuery(db, userId, { conversationId }));
}

/** The caller's conversations, newest activity first; the cursor is the last one's (activity time, id). */
export async function listConversations(db: Db, userId: string, query: { limit: number; cursor?: string }): Promise<Page<ConversationView>> {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.number().int(), z.string()])) : undefined;
  const rows = await conversationViewsQuery(db, userId, { limit: query.limit, after });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items: items.map(toConversationView),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.lastActivityAt.getTime(), last.id]) : null,
  };
}

/** Any participant may rename the conversation. */
export async function updateConversation(db: Db, userId: string, conversationId: string, input: { title: string | null }): Promise<ConversationView> {
  const [, view] = await db.batch([
    db
      .update(conversations)
      .set({ title: input.title, updatedAt: new Date() })
      .where(and(eq(conversations.id, conversationId), sql`EXISTS (SELECT 1 FROM ${cp} WHERE ${cp.conversationId} = ${conversationId} AND ${cp.userId} = ${userId})`)),
    conversationViewsQuery(db, userId, { conversationId }),
  ]);
  return viewOrNotFound(view);
}

/** Who is in the conversation and who created it, or 404 when `userId` is not in it. */
async function membership(db: Db, userId: string, conversationId: string) {
  const [members, [conversation]] = await db.batch([
    participantIdsQuery(db, conversationId),
    db.select({ createdBy: conversations.createdBy }).from(conversations).where(eq(conversations.id, conversationId)),
  ]);
  const memberIds = idsOf(members);
  if (!conversation || !memberIds.includes(userId)) throw notFound("Conversation");
  return { memberIds, createdBy: conversation.createdBy };
}

/** Only the creator deletes a conversation for everyone (its messages go with it); the others may leave it. */
export async function deleteConversation(deps: MessagingDeps, userId: string, conversationId: string): Promise<void> {
  const { memberIds, createdBy } = await membership(deps.db, userId, conversationId);
  if (createdBy !== userId) {
    throw new ApiError(
      "FORBIDDEN",
      `Only the conversation's creator can delete it; to leave it instead, DELETE /api/conversations/${conversationId}/participants/${userId}`,
    );
  }
  const deleted = await deps.db
    .delete(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.createdBy, userId)))
    .returning({ id: conversations.id });
  if (!deleted[0]) throw notFound("Conversation");
  await emitToUsers(deps.env, memberIds, "conversationDeleted", { conversationId });
}

/** Any participant may add people; those already in the conversation are left as they are. */
export async function addParticipants(deps: MessagingDeps, userId: string, conversationId: string, participantIds: string[]): Promise<ConversationView> {
  const { db } = deps;
  await requireParticipant(db, userId, conversationId);
  const { actor, ids } = await realUsers(db, userId, participantIds);
  const [added, view] = await db.batch([
    insertParticipants(db, conversationId, ids, new Date(), userId),
    conversationViewsQuery(db, userId, { conversationId }),
  ]);
  const conversation = viewOrNotFound(view);
  await announceAdded(deps, actor, conversation, idsOf(added));
  return conversation;
}

/**
 * Anyone may leave; the creator may remove anyone. The removed user's sockets leave the room at once, and a
 * conversation nobody is left in is deleted.
 */
export async function removeParticipant(deps: MessagingDeps, userId: string, conversationId: string, removedId: string): Promise<void> {
  const { db } = deps;
  const { memberIds, createdBy } = await membership(db, userId, conversationId);
  if (!memberIds.includes(removedId)) throw notFound("Participant");
  if (removedId !== userId && createdBy !== userId) {
    throw new ApiError("FORBIDDEN", "Only the conversation's creator can remove other participants; anyone may remove themselves");
  }
  await db.batch([
    db.delete(cp).where(and(eq(cp.conversationId, conversationId), eq(cp.userId, removedId))),
    db
      .delete(conversations)
      .where(and(eq(conversations.id, conversationId), sql`NOT EXISTS (SELECT 1 FROM ${cp} WHERE ${cp.conversationId} = ${conversationId})`)),
  ]);
  await removeFromRoom(deps.env, removedId, conversationId);
}
