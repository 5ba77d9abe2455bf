import { createRoute, z } from "@hono/zod-openapi";
import { limitParam } from "@shared/lib/pagination";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import {
  AvailabilityExceptionSchema,
  AvailabilitySlotSchema,
  CreateAvailabilitySchema,
  ExceptionSchema,
  IdParams,
  localDate,
  toExceptionDto,
  toSlotDto,
  UpdateAvailabilitySchema,
} from "./schemas";
import { createAvailability, deleteAvailability, deleteException, getAvailability, listAvailability, listExceptions, putException, updateAvailability } from "./service";

const openapiTags = ["Availability"];
const listQuery = z.object({ limit: limitParam, cursor: z.string().max(512).optional() });
const page = <T extends z.ZodType>(item: T, name: string) => z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/** Date exceptions: mounted at /api/availability/exceptions, before the slot routes so "exceptions" is no id. */
export const exceptionRoutes = createRouter();
exceptionRoutes.use("*", requireAuth);

exceptionRoutes.openapi(
  createRoute({
    method: "put",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Block a date or replace its hours (one exception per date: setting it again replaces it)",
    request: { body: jsonBody(ExceptionSchema) },
    responses: { 200: jsonResponse(AvailabilityExceptionSchema, "The date's exception"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(toExceptionDto(await putException(depsOf(c), c.get("auth").sub, c.req.valid("json"))), 200),
);

exceptionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The host's date exceptions, by date",
    request: { query: listQuery.extend({ from: localDate.optional() }) },
    responses: { 200: jsonResponse(page(AvailabilityExceptionSchema, "AvailabilityExceptionList"), "A page of exceptions"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const result = await listExceptions(depsOf(c), c.get("auth").sub, c.req.valid("query"));
    return c.json({ items: result.items.map(toExceptionDto), nextCursor: result.nextCursor }, 200);
  },
);

exceptionRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Remove a date exception (the date follows the rules again)",
    request: { params: IdParams },
    responses: { 204: { description: "Removed" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteException(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

export const availabilityRoutes = createRouter();
availabilityRoutes.use("*", requireAuth);

availabilityRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Add an availability slot: local times in an IANA zone, optionally repeating and split into bookable slots",
    request: { body: jsonBody(CreateAvailabilitySchema) },
    responses: { 201: jsonResponse(AvailabilitySlotSchema, "The new slot"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(toSlotDto(await createAvailability(depsOf(c), c.get("auth").sub, c.req.valid("json"))), 201),
);

availabilityRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The host's availability slots",
    request: { query: listQuery },
    responses: { 200: jsonResponse(page(AvailabilitySlotSchema, "AvailabilitySlotList"), "A page of slots"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const result = await listAvailability(depsOf(c), c.get("auth").sub, c.req.valid("query"));
    return c.json({ items: result.items.map(toSlotDto), nextCursor: result.nextCursor }, 200);
  },
);

availabilityRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One availability slot",
    request: { params: IdParams },
    responses: { 200: jsonResponse(AvailabilitySlotSchema, "The slot"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toSlotDto(await getAvailability(depsOf(c), c.get("auth").sub, c.req.valid("param").id)), 200),
);

availabilityRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Change an availability slot (existing bookings are kept)",
    request: { params: IdParams, body: jsonBody(UpdateAvailabilitySchema) },
    responses: { 200: jsonResponse(AvailabilitySlotSchema, "The updated slot"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toSlotDto(await updateAvailability(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json"))), 200),
);

availabilityRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Remove an availability slot (existing bookings are kept)",
    request: { params: IdParams },
    responses: { 204: { description: "Removed" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteAvailability(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);
