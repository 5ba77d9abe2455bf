import { z } from "@hono/zod-openapi";
import type { Message } from "@shared/db/schema";
import { validationFailed } from "@shared/lib/errors";
import { limitParam } from "@shared/lib/pagination";
import { optionalText } from "../../openapi";

const id = z.string().min(1).max(64);

/** A message's text: the REST routes and the socket's `sendMessage` both validate with this one schema. */
export const MessageContentSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(10_000, "must be at most 10000 characters")
  .openapi({ example: "The proofs are ready" });

/** Content from a caller that bypasses the route's validation (the socket): the same rules, the same 400. */
export function parseContent(content: unknown): string {
  const parsed = MessageContentSchema.safeParse(content);
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error.issues.map((issue) => ({ path: "body.content", message: issue.message })));
}

export const MessageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    /** Null once the sender's account is gone. */
    senderId: z.string().nullable(),
    content: z.string(),
    createdAt: z.iso.datetime(),
    editedAt: z.iso.datetime().nullable(),
  })
  .openapi("Message");
export type MessageView = z.infer<typeof MessageSchema>;

export const toMessageView = (message: Pick<Message, "id" | "conversationId" | "senderId" | "content" | "createdAt" | "editedAt">): MessageView => ({
  id: message.id,
  conversationId: message.conversationId,
  senderId: message.senderId,
  content: message.content,
  createdAt: message.createdAt.toISOString(),
  editedAt: message.editedAt?.toISOString() ?? null,
});

export const ParticipantSchema = z.object({ id: z.string(), firstName: z.string(), lastName: z.string() }).openapi("Participant");

export const ConversationSchema = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    participants: z.array(ParticipantSchema),
    /** Only the creator may delete the conversation; null once that account is gone. */
    createdBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    /** The newest message that is not deleted. */
    lastMessage: MessageSchema.nullable(),
    /** Messages from others after the caller's last read one. */
    unreadCount: z.number().int(),
  })
  .openapi("Conversation");
export type ConversationView = z.infer<typeof ConversationSchema>;

export const ConversationListSchema = z
  .object({ items: z.array(ConversationSchema), nextCursor: z.string().nullable() })
  .openapi("ConversationList");

export const MessageListSchema = z
  .object({
    items: z.array(MessageSchema),
    /** The oldest message's id when older ones exist: pass it back as `before`. */
    nextCursor: z.string().nullable(),
  })
  .openapi("MessageList");

const participantIds = z.array(id).min(1).max(100).openapi({ example: ["0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e"] });
const title = optionalText(200).openapi({ example: "Smith wedding" });

export const CreateConversationSchema = z.strictObject({ participantIds, title: title.optional() }).openapi("CreateConversation");
export type CreateConversationInput = z.infer<typeof CreateConversationSchema>;

export const UpdateConversationSchema = z.strictObject({ title }).openapi("UpdateConversation");

export const AddParticipantsSchema = z.strictObject({ participantIds }).openapi("AddParticipants");

export const SendMessageSchema = z.strictObject({ content: MessageContentSchema }).openapi("SendMessage");

export const MarkReadSchema = z.strictObject({ messageId: id }).openapi("MarkRead");

export const ConversationListQuery = z.object({ limit: limitParam, cursor: z.string().max(512).optional() });

export const MessageListQuery = z.object({
  limit: limitParam,
  /** A message id of this conversation: the page holds the messages sent before it. */
  before: id.optional(),
});

export const ConversationIdParams = z.object({ id });
export const ParticipantParams = z.object({ id, userId: id });
export const MessageParams = z.object({ id, messageId: id });
