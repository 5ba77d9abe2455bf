import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { messageRoutes } from "./message-routes";
import {
  AddParticipantsSchema,
  ConversationIdParams,
  ConversationListQuery,
  ConversationListSchema,
  ConversationSchema,
  CreateConversationSchema,
  ParticipantParams,
  UpdateConversationSchema,
} from "./schemas";
import {
  addParticipants,
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  removeParticipant,
  updateConversation,
} from "./service";

const openapiTags = ["Conversations"];
export const conversationRoutes = createRouter();
conversationRoutes.use("*", requireAuth);

conversationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Start a conversation (the caller is always a participant; the others are notified)",
    request: { body: jsonBody(CreateConversationSchema) },
    responses: { 201: jsonResponse(ConversationSchema, "The new conversation"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await createConversation(depsOf(c), c.get("auth").sub, c.req.valid("json")), 201),
);

conversationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The caller's conversations, newest activity first, each with its last message and unread count",
    request: { query: ConversationListQuery },
    responses: { 200: jsonResponse(ConversationListSchema, "A page of conversations"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listConversations(c.get("db"), c.get("auth").sub, c.req.valid("query")), 200),
);

conversationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One conversation (participants only)",
    request: { params: ConversationIdParams },
    responses: { 200: jsonResponse(ConversationSchema, "The conversation"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await getConversation(c.get("db"), c.get("auth").sub, c.req.valid("param").id), 200),
);

conversationRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Rename a conversation (any participant)",
    request: { params: ConversationIdParams, body: jsonBody(UpdateConversationSchema) },
    responses: { 200: jsonResponse(ConversationSchema, "The updated conversation"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await updateConversation(c.get("db"), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json")), 200),
);

conversationRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Delete a conversation and its messages for everyone (its creator only; the others may leave it)",
    request: { params: ConversationIdParams },
    responses: { 204: { description: "Deleted" }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
  }),
  async (c) => {
    await deleteConversation(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

conversationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/participants",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Add participants (any participant; those already in are ignored, the new ones notified)",
    request: { params: ConversationIdParams, body: jsonBody(AddParticipantsSchema) },
    responses: { 200: jsonResponse(ConversationSchema, "The conversation"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await addParticipants(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json").participantIds), 200),
);

conversationRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/participants/{userId}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Leave (your own id) or, for the creator, remove a participant; the last one out deletes the conversation",
    request: { params: ParticipantParams },
    responses: { 204: { description: "Removed" }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    await removeParticipant(depsOf(c), c.get("auth").sub, id, userId);
    return c.body(null, 204);
  },
);

conversationRoutes.route("/", messageRoutes);
