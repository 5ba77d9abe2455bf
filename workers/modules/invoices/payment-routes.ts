import { createRoute, z } from "@hono/zod-openapi";
import { limitParam } from "@shared/lib/pagination";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { DocumentIdParams } from "../documents/schemas";
import { deletePayment, listPayments, recordPayment } from "./payments";
import { CreatePaymentSchema, IdempotencyHeaders, PaymentListSchema, PaymentParams, RecordedPaymentSchema } from "./schemas";

// Mounted inside invoiceRoutes, which applies requireAuth to every path.
const openapiTags = ["Invoices"];
export const paymentRoutes = createRouter();

paymentRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/payments",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Record a payment on a SENT or OVERDUE invoice (409 beyond its balance); fully paid → PAID",
    request: { params: DocumentIdParams, headers: IdempotencyHeaders, body: jsonBody(CreatePaymentSchema) },
    responses: {
      201: jsonResponse(RecordedPaymentSchema, "The payment, with the invoice's new balance and status"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      409: problems[409],
    },
  }),
  async (c) =>
    c.json(await recordPayment(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json"), c.req.valid("header")["idempotency-key"]), 201),
);

paymentRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/payments",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The invoice's payments, oldest first",
    request: { params: DocumentIdParams, query: z.object({ limit: limitParam, cursor: z.string().max(512).optional() }) },
    responses: { 200: jsonResponse(PaymentListSchema, "A page of payments"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await listPayments(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("query")), 200),
);

paymentRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/payments/{paymentId}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Remove a payment; the invoice's balance and status are recomputed (PAID goes back to SENT or OVERDUE)",
    request: { params: PaymentParams },
    responses: { 204: { description: "Deleted" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const { id, paymentId } = c.req.valid("param");
    await deletePayment(depsOf(c), c.get("auth").sub, id, paymentId);
    return c.body(null, 204);
  },
);
