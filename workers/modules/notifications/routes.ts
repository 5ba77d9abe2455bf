import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import {
  NotificationIdParams,
  NotificationListQuery,
  NotificationListSchema,
  PreferencesSchema,
  UnreadCountSchema,
  UpdatePreferencesSchema,
} from "./schemas";
import { countUnread, getPreferences, listNotifications, markAllNotificationsRead, markNotificationRead, updatePreferences } from "./service";

const openapiTags = ["Notifications"];
export const notificationRoutes = createRouter();
notificationRoutes.use("*", requireAuth);

notificationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The user's notifications, newest first",
    request: { query: NotificationListQuery },
    responses: { 200: jsonResponse(NotificationListSchema, "A page of notifications"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listNotifications(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

notificationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/unread-count",
    tags: openapiTags,
    security: bearerAuth,
    summary: "How many notifications are not read yet",
    responses: { 200: jsonResponse(UnreadCountSchema, "The count"), 401: problems[401] },
  }),
  async (c) => c.json({ count: await countUnread(depsOf(c), c.get("auth").sub) }, 200),
);

notificationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/read-all",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Mark every notification read",
    responses: { 204: { description: "All read" }, 401: problems[401] },
  }),
  async (c) => {
    await markAllNotificationsRead(depsOf(c), c.get("auth").sub);
    return c.body(null, 204);
  },
);

notificationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/preferences",
    tags: openapiTags,
    security: bearerAuth,
    summary: "In-app and email choices for every notification type (defaults where none was made)",
    responses: { 200: jsonResponse(PreferencesSchema, "Every type's preference"), 401: problems[401] },
  }),
  async (c) => c.json({ preferences: await getPreferences(depsOf(c), c.get("auth").sub) }, 200),
);

notificationRoutes.openapi(
  createRoute({
    method: "put",
    path: "/preferences",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Change the choices for some types (a field left out keeps its value)",
    request: { body: jsonBody(UpdatePreferencesSchema) },
    responses: { 200: jsonResponse(PreferencesSchema, "Every type's preference, after the change"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json({ preferences: await updatePreferences(depsOf(c), c.get("auth").sub, c.req.valid("json").preferences) }, 200),
);

notificationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/read",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Mark one notification read (reading it again changes nothing)",
    request: { params: NotificationIdParams },
    responses: { 204: { description: "Read" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await markNotificationRead(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);
