// /api/client-access: the client portal's API. No account: the client access token in `?token=` is the
// credential (unknown 401, expired or revoked 410), and it opens one contact's view of one quote or invoice
// (or only their messages). Every route is rate limited per token and address (PORTAL_REQUESTS).
import { createRoute, z } from "@hono/zod-openapi";
import { jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, type AppEnv } from "../../router";
import type { Context } from "hono";
import { ensureDocumentPdf, pdfResponse } from "../pdf/documents";
import { portalAccess } from "./access";
import { respondToQuote } from "./decisions";
import { clientThread, postClientMessage } from "./messages";
import {
  ClientMessageListSchema,
  ClientMessageSchema,
  InvoiceParams,
  MessageBodySchema,
  PortalInvoiceSchema,
  PortalQuoteSchema,
  PortalViewSchema,
  QuoteParams,
  RejectSchema,
  TokenListQuery,
  TokenQuery,
} from "./schemas";
import { invoiceOf, ownerOf, portalView, quoteOf, todayIn, toInvoiceView, toQuoteView } from "./views";

export const clientAccessRoutes = createRouter();
const tags = ["Client portal"];

const gone = { description: "The link expired or was revoked (GONE)", content: problems[404].content };
const denied = { 401: problems[401], 410: gone, 429: problems[429] };
const deps = (c: Context<AppEnv>) => ({ env: c.env, db: c.get("db"), config: c.get("config") });
const requestIdOf = (c: Context<AppEnv>) => c.get("requestId") ?? null;
const PdfQuery = TokenQuery.extend({ download: z.enum(["0", "1"]).optional().openapi({ description: "1: as an attachment rather than inline" }) });
const pdfAnswer = { description: "The PDF", content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } } };

clientAccessRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "What the link shows: the quote or invoice as sent, the shoot's summary, the studio's public profile and the client's name",
    request: { query: TokenQuery },
    responses: { 200: jsonResponse(PortalViewSchema, "The client's view"), 400: problems[400], ...denied },
  }),
  async (c) => {
    const access = await portalAccess(c, c.req.valid("query").token);
    return c.json(await portalView(c.get("db"), access), 200);
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "get",
    path: "/quotes/{quoteId}",
    tags,
    summary: "The link's quote (404 for any other quote)",
    request: { params: QuoteParams, query: TokenQuery },
    responses: { 200: jsonResponse(PortalQuoteSchema, "The quote"), 400: problems[400], 404: problems[404], ...denied },
  }),
  async (c) => {
    const access = await portalAccess(c, c.req.valid("query").token);
    const db = c.get("db");
    const [quote, owner] = await Promise.all([quoteOf(db, access, c.req.valid("param").quoteId), ownerOf(db, access)]);
    return c.json(toQuoteView(quote, todayIn(owner.timezone)), 200);
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "get",
    path: "/quotes/{quoteId}/pdf",
    tags,
    summary: "The link's quote as a PDF",
    request: { params: QuoteParams, query: PdfQuery },
    responses: { 200: pdfAnswer, 400: problems[400], 404: problems[404], ...denied },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const access = await portalAccess(c, query.token);
    const quote = await quoteOf(c.get("db"), access, c.req.valid("param").quoteId);
    const pdf = await ensureDocumentPdf(deps(c), { kind: "QUOTE", ownerId: access.ownerId, id: quote.id });
    return pdfResponse(c.env, pdf, { download: query.download === "1" }) as never;
  },
);

const answered = (status: "ACCEPTED" | "REJECTED") => jsonResponse(z.object({ status: z.literal(status) }), `The quote is ${status}`);
const stale = { ...problems[409], description: "The quote is not SENT any more, or its validity has passed (CONFLICT, with a detail saying which)" };

