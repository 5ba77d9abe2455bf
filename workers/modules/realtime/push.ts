// Pushes from anywhere (routes, services, queue jobs, Durable Objects) to users' live sockets, through each
// user's UserHub. A push is best effort by design: the data it announces is already stored in D1, so a hub
// that cannot be reached is logged and the caller goes on (the client catches up from the REST history).
import type { Env } from "@shared/env";
import { eventFrame } from "../../../durable-objects/socket-io/frames";

export interface PushOptions {
  /** Leave this user's own connections out (typing indicators, read receipts go "to the others"). */
  exceptUserId?: string;
}

export interface PushResult {
  /** Users with no live connection at all: the caller may fall back to email for them. */
  offlineUserIds: string[];
}

const hubOf = (env: Env, userId: string) => env.USER_HUBS.get(env.USER_HUBS.idFromName(userId));

async function fanOut(
  env: Env,
  userIds: string[],
  opts: PushOptions,
  deliver: (hub: ReturnType<typeof hubOf>) => Promise<boolean>,
): Promise<PushResult> {
  const targets = [...new Set(userIds)].filter((id) => id !== opts.exceptUserId);
  const outcomes = await Promise.allSettled(targets.map((userId) => deliver(hubOf(env, userId))));
  const offlineUserIds: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "fulfilled") {
      if (!outcome.value) offlineUserIds.push(targets[i]!);
      return;
    }
    offlineUserIds.push(targets[i]!);
    console.error(JSON.stringify({ level: "error", msg: "push failed", userId: targets[i], error: String(outcome.reason) }));
  });
  return { offlineUserIds };
}

/** `event` to every connection of these users that joined the conversation's room. */
export function emitToRoom(
  env: Env,
  userIds: string[],
  conversationId: string,
  event: string,
  data: unknown,
  opts: PushOptions = {},
): Promise<PushResult> {
  const frame = eventFrame(event, data);
  return fanOut(env, userIds, opts, (hub) => hub.emitToRoom(conversationId, frame));
}

/** `event` to every connection of these users, joined rooms or not (notifications, presence). */
export function emitToUsers(env: Env, userIds: string[], event: string, data: unknown, opts: PushOptions = {}): Promise<PushResult> {
  const frame = eventFrame(event, data);
  return fanOut(env, userIds, opts, (hub) => hub.emitToAll(frame));
}

/** A participant removed from a conversation: their connections leave its room at once. */
export async function removeFromRoom(env: Env, userId: string, conversationId: string): Promise<void> {
  try {
    await hubOf(env, userId).dropRoom(conversationId, eventFrame("leaveRoomSuccess", { conversationId }));
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "room removal failed", userId, conversationId, error: String(error) }));
  }
}
