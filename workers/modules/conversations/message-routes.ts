import { createRoute } from "@hono/zod-openapi";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { deleteMessage, editMessage, listMessages, markRead, sendMessage } from "./messages";
import { publishMessage, publishRead } from "./publish";
import { ConversationIdParams, MarkReadSchema, MessageListQuery, MessageListSchema, MessageParams, MessageSchema, SendMessageSchema } from "./schemas";

const openapiTags = ["Conversations"];

/** A conversation's messages. Mounted inside conversationRoutes, behind its `requireAuth`. */
export const messageRoutes = createRouter();

messageRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/messages",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Send a message (stored first, then pushed to the room as `receiveMessage`)",
    request: { params: ConversationIdParams, body: jsonBody(SendMessageSchema) },
    responses: { 201: jsonResponse(MessageSchema, "The stored message"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const deps = depsOf(c);
    const { message, participantIds } = await sendMessage(deps.db, c.get("auth").sub, c.req.valid("param").id, c.req.valid("json").content);
    await publishMessage(deps, message, participantIds);
    return c.json(message, 201);
  },
);

messageRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/messages",
    tags: openapiTags,
    security: bearerAuth,
    summary: "History, newest first; pass `nextCursor` back as `before` for older messages",
    request: { params: ConversationIdParams, query: MessageListQuery },
    responses: { 200: jsonResponse(MessageListSchema, "A page of messages"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await listMessages(c.get("db"), c.get("auth").sub, c.req.valid("param").id, c.req.valid("query")), 200),
);

messageRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/read",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Mark the conversation read up to a message (never moves back); the others get `messageRead`",
    request: { params: ConversationIdParams, body: jsonBody(MarkReadSchema) },
    responses: { 204: { description: "Read position saved" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const userId = c.get("auth").sub;
    const conversationId = c.req.valid("param").id;
    const { messageId } = c.req.valid("json");
    const { participantIds } = await markRead(c.get("db"), userId, conversationId, messageId);
    await publishRead(c.env, participantIds, { conversationId, userId, messageId });
    return c.body(null, 204);
  },
);

messageRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}/messages/{messageId}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Edit your own message (pushed as `messageUpdated`)",
    request: { params: MessageParams, body: jsonBody(SendMessageSchema) },
    responses: {
      200: jsonResponse(MessageSchema, "The edited message"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    const { id, messageId } = c.req.valid("param");
    return c.json(await editMessage(depsOf(c), c.get("auth").sub, id, messageId, c.req.valid("json").content), 200);
  },
);

messageRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/messages/{messageId}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Delete your own message (its content is erased; pushed as `messageDeleted`)",
    request: { params: MessageParams },
    responses: { 204: { description: "Deleted" }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
  }),
  async (c) => {
    const { id, messageId } = c.req.valid("param");
    await deleteMessage(depsOf(c), c.get("auth").sub, id, messageId);
    return c.body(null, 204);
  },
);