clientAccessRoutes.openapi(
  createRoute({
    method: "post",
    path: "/quotes/{quoteId}/accept",
    tags,
    summary: "Accept the link's quote: only a SENT quote within its validity, once; the owner is notified",
    request: { params: QuoteParams, query: TokenQuery },
    responses: { 200: answered("ACCEPTED"), 400: problems[400], 404: problems[404], 409: stale, ...denied },
  }),
  async (c) => {
    const access = await portalAccess(c, c.req.valid("query").token);
    const result = await respondToQuote(deps(c), access, c.req.valid("param").quoteId, { status: "ACCEPTED" }, requestIdOf(c));
    return c.json(result as { status: "ACCEPTED" }, 200);
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "post",
    path: "/quotes/{quoteId}/reject",
    tags,
    summary: "Decline the link's quote, with an optional reason (up to 1,000 characters); the owner is notified",
    request: { params: QuoteParams, query: TokenQuery, body: { required: false, content: { "application/json": { schema: RejectSchema } } } },
    responses: { 200: answered("REJECTED"), 400: problems[400], 404: problems[404], 409: stale, ...denied },
  }),
  async (c) => {
    const access = await portalAccess(c, c.req.valid("query").token);
    const body = (c.req.valid("json") as z.infer<typeof RejectSchema> | undefined) ?? { reason: null };
    const result = await respondToQuote(deps(c), access, c.req.valid("param").quoteId, { status: "REJECTED", reason: body.reason }, requestIdOf(c));
    return c.json(result as { status: "REJECTED" }, 200);
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "get",
    path: "/invoices/{invoiceId}",
    tags,
    summary: "The link's invoice (404 for any other invoice)",
    request: { params: InvoiceParams, query: TokenQuery },
    responses: { 200: jsonResponse(PortalInvoiceSchema, "The invoice"), 400: problems[400], 404: problems[404], ...denied },
  }),
  async (c) => {
    const access = await portalAccess(c, c.req.valid("query").token);
    const db = c.get("db");
    const [invoice, owner] = await Promise.all([invoiceOf(db, access, c.req.valid("param").invoiceId), ownerOf(db, access)]);
    return c.json(toInvoiceView(invoice, owner), 200);
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "get",
    path: "/invoices/{invoiceId}/pdf",
    tags,
    summary: "The link's invoice as a PDF",
    request: { params: InvoiceParams, query: PdfQuery },
    responses: { 200: pdfAnswer, 400: problems[400], 404: problems[404], ...denied },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const access = await portalAccess(c, query.token);
    const invoice = await invoiceOf(c.get("db"), access, c.req.valid("param").invoiceId);
    const pdf = await ensureDocumentPdf(deps(c), { kind: "INVOICE", ownerId: access.ownerId, id: invoice.id });
    return pdfResponse(c.env, pdf, { download: query.download === "1" }) as never;
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "post",
    path: "/messages",
    tags,
    summary: "The client writes to the studio (up to 5,000 characters): the owner is notified and their dashboards get `messages:new`",
    request: { query: TokenQuery, body: jsonBody(MessageBodySchema) },
    responses: { 201: jsonResponse(ClientMessageSchema, "The stored message"), 400: problems[400], ...denied },
  }),
  async (c) => {
    const access = await portalAccess(c, c.req.valid("query").token);
    return c.json(await postClientMessage(deps(c), access, c.req.valid("json").body, requestIdOf(c)), 201);
  },
);

clientAccessRoutes.openapi(
  createRoute({
    method: "get",
    path: "/messages",
    tags,
    summary: "The thread with the studio, newest first (the studio's answers included); reading marks the studio's messages read",
    request: { query: TokenListQuery },
    responses: { 200: jsonResponse(ClientMessageListSchema, "A page of the thread"), 400: problems[400], ...denied },
  }),
  async (c) => {
    const { token, ...page } = c.req.valid("query");
    const access = await portalAccess(c, token);
    return c.json(await clientThread(deps(c), access, page, requestIdOf(c)), 200);
  },
);
