// Telling people about what is already stored: socket pushes, notifications, digests. None of it may fail or
// undo the write it announces (a client that missed a push catches up from the REST history), so failures
// are logged and swallowed here.
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import type { Env } from "@shared/env";
import { scheduleMessageDigests } from "../notifications/digests";
import { notify } from "../notifications/service";
import { emitToRoom } from "../realtime/push";
import type { MessageView } from "./schemas";

/** What publishing needs: a route's ServiceDeps or the socket Durable Object's own bindings. */
export interface MessagingDeps {
  env: Env;
  db: Db;
  config: Config;
}

const logFailure = (msg: string, fields: Record<string, unknown>, error: unknown) =>
  console.error(JSON.stringify({ level: "error", msg, ...fields, error: String(error) }));

/**
 * A stored message to every participant's sockets in its room; participants with no socket at all (other than
 * the sender) get an unread-messages digest scheduled instead.
 */
export async function publishMessage(deps: MessagingDeps, message: MessageView, participantIds: string[]): Promise<void> {
  try {
    const { offlineUserIds } = await emitToRoom(deps.env, participantIds, message.conversationId, "receiveMessage", message);
    const absent = offlineUserIds.filter((id) => id !== message.senderId);
    if (absent.length) await scheduleMessageDigests(deps, message.conversationId, absent);
  } catch (error) {
    logFailure("message publish failed", { conversationId: message.conversationId, messageId: message.id }, error);
  }
}

/** A read receipt, to the reader's co-participants in the room (the reader's own tabs already know). */
export async function publishRead(env: Env, participantIds: string[], read: { conversationId: string; userId: string; messageId: string }): Promise<void> {
  await emitToRoom(env, participantIds, read.conversationId, "messageRead", read, { exceptUserId: read.userId });
}

/** CONVERSATION_ADDED for each user `adder` just added (never the adder themselves). */
export async function announceAdded(
  deps: MessagingDeps,
  adder: { id: string; firstName: string; lastName: string },
  conversation: { id: string; title: string | null },
  addedIds: string[],
): Promise<void> {
  const name = `${adder.firstName} ${adder.lastName}`.trim();
  const what = conversation.title ? `the conversation "${conversation.title}"` : "a conversation";
  const body = `${name} added you to ${what}`;
  // The same page the unread-messages digest links to.
  const link = `${deps.config.appUrl.replace(/\/+$/, "")}/messages/${encodeURIComponent(conversation.id)}`;
  const targets = addedIds.filter((id) => id !== adder.id);
  const outcomes = await Promise.allSettled(
    targets.map((userId) =>
      notify(deps, userId, {
        type: "CONVERSATION_ADDED",
        title: "New conversation",
        body,
        data: { conversationId: conversation.id, addedBy: adder.id },
        email: { subject: body, text: `${body}.\n\nOpen it in Lightbox: ${link}\n` },
      }),
    ),
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "rejected") logFailure("conversation notification failed", { conversationId: conversation.id, userId: targets[i] }, outcome.reason);
  });
}
