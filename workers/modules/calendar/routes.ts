import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { validationFailed } from "@shared/lib/errors";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems, ProblemSchema } from "../../openapi";
import { createRouter, depsOf, type AppEnv } from "../../router";
import { CalendarCallbackQuery, CalendarCompleteSchema, CalendarConnectSchema, CalendarStatusSchema } from "./schemas";
import { CalendarConnectError, completeCalendarConnect, disconnectCalendar, getCalendarStatus, receiveCalendarGrant, startCalendarConnect } from "./service";

const tags = ["Calendar"];
export const calendarRoutes = createRouter();

const callbackUrl = (c: Context<AppEnv>) => `${new URL(c.req.url).origin}/api/calendar/google/callback`;
const settingsUrl = (c: Context<AppEnv>, params: Record<string, string>) => `${c.get("config").appUrl}/settings/calendar?${new URLSearchParams(params)}`;
const unavailable = {
  description: "Google or the token sealing key is not configured on this server (SERVICE_UNAVAILABLE)",
  content: { "application/problem+json": { schema: ProblemSchema } },
};

calendarRoutes.openapi(
  createRoute({
    method: "post",
    path: "/google/connect",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Start connecting Google Calendar (OAuth 2.0 authorization code flow with PKCE, offline access)",
    description:
      "Answers Google's consent URL; the browser goes there, and Google sends it back to `/api/calendar/google/callback` " +
      "within ten minutes. The connection is made by `POST /api/calendar/google/complete` from this account.",
    responses: { 200: jsonResponse(CalendarConnectSchema, "Where to send the browser"), 401: problems[401], 503: unavailable },
  }),
  async (c) => c.json(await startCalendarConnect(depsOf(c), c.get("auth").sub, callbackUrl(c)), 200),
);

calendarRoutes.openapi(
  createRoute({
    method: "get",
    path: "/google/callback",
    tags,
    summary: "Google redirects here; answers with a redirect to the dashboard's calendar settings carrying a single-use code",
    description:
      "No bearer token: the single-use `state` names the user who started. Success: the grant is kept, not yet used " +
      "(an existing ACTIVE connection stays in use; otherwise the connection shows as PENDING), and 302 to " +
      "`APP_URL/settings/calendar?code=<code>`, which the dashboard redeems at `POST /api/calendar/google/complete` " +
      "within two minutes. Any failure once a state is present (declined at Google, unknown " +
      "or expired state, refused code, scopes unticked, Google unreachable): 302 to `APP_URL/settings/calendar?error=<code>` " +
      "with `error` one of `access_denied` (or another Google error code), `invalid_state`, `invalid_grant`, " +
      "`insufficient_scope`, `no_refresh_token`, `google_unavailable`. Without `state` (not a redirect from Google): 400.",
    request: { query: CalendarCallbackQuery },
    responses: { 302: { description: "Redirect to the dashboard" }, 400: problems[400], 503: unavailable },
  }),
  async (c) => {
    const { code, state, error } = c.req.valid("query");
    if (!state) throw validationFailed([{ path: "query.state", message: "is required" }]);
    if (!code && !error) throw validationFailed([{ path: "query.code", message: "is required" }]);
    try {
      const received = await receiveCalendarGrant(depsOf(c), { code, state, error, redirectUri: callbackUrl(c) });
      c.set("userId", received.userId);
      return c.redirect(settingsUrl(c, { code: received.code }), 302);
    } catch (failure) {
      if (failure instanceof CalendarConnectError) return c.redirect(settingsUrl(c, { error: failure.code }), 302);
      throw failure;
    }
  },
);

calendarRoutes.openapi(
  createRoute({
    method: "post",
    path: "/google/complete",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Make the grant from the callback the caller's connection (the code works once, for two minutes)",
    description:
      "Only the account that started the connection can complete it: a code of another account (its consent link " +
      "was passed on) is refused, spent, and its grant dropped. The grant replaces any earlier connection. 400 " +
      "`VALIDATION_FAILED` on `body.code` when the code is unknown, expired, spent or another account's.",
    request: { body: jsonBody(CalendarCompleteSchema) },
    responses: { 200: jsonResponse(CalendarStatusSchema, "The connection, now ACTIVE"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await completeCalendarConnect(depsOf(c), c.get("auth").sub, c.req.valid("json").code), 200),
);

calendarRoutes.openapi(
  createRoute({
    method: "get",
    path: "/google",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "The user's Google Calendar connection",
    responses: { 200: jsonResponse(CalendarStatusSchema, "Connected or not, and why not"), 401: problems[401] },
  }),
  async (c) => c.json(await getCalendarStatus(depsOf(c), c.get("auth").sub), 200),
);

calendarRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/google",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Disconnect Google Calendar (the grant is forgotten and revoked at Google)",
    description: "Events already written stay in the calendar. 404 when no calendar is connected.",
    responses: { 204: { description: "Disconnected" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await disconnectCalendar(depsOf(c), c.get("auth").sub);
    return c.body(null, 204);
  },
);
