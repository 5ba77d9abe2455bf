import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { mergeDuplicate } from "./merge";
import {
  DuplicateIdParams,
  DuplicateListQuery,
  DuplicatePairListSchema,
  DuplicatePairSchema,
  MergeDuplicateSchema,
  MergeResultSchema,
  ScanResultSchema,
} from "./schemas";
import { ignoreDuplicate, listDuplicates } from "./pairs";
import { detectDuplicates } from "./service";

const tags = ["Duplicates"];
export const duplicateRoutes = createRouter();
duplicateRoutes.use("*", requireAuth);

duplicateRoutes.openapi(
  createRoute({
    method: "post",
    path: "/scan",
    tags,
    security: bearerAuth,
    summary: "Look for duplicates among all of the user's contacts",
    description: "Stores new pairs only: pairs already pending or ignored stay as they are.",
    responses: { 200: jsonResponse(ScanResultSchema, "How many new pairs were found"), 401: problems[401] },
  }),
  async (c) => c.json(await detectDuplicates(depsOf(c), c.get("auth").sub, "all"), 200),
);

duplicateRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "Probable duplicate contacts, most likely first",
    request: { query: DuplicateListQuery },
    responses: { 200: jsonResponse(DuplicatePairListSchema, "A page of pairs"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listDuplicates(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

duplicateRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/ignore",
    tags,
    security: bearerAuth,
    summary: "Not a duplicate: never propose this pair again",
    request: { params: DuplicateIdParams },
    responses: { 200: jsonResponse(DuplicatePairSchema, "The pair, IGNORED"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await ignoreDuplicate(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);

duplicateRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/merge",
    tags,
    security: bearerAuth,
    summary: "Merge the pair into one contact",
    description:
      "The contact `keepId` takes the other's sessions, files, tags, history and the fields it has empty; the other is deleted. One transaction, audited as MERGE. 409 CONFLICT when one of the two contacts changed while merging (another merge of a pair sharing a contact, or an edit): nothing was written; reload the pairs and merge again.",
    request: { params: DuplicateIdParams, body: jsonBody(MergeDuplicateSchema) },
    responses: { 200: jsonResponse(MergeResultSchema, "The kept contact"), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
  }),
  async (c) => c.json(await mergeDuplicate(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json").keepId), 200),
);
