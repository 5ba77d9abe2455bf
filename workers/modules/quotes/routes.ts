import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { DocumentIdParams, SendResultSchema } from "../documents/schemas";
import { InvoiceSchema } from "../invoices/schemas";
import { ensureDocumentPdf, pdfResponse } from "../pdf/documents";
import { convertQuote, sendQuote } from "./actions";
import { CreateQuoteSchema, QuoteListQuery, QuoteListSchema, QuoteSchema, UpdateQuoteSchema } from "./schemas";
import { createQuote, deleteQuote, findQuote, getQuote, listQuotes, updateQuote } from "./service";

const openapiTags = ["Quotes"];
export const quoteRoutes = createRouter();
quoteRoutes.use("*", requireAuth);

const read = { 400: problems[400], 401: problems[401], 404: problems[404] } as const;
const write = { ...read, 409: problems[409] } as const;

quoteRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Create a DRAFT quote (numbered Q-YYYY-NNNN; amounts computed by the server)",
    request: { body: jsonBody(CreateQuoteSchema) },
    responses: { 201: jsonResponse(QuoteSchema, "The new quote"), ...read },
  }),
  async (c) => c.json(await createQuote(depsOf(c), c.get("auth").sub, c.req.valid("json")), 201),
);

quoteRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The user's quotes, newest first",
    request: { query: QuoteListQuery },
    responses: { 200: jsonResponse(QuoteListSchema, "A page of quotes"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listQuotes(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

quoteRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One quote",
    request: { params: DocumentIdParams },
    responses: { 200: jsonResponse(QuoteSchema, "The quote"), ...read },
  }),
  async (c) => c.json(await getQuote(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);

quoteRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Edit a DRAFT quote (bumps version), or record the client's answer to a SENT one (status ACCEPTED or REJECTED)",
    request: { params: DocumentIdParams, body: jsonBody(UpdateQuoteSchema) },
    responses: { 200: jsonResponse(QuoteSchema, "The updated quote"), ...write },
  }),
  async (c) => c.json(await updateQuote(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json")), 200),
);

quoteRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Delete a DRAFT quote (its number is not reused)",
    request: { params: DocumentIdParams },
    responses: { 204: { description: "Deleted" }, ...write },
  }),
  async (c) => {
    await deleteQuote(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

quoteRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/send",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Email the quote (PDF and portal link) to its contact; the quote becomes SENT",
    request: { params: DocumentIdParams },
    responses: { 202: jsonResponse(SendResultSchema, "Queued"), ...write },
  }),
  async (c) => c.json(await sendQuote(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 202),
);

quoteRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/convert",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Turn a SENT or ACCEPTED quote into a DRAFT invoice, once (a SENT quote becomes ACCEPTED)",
    request: { params: DocumentIdParams },
    responses: { 201: jsonResponse(InvoiceSchema, "The new invoice"), ...write },
  }),
  async (c) => c.json(await convertQuote(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 201),
);

quoteRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/pdf",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The quote as a PDF (rendered once per version)",
    request: { params: DocumentIdParams },
    responses: { 200: { description: "The PDF", content: { "application/pdf": { schema: { type: "string", format: "binary" } } } }, ...read },
  }),
  async (c) => {
    const deps = depsOf(c);
    const ownerId = c.get("auth").sub;
    const { quote } = await findQuote(deps.db, ownerId, c.req.valid("param").id);
    return pdfResponse(deps.env, await ensureDocumentPdf(deps, { kind: "QUOTE", ownerId, id: quote.id }));
  },
);
