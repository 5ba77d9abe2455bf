import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { bookingStats, deleteBooking, getBooking, listBookings, updateBooking } from "./bookings";
import { BookingListQuery, BookingSchema, BookingSettingsInputSchema, BookingSettingsSchema, BookingStatsSchema, IdParams, toBookingDto, toSettingsDto, UpdateBookingSchema } from "./schemas";
import { getBookingSettings, putBookingSettings } from "./service";

/** GET, PUT /api/booking/settings */
export const bookingSettingsRoutes = createRouter();
bookingSettingsRoutes.use("*", requireAuth);

bookingSettingsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/settings",
    tags: ["Booking"],
    security: bearerAuth,
    summary: "The host's booking page settings (defaults until first saved)",
    responses: { 200: jsonResponse(BookingSettingsSchema, "The settings"), 401: problems[401] },
  }),
  async (c) => c.json(toSettingsDto(await getBookingSettings(depsOf(c), c.get("auth").sub)), 200),
);

bookingSettingsRoutes.openapi(
  createRoute({
    method: "put",
    path: "/settings",
    tags: ["Booking"],
    security: bearerAuth,
    summary: "Save the booking page settings; fields left out keep their value; a handle taken by another host is a 409",
    request: { body: jsonBody(BookingSettingsInputSchema) },
    responses: { 200: jsonResponse(BookingSettingsSchema, "The settings"), 400: problems[400], 401: problems[401], 409: problems[409] },
  }),
  async (c) => c.json(toSettingsDto(await putBookingSettings(depsOf(c), c.get("auth").sub, c.req.valid("json"))), 200),
);

/** /api/bookings: the host's bookings. */
export const bookingRoutes = createRouter();
bookingRoutes.use("*", requireAuth);
const tags = ["Bookings"];

bookingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "The host's bookings by start time (`from`/`to` bound the start, `status` filters)",
    request: { query: BookingListQuery },
    responses: {
      200: jsonResponse(z.object({ items: z.array(BookingSchema), nextCursor: z.string().nullable() }).openapi("BookingList"), "A page of bookings"),
      400: problems[400],
      401: problems[401],
    },
  }),
  async (c) => {
    const page = await listBookings(depsOf(c), c.get("auth").sub, c.req.valid("query"));
    return c.json({ items: page.items.map(toBookingDto), nextCursor: page.nextCursor }, 200);
  },
);

bookingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/stats",
    tags,
    security: bearerAuth,
    summary: "Counts of the host's bookings by status, upcoming and past, and the next one",
    responses: { 200: jsonResponse(BookingStatsSchema, "The stats"), 401: problems[401] },
  }),
  async (c) => c.json(await bookingStats(depsOf(c), c.get("auth").sub), 200),
);

bookingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "One booking",
    request: { params: IdParams },
    responses: { 200: jsonResponse(BookingSchema, "The booking"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toBookingDto(await getBooking(depsOf(c), c.get("auth").sub, c.req.valid("param").id)), 200),
);

bookingRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Confirm or decline a pending booking, cancel one, or move it (`start`); the guest is emailed",
    request: { params: IdParams, body: jsonBody(UpdateBookingSchema) },
    responses: {
      200: jsonResponse(BookingSchema, "The booking"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => c.json(toBookingDto(await updateBooking(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json"))), 200),
);

for (const [action, status] of [
  ["confirm", "CONFIRMED"],
  ["decline", "DECLINED"],
] as const) {
  bookingRoutes.openapi(
    createRoute({
      method: "post",
      path: `/{id}/${action}`,
      tags,
      security: bearerAuth,
      summary: `${action === "confirm" ? "Confirm" : "Decline"} a pending booking (same as PATCH status ${status})`,
      request: { params: IdParams },
      responses: { 200: jsonResponse(BookingSchema, "The booking"), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(toBookingDto(await updateBooking(depsOf(c), c.get("auth").sub, c.req.valid("param").id, { status })), 200),
  );
}

bookingRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Remove a booking from the records (an upcoming active one must be cancelled first: 409)",
    request: { params: IdParams },
    responses: { 204: { description: "Removed" }, 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
  }),
  async (c) => {
    await deleteBooking(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);
