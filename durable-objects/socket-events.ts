// The client events of API.md's real-time table: each validates its arguments, checks participation against
// D1 through the conversations service (the same rules as the REST routes), and answers. Handlers run inside
// the SocketConnection of the emitting socket, one event at a time per connection.
import { z } from "zod";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import type { Env } from "@shared/env";
import { ApiError } from "@shared/lib/errors";
import type { UserHub } from "./user-hub";
import { listMessages, markRead, publishMessage, requireParticipant, sendMessage } from "../workers/modules/conversations/service";
import { emitToRoom } from "../workers/modules/realtime/push";

export interface EventContext {
  deps: { env: Env; db: Db; config: Config };
  userId: string;
  connectionId: string;
  hub: DurableObjectStub<UserHub>;
  /** Sends an event to this socket only. */
  emit(event: string, data: unknown): void;
}

/** What a handler answers: the ack payload (sent if the client asked for one), then work done after the ack. */
export interface Outcome {
  ack: unknown;
  after?: () => Promise<unknown>;
}

type Handler = (ctx: EventContext, args: unknown[]) => Promise<Outcome>;

const Id = z.string().trim().min(1, "is required").max(100, "is too long");
/** `joinRoom "c1"` as API.md writes it, and `joinRoom { conversationId: "c1" }` as some frontends send it. */
const ConversationArg = z.union([Id, z.object({ conversationId: Id }).transform((o) => o.conversationId)], {
  error: "must be a conversation id",
});
const SendArgs = z.object({ conversationId: Id, content: z.string({ error: "must be a string" }) });
const HistoryArgs = z.object({
  conversationId: Id,
  limit: z.number().int().min(1).max(100).optional(),
  before: Id.optional(),
});
const ReadArgs = z.object({ conversationId: Id, messageId: Id });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${["data", ...issue.path.map(String)].join(".")}: ${issue.message}`);
  throw new ApiError("VALIDATION_FAILED", problems.join("; "));
}

/** Tells the room, whose membership is the conversation's participants as D1 knows them now. */
async function toRoom(ctx: EventContext, conversationId: string, event: string, data: unknown, othersOnly = false) {
  const participants = await requireParticipant(ctx.deps.db, ctx.userId, conversationId);
  await emitToRoom(ctx.deps.env, participants, conversationId, event, data, othersOnly ? { exceptUserId: ctx.userId } : {});
}

const typing =
  (event: "userTyping" | "userStoppedTyping"): Handler =>
  async (ctx, [arg]) => {
    const conversationId = parse(ConversationArg, arg);
    const payload = { conversationId, userId: ctx.userId };
    await toRoom(ctx, conversationId, event, payload, true);
    return { ack: payload };
  };

export const eventHandlers: Record<string, Handler> = {
  async joinRoom(ctx, [arg]) {
    const conversationId = parse(ConversationArg, arg);
    await requireParticipant(ctx.deps.db, ctx.userId, conversationId);
    await ctx.hub.join(ctx.connectionId, ctx.userId, conversationId);
    // Checked again once joined: a removal that landed in between has already dropped the room at the hub,
    // and must not be undone by this join.
    const participants = await requireParticipant(ctx.deps.db, ctx.userId, conversationId).catch(async (error) => {
      await ctx.hub.leave(ctx.connectionId, conversationId);
      throw error;
    });
    ctx.emit("joinRoomSuccess", { conversationId });
    return {
      ack: { conversationId },
      after: () => emitToRoom(ctx.deps.env, participants, conversationId, "userJoinRoom", { conversationId, userId: ctx.userId }),
    };
  },

  async leaveRoom(ctx, [arg]) {
    const conversationId = parse(ConversationArg, arg);
    await requireParticipant(ctx.deps.db, ctx.userId, conversationId);
    await ctx.hub.leave(ctx.connectionId, conversationId);
    ctx.emit("leaveRoomSuccess", { conversationId });
    return { ack: { conversationId }, after: () => toRoom(ctx, conversationId, "userLeaveRoom", { conversationId, userId: ctx.userId }) };
  },

  async sendMessage(ctx, [arg]) {
    const { conversationId, content } = parse(SendArgs, arg);
    // Stored before anyone hears of it: the ack and every receiveMessage carry a message that is in D1.
    const { message, participantIds } = await sendMessage(ctx.deps.db, ctx.userId, conversationId, content);
    return { ack: message, after: () => publishMessage(ctx.deps, message, participantIds) };
  },

  async getMessageHistory(ctx, [arg]) {
    const { conversationId, limit, before } = parse(HistoryArgs, arg);
    const page = await listMessages(ctx.deps.db, ctx.userId, conversationId, { limit: limit ?? 50, before });
    const history = { conversationId, messages: page.items, nextCursor: page.nextCursor };
    ctx.emit("messageHistory", history);
    return { ack: history };
  },

  startTyping: typing("userTyping"),
  stopTyping: typing("userStoppedTyping"),

  async markMessageRead(ctx, [arg]) {
    const { conversationId, messageId } = parse(ReadArgs, arg);
    const { participantIds } = await markRead(ctx.deps.db, ctx.userId, conversationId, messageId);
    const payload = { conversationId, userId: ctx.userId, messageId };
    return {
      ack: payload,
      after: () => emitToRoom(ctx.deps.env, participantIds, conversationId, "messageRead", payload, { exceptUserId: ctx.userId }),
    };
  },
};
