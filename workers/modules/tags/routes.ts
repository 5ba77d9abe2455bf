import { createRoute, z } from "@hono/zod-openapi";
import { limitParam } from "@shared/lib/pagination";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { CreateTagSchema, TagIdParams, TagListSchema, TagSchema, toTagDto, UpdateTagSchema } from "./schemas";
import { createTag, deleteTag, getTag, listTags, updateTag } from "./service";

const openapiTags = ["Tags"];
export const tagRoutes = createRouter();
tagRoutes.use("*", requireAuth);

tagRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Create a tag (names are unique per user, ignoring case and accents)",
    request: { body: jsonBody(CreateTagSchema) },
    responses: { 201: jsonResponse(TagSchema, "The new tag"), 400: problems[400], 401: problems[401], 409: problems[409] },
  }),
  async (c) => c.json(toTagDto(await createTag(depsOf(c), c.get("auth").sub, c.req.valid("json"))), 201),
);

tagRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The user's tags, by name",
    request: { query: z.object({ limit: limitParam, cursor: z.string().max(512).optional() }) },
    responses: { 200: jsonResponse(TagListSchema, "A page of tags"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const page = await listTags(depsOf(c), c.get("auth").sub, c.req.valid("query"));
    return c.json({ items: page.items.map(toTagDto), nextCursor: page.nextCursor }, 200);
  },
);

tagRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One tag",
    request: { params: TagIdParams },
    responses: { 200: jsonResponse(TagSchema, "The tag"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toTagDto(await getTag(depsOf(c), c.get("auth").sub, c.req.valid("param").id)), 200),
);

tagRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Rename or recolor a tag",
    request: { params: TagIdParams, body: jsonBody(UpdateTagSchema) },
    responses: {
      200: jsonResponse(TagSchema, "The updated tag"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) => c.json(toTagDto(await updateTag(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json"))), 200),
);

tagRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Delete a tag (it is removed from every contact and session)",
    request: { params: TagIdParams },
    responses: { 204: { description: "Deleted" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteTag(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);
