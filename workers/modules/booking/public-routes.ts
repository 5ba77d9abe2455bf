// /api/public/booking: no account, reached by guests from the booking page or any client. Every write counts
// against the caller's address (BOOKING_REQUESTS_PER_IP).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { notFound } from "@shared/lib/errors";
import { clientIp, enforce } from "../../middleware/rate-limit";
import { jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf, type AppEnv } from "../../router";
import { getPublicAvailability } from "./availability";
import { publicInfo, resolveHost } from "./hosts";
import { bookSlot, cancelByToken, getBookingByToken, holdSlot, releaseHold, rescheduleByToken } from "./public";
import {
  AvailabilityQuery,
  BookResultSchema,
  BookSchema,
  CancelSchema,
  HoldResultSchema,
  HoldSchema,
  HostParams,
  PublicBookingSchema,
  PublicInfoSchema,
  PublicSlotsSchema,
  RescheduleSchema,
  TokenParams,
  toPublicBooking,
} from "./schemas";

export const publicBookingRoutes = createRouter();
const tags = ["Public booking"];

async function hostOf(c: Context<AppEnv>, handleOrId: string) {
  const host = await resolveHost(c.get("db"), handleOrId);
  if (!host) throw notFound("Booking page");
  return host;
}

const limited = (c: Context<AppEnv>) => enforce(c.env, "BOOKING_REQUESTS_PER_IP", clientIp(c));

publicBookingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{userId}/info",
    tags,
    summary: "The host's public profile for the booking page (never an email or phone)",
    request: { params: HostParams },
    responses: { 200: jsonResponse(PublicInfoSchema, "The host"), 404: problems[404] },
  }),
  async (c) => c.json(publicInfo(await hostOf(c, c.req.valid("param").userId)), 200),
);

publicBookingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{userId}/availability",
    tags,
    summary: "Bookable slots starting in [from, to) as UTC instants (at most BOOKING_MAX_RANGE_DAYS days)",
    request: { params: HostParams, query: AvailabilityQuery },
    responses: { 200: jsonResponse(PublicSlotsSchema, "The open slots"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const host = await hostOf(c, c.req.valid("param").userId);
    const result = await getPublicAvailability(depsOf(c), host, c.req.valid("query"));
    c.header("cache-control", "no-store");
    return c.json({ timezone: result.timezone, slots: result.slots.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })) }, 200);
  },
);

publicBookingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{userId}/hold",
    tags,
    summary: "Hold a slot for BOOKING_HOLD_MINUTES while the guest fills in the form; others no longer see it",
    request: { params: HostParams, body: jsonBody(HoldSchema) },
    responses: { 201: jsonResponse(HoldResultSchema, "The hold"), 400: problems[400], 404: problems[404], 409: problems[409], 429: problems[429] },
  }),
  async (c) => {
    await limited(c);
    const host = await hostOf(c, c.req.valid("param").userId);
    return c.json(await holdSlot(depsOf(c), host, c.req.valid("json")), 201);
  },
);

publicBookingRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/holds/{token}",
    tags,
    summary: "Give a hold back before it expires",
    request: { params: TokenParams },
    responses: { 204: { description: "Released" }, 400: problems[400], 404: problems[404], 429: problems[429] },
  }),
  async (c) => {
    await limited(c);
    await releaseHold(depsOf(c), c.req.valid("param").token);
    return c.body(null, 204);
  },
);

publicBookingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{userId}/book",
    tags,
    summary: "Book an offered slot; 409 when it is taken or not offered. The guest is emailed a confirmation with an .ics",
    request: { params: HostParams, body: jsonBody(BookSchema) },
    responses: { 201: jsonResponse(BookResultSchema, "The booking and its cancel token"), 400: problems[400], 404: problems[404], 409: problems[409], 429: problems[429] },
  }),
  async (c) => {
    await limited(c);
    const host = await hostOf(c, c.req.valid("param").userId);
    return c.json(await bookSlot(depsOf(c), host, c.req.valid("json"), c.get("requestId")), 201);
  },
);

publicBookingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/manage/{token}",
    tags,
    summary: "The booking a cancel token names (for the guest's manage page)",
    request: { params: TokenParams },
    responses: {
      200: jsonResponse(z.object({ booking: PublicBookingSchema, host: PublicInfoSchema.nullable() }).openapi("ManagedBooking"), "The booking"),
      400: problems[400],
      404: problems[404],
    },
  }),
  async (c) => {
    const found = await getBookingByToken(depsOf(c), c.req.valid("param").token);
    if (!found) throw notFound("Booking");
    return c.json({ booking: toPublicBooking(found.booking), host: found.host ? publicInfo(found.host) : null }, 200);
  },
);

publicBookingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/cancel/{token}",
    tags,
    summary: "Cancel a booking with its token (once: a spent token answers 410, an unknown one 404)",
    request: { params: TokenParams, body: { required: false, content: { "application/json": { schema: CancelSchema } } } },
    responses: {
      200: jsonResponse(z.object({ status: z.literal("CANCELLED") }), "Cancelled"),
      400: problems[400],
      404: problems[404],
      410: { description: "Already cancelled" },
      429: problems[429],
    },
  }),
  async (c) => {
    await limited(c);
    const body = (c.req.valid("json") as z.infer<typeof CancelSchema> | undefined) ?? {};
    return c.json(await cancelByToken(depsOf(c), c.req.valid("param").token, body, c.get("requestId")), 200);
  },
);

publicBookingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/reschedule/{token}",
    tags,
    summary: "Move a booking to another offered slot with its token; the token is spent and a new one returned",
    request: { params: TokenParams, body: jsonBody(RescheduleSchema) },
    responses: { 200: jsonResponse(BookResultSchema, "The moved booking and its new token"), 400: problems[400], 404: problems[404], 409: problems[409], 410: { description: "Cancelled" }, 429: problems[429] },
  }),
  async (c) => {
    await limited(c);
    return c.json(await rescheduleByToken(depsOf(c), c.req.valid("param").token, c.req.valid("json"), c.get("requestId")), 200);
  },
);
