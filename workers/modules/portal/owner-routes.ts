// The owner's side of the client portal: portal links for a quote or invoice, a contact's links (listed and
// revoked), and the contact's message thread. Mounted at /api with full paths, each route authenticated.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { invoices, quotes } from "@shared/db/schema";
import { conflict, notFound } from "@shared/lib/errors";
import { limitParam } from "@shared/lib/pagination";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf, type AppEnv } from "../../router";
import { ownerThread, postOwnerReply } from "./messages";
import { ClientLinkListSchema, ClientLinkSchema, ClientMessageListSchema, ClientMessageSchema, IdParams, MessageBodySchema } from "./schemas";
import { getOrCreateClientLink, listClientLinks, revokeClientLink, type ClientLink } from "./tokens";

export const portalOwnerRoutes = createRouter();
const tags = ["Client portal"];
const ListQuery = z.object({ limit: limitParam, cursor: z.string().max(512).optional() });

const toLinkDto = (link: ClientLink) => ({ id: link.id, url: link.url, token: link.token, expiresAt: link.expiresAt.toISOString() });

/** A portal link for one of the owner's documents, for the document's contact. A draft is not the client's
 *  to see yet (and may still change hands): 409 until it is sent. */
async function documentLink(c: Context<AppEnv>, table: typeof quotes | typeof invoices, id: string) {
  const ownerId = c.get("auth").sub;
  const db = c.get("db");
  const [doc] = await db
    .select({ contactId: table.contactId, status: table.status })
    .from(table)
    .where(and(eq(table.id, id), eq(table.ownerId, ownerId)));
  if (!doc) throw notFound(table === quotes ? "Quote" : "Invoice");
  if (doc.status === "DRAFT") throw conflict(`This ${table === quotes ? "quote" : "invoice"} is a draft, not ready for the client: send it first`);
  const scope = table === quotes ? { contactId: doc.contactId, quoteId: id } : { contactId: doc.contactId, invoiceId: id };
  return toLinkDto(await getOrCreateClientLink(depsOf(c), ownerId, scope));
}

const linkRoute = (what: "quotes" | "invoices") =>
  createRoute({
    method: "post",
    path: `/${what}/{id}/client-link`,
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: `A client portal link for this ${what === "quotes" ? "quote" : "invoice"}: the live one while it has more than a day left, else a new one`,
    request: { params: IdParams },
    responses: {
      201: jsonResponse(ClientLinkSchema, "The link (the same one on every call while it lives)"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      409: { ...problems[409], description: "The document is a draft, not ready for the client (CONFLICT)" },
    },
  });

portalOwnerRoutes.openapi(linkRoute("quotes"), async (c) => c.json(await documentLink(c, quotes, c.req.valid("param").id), 201));
portalOwnerRoutes.openapi(linkRoute("invoices"), async (c) => c.json(await documentLink(c, invoices, c.req.valid("param").id), 201));

portalOwnerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/contacts/{id}/client-links",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "The contact's portal links, latest expiry first (never the token)",
    request: { params: IdParams, query: ListQuery },
    responses: { 200: jsonResponse(ClientLinkListSchema, "A page of links"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await listClientLinks(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("query")), 200),
);

portalOwnerRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/client-links/{id}",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Revoke a portal link: it answers 410 from now on",
    request: { params: IdParams },
    responses: { 204: { description: "Revoked" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await revokeClientLink(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

portalOwnerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/contacts/{id}/messages",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "The contact's portal thread, newest first; reading marks the client's messages read",
    request: { params: IdParams, query: ListQuery },
    responses: { 200: jsonResponse(ClientMessageListSchema, "A page of the thread"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await ownerThread(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("query")), 200),
);

portalOwnerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/contacts/{id}/messages",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Answer the client: stored in the thread and emailed to them with a portal link (409 when the contact has no email)",
    request: { params: IdParams, body: jsonBody(MessageBodySchema) },
    responses: { 201: jsonResponse(ClientMessageSchema, "The stored answer"), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
  }),
  async (c) => c.json(await postOwnerReply(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json").body), 201),
);
