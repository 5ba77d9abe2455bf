import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { getConfig } from "@shared/config";
import { createDb } from "@shared/db/client";
import { conversationParticipants, conversations, messages, users } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { uniqueEmail } from "../support/http";
import { recordingDeps as recordJobs } from "../support/jobs";

export const db = createDb(env.DB);
export const config = getConfig(env);

export { runJob, settledMails, type SentJob } from "../support/jobs";

/**
 * Service deps whose JOBS binding is the real local queue with a record of what was sent. Emails go on to
 * the real consumer (and the dev mailbox); digest jobs wait a whole quiet period there, so tests run those
 * themselves with `runJob` instead.
 */
export const recordingDeps = () => recordJobs((body) => body.type !== "messages.digest");

export async function newUser(firstName = "Uma", lastName = "Tester"): Promise<{ id: string; email: string; firstName: string }> {
  const now = new Date();
  const user = { id: newId(), email: uniqueEmail("notif"), firstName, lastName, createdAt: now, updatedAt: now };
  await db.insert(users).values(user);
  return user;
}

export async function newConversation(memberIds: string[], title: string | null = null): Promise<string> {
  const id = newId();
  const now = new Date();
  await db.batch([
    db.insert(conversations).values({ id, title, createdBy: memberIds[0], createdAt: now, updatedAt: now, lastActivityAt: now }),
    db.insert(conversationParticipants).values(memberIds.map((userId) => ({ conversationId: id, userId }))),
  ]);
  return id;
}

/** Stores messages in order; answers their `seq`s. */
export async function postMessages(conversationId: string, senderId: string, contents: string[]): Promise<number[]> {
  const rows = await db
    .insert(messages)
    .values(contents.map((content) => ({ id: newId(), conversationId, senderId, content })))
    .returning({ seq: messages.seq });
  return rows.map((row) => row.seq);
}

export async function readUpTo(conversationId: string, userId: string, seq: number): Promise<void> {
  await db
    .update(conversationParticipants)
    .set({ lastReadSeq: seq })
    .where(and(eq(conversationParticipants.conversationId, conversationId), eq(conversationParticipants.userId, userId)));
}
