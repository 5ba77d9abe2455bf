import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { listSessions, sessionHistory } from "./list";
import {
  ContactLinkBodySchema,
  CreateSessionSchema,
  HistoryPageSchema,
  HistoryQuery,
  ProviderLinkBodySchema,
  SessionContactParams,
  SessionDetailSchema,
  SessionListQuery,
  SessionPageSchema,
  SessionParams,
  SessionProviderParams,
  SessionSchema,
  SessionTagParams,
  UpdateSessionSchema,
} from "./schemas";
import { createSession, deleteSession, deleteSessionLink, getSession, putSessionContact, putSessionProvider, putSessionTag, updateSession } from "./service";

const tags = ["Sessions"];
export const sessionRoutes = createRouter();
sessionRoutes.use("*", requireAuth);

const optionalJson = <T extends Parameters<typeof jsonBody>[0]>(schema: T) => ({ ...jsonBody(schema), required: false });

sessionRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "Create a photo shoot, with its contacts, tags and providers",
    request: { body: jsonBody(CreateSessionSchema) },
    responses: { 201: jsonResponse(SessionSchema, "The session"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await createSession(depsOf(c), c.get("auth").sub, c.req.valid("json")), 201),
);

sessionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "List sessions: by start (unscheduled last) or creation, filtered by status, dates, contact, tag",
    request: { query: SessionListQuery },
    responses: { 200: jsonResponse(SessionPageSchema, "A page of sessions"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listSessions(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

sessionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "One session, with its files",
    request: { params: SessionParams },
    responses: { 200: jsonResponse(SessionDetailSchema, "The session"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await getSession(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);

sessionRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Update a session; contacts, contactIds, tagIds and providers replace that set",
    description:
      "Status transitions: LEAD → CONFIRMED or CANCELLED; CONFIRMED → COMPLETED or CANCELLED; CANCELLED → LEAD " +
      "(reopened); COMPLETED is final. Any other change of status is a 409.",
    request: { params: SessionParams, body: jsonBody(UpdateSessionSchema) },
    responses: {
      200: jsonResponse(SessionSchema, "The updated session"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => c.json(await updateSession(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json")), 200),
);

sessionRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Delete a session and its files",
    request: { params: SessionParams },
    responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteSession(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/history",
    tags,
    security: bearerAuth,
    summary: "The session's audit trail, newest first (still readable after a delete)",
    request: { params: SessionParams, query: HistoryQuery },
    responses: { 200: jsonResponse(HistoryPageSchema, "A page of audit entries"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await sessionHistory(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("query")), 200),
);

const linkResponses = { 204: { description: "Done" }, 400: problems[400], 401: problems[401], 404: problems[404] };

sessionRoutes.openapi(
  createRoute({
    method: "put",
    path: "/{id}/contacts/{contactId}",
    tags,
    security: bearerAuth,
    summary: "Link a contact to the session (role CLIENT unless given)",
    request: { params: SessionContactParams, body: optionalJson(ContactLinkBodySchema) },
    responses: linkResponses,
  }),
  async (c) => {
    const { id, contactId } = c.req.valid("param");
    await putSessionContact(depsOf(c), c.get("auth").sub, id, contactId, c.req.valid("json").role);
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/contacts/{contactId}",
    tags,
    security: bearerAuth,
    summary: "Unlink a contact from the session",
    request: { params: SessionContactParams },
    responses: linkResponses,
  }),
  async (c) => {
    const { id, contactId } = c.req.valid("param");
    await deleteSessionLink(depsOf(c), c.get("auth").sub, id, "contact", contactId);
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "put",
    path: "/{id}/tags/{tagId}",
    tags,
    security: bearerAuth,
    summary: "Tag the session",
    request: { params: SessionTagParams },
    responses: linkResponses,
  }),
  async (c) => {
    const { id, tagId } = c.req.valid("param");
    await putSessionTag(depsOf(c), c.get("auth").sub, id, tagId);
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/tags/{tagId}",
    tags,
    security: bearerAuth,
    summary: "Remove a tag from the session",
    request: { params: SessionTagParams },
    responses: linkResponses,
  }),
  async (c) => {
    const { id, tagId } = c.req.valid("param");
    await deleteSessionLink(depsOf(c), c.get("auth").sub, id, "tag", tagId);
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "put",
    path: "/{id}/providers/{providerId}",
    tags,
    security: bearerAuth,
    summary: "Book a provider on the session, with a role and fee for this shoot (left out: none)",
    request: { params: SessionProviderParams, body: optionalJson(ProviderLinkBodySchema) },
    responses: linkResponses,
  }),
  async (c) => {
    const { id, providerId } = c.req.valid("param");
    await putSessionProvider(depsOf(c), c.get("auth").sub, id, providerId, c.req.valid("json"));
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/providers/{providerId}",
    tags,
    security: bearerAuth,
    summary: "Remove a provider from the session",
    request: { params: SessionProviderParams },
    responses: linkResponses,
  }),
  async (c) => {
    const { id, providerId } = c.req.valid("param");
    await deleteSessionLink(depsOf(c), c.get("auth").sub, id, "provider", providerId);
    return c.body(null, 204);
  },
);
