import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { CreateScheduledEmailSchema, ScheduledEmailIdParams, ScheduledEmailListQuery, ScheduledEmailListSchema, ScheduledEmailSchema, UpdateScheduledEmailSchema } from "./schemas";
import { cancelScheduledEmail, createScheduledEmail, deleteScheduledEmail, getScheduledEmail, listScheduledEmails, updateScheduledEmail } from "./service";

const openapiTags = ["Scheduled emails"];
export const scheduledEmailRoutes = createRouter();
scheduledEmailRoutes.use("*", requireAuth);

scheduledEmailRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Schedule an email to a contact, once or every year, with files attached",
    request: { body: jsonBody(CreateScheduledEmailSchema) },
    responses: { 201: jsonResponse(ScheduledEmailSchema, "The scheduled email"), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
  }),
  async (c) => c.json(await createScheduledEmail(depsOf(c), c.get("auth").sub, c.req.valid("json")), 201),
);

scheduledEmailRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Scheduled emails by send time",
    request: { query: ScheduledEmailListQuery },
    responses: { 200: jsonResponse(ScheduledEmailListSchema, "A page of scheduled emails"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listScheduledEmails(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

scheduledEmailRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One scheduled email",
    request: { params: ScheduledEmailIdParams },
    responses: { 200: jsonResponse(ScheduledEmailSchema, "The scheduled email"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await getScheduledEmail(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);

scheduledEmailRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Change a scheduled email while it is still SCHEDULED (fileIds replaces the attachments)",
    request: { params: ScheduledEmailIdParams, body: jsonBody(UpdateScheduledEmailSchema) },
    responses: { 200: jsonResponse(ScheduledEmailSchema, "The updated email"), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
  }),
  async (c) => c.json(await updateScheduledEmail(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json")), 200),
);

scheduledEmailRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Delete a scheduled email (and its history)",
    request: { params: ScheduledEmailIdParams },
    responses: { 204: { description: "Deleted" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteScheduledEmail(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

scheduledEmailRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/cancel",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Stop a scheduled email (also a queued one whose job has not sent it yet)",
    request: { params: ScheduledEmailIdParams },
    responses: { 200: jsonResponse(ScheduledEmailSchema, "The cancelled email"), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
  }),
  async (c) => c.json(await cancelScheduledEmail(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);
