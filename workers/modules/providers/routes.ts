import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { CreateProviderSchema, ProviderListQuery, ProviderPageSchema, ProviderParams, ProviderSchema, UpdateProviderSchema } from "./schemas";
import { createProvider, deleteProvider, getProvider, listProviders, toProviderDto, updateProvider } from "./service";

const tags = ["Providers"];
export const providerRoutes = createRouter();
providerRoutes.use("*", requireAuth);

providerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "Add a collaborator (second shooter, make-up artist...) to the studio's address book",
    request: { body: jsonBody(CreateProviderSchema) },
    responses: { 201: jsonResponse(ProviderSchema, "The provider"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(toProviderDto(await createProvider(depsOf(c), c.get("auth").sub, c.req.valid("json"))), 201),
);

providerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "The address book, sorted by name",
    request: { query: ProviderListQuery },
    responses: { 200: jsonResponse(ProviderPageSchema, "A page of providers"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listProviders(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

providerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "One provider",
    request: { params: ProviderParams },
    responses: { 200: jsonResponse(ProviderSchema, "The provider"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toProviderDto(await getProvider(depsOf(c), c.get("auth").sub, c.req.valid("param").id)), 200),
);

providerRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Update a provider (null or an empty string clears a field)",
    request: { params: ProviderParams, body: jsonBody(UpdateProviderSchema) },
    responses: { 200: jsonResponse(ProviderSchema, "The updated provider"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) =>
    c.json(toProviderDto(await updateProvider(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json"))), 200),
);

providerRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Delete a provider (it is removed from the shoots it was booked on)",
    request: { params: ProviderParams },
    responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteProvider(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);
