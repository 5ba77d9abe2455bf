import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { DocumentIdParams, SendResultSchema } from "../documents/schemas";
import { ensureDocumentPdf, pdfResponse } from "../pdf/documents";
import { paymentRoutes } from "./payment-routes";
import { CreateInvoiceSchema, InvoiceListQuery, InvoiceListSchema, InvoiceSchema, UpdateInvoiceSchema } from "./schemas";
import { createInvoice, deleteInvoice, findInvoice, getInvoice, listInvoices, sendInvoice, updateInvoice } from "./service";

const openapiTags = ["Invoices"];
export const invoiceRoutes = createRouter();
invoiceRoutes.use("*", requireAuth);

const read = { 400: problems[400], 401: problems[401], 404: problems[404] } as const;
const write = { ...read, 409: problems[409] } as const;

invoiceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Create a DRAFT invoice (numbered F-YYYY-NNNN; amounts computed by the server)",
    request: { body: jsonBody(CreateInvoiceSchema) },
    responses: { 201: jsonResponse(InvoiceSchema, "The new invoice"), ...read },
  }),
  async (c) => c.json(await createInvoice(depsOf(c), c.get("auth").sub, c.req.valid("json")), 201),
);

invoiceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The user's invoices, newest first",
    request: { query: InvoiceListQuery },
    responses: { 200: jsonResponse(InvoiceListSchema, "A page of invoices"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listInvoices(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

invoiceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One invoice",
    request: { params: DocumentIdParams },
    responses: { 200: jsonResponse(InvoiceSchema, "The invoice"), ...read },
  }),
  async (c) => c.json(await getInvoice(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);

invoiceRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Edit a DRAFT invoice (bumps version), or cancel one (status CANCELLED)",
    request: { params: DocumentIdParams, body: jsonBody(UpdateInvoiceSchema) },
    responses: { 200: jsonResponse(InvoiceSchema, "The updated invoice"), ...write },
  }),
  async (c) => c.json(await updateInvoice(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json")), 200),
);

invoiceRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Delete the DRAFT invoice holding the last F- number (its number is handed out again); any other is cancelled instead (409)",
    request: { params: DocumentIdParams },
    responses: { 204: { description: "Deleted" }, ...write },
  }),
  async (c) => {
    await deleteInvoice(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

invoiceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/send",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Email the invoice (PDF and portal link) to its contact; a DRAFT becomes SENT (PAID when its total is 0)",
    request: { params: DocumentIdParams },
    responses: { 202: jsonResponse(SendResultSchema, "Queued"), ...write },
  }),
  async (c) => c.json(await sendInvoice(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 202),
);

invoiceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/pdf",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The invoice as a PDF (rendered once per version)",
    request: { params: DocumentIdParams },
    responses: { 200: { description: "The PDF", content: { "application/pdf": { schema: { type: "string", format: "binary" } } } }, ...read },
  }),
  async (c) => {
    const deps = depsOf(c);
    const ownerId = c.get("auth").sub;
    const invoice = await findInvoice(deps.db, ownerId, c.req.valid("param").id);
    return pdfResponse(deps.env, await ensureDocumentPdf(deps, { kind: "INVOICE", ownerId, id: invoice.id }));
  },
);

invoiceRoutes.route("/", paymentRoutes);
