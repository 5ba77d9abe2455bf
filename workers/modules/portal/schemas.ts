import { z } from "@hono/zod-openapi";
import { clientMessageDirections, invoiceStatuses, quoteStatuses } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { MESSAGE_MAX_LENGTH } from "./messages";

/** The client access token: checked by the portal itself (401/410), so a missing one is not a 400. */
const token = z.string().max(512).optional().openapi({ description: "The client access token from the portal link", example: "Qm9va2luZy10b2tlbi1leGFtcGxlLTAxMjM0NTY3ODk" });
export const TokenQuery = z.object({ token });
export const TokenListQuery = z.object({ token, limit: limitParam, cursor: z.string().max(512).optional() });

const id = z.string().min(1).max(64);
export const QuoteParams = z.object({ quoteId: id });
export const InvoiceParams = z.object({ invoiceId: id });
export const IdParams = z.object({ id });

export const RejectSchema = z
  .strictObject({ reason: z.string().trim().max(1000).nullable().optional().transform((value) => value || null) })
  .openapi("RejectQuote");
export const MessageBodySchema = z.strictObject({ body: z.string().trim().min(1).max(MESSAGE_MAX_LENGTH) }).openapi("ClientMessageInput");

const Line = z
  .object({
    description: z.string(),
    quantity: z.number(),
    unitPrice: z.number().int(),
    taxRate: z.number(),
    discount: z.object({ type: z.enum(["PERCENT", "AMOUNT"]), value: z.number() }).nullable(),
    net: z.number().int(),
    tax: z.number().int(),
    total: z.number().int(),
  })
  .openapi("PortalDocumentLine");
const Tax = z.object({ rate: z.number(), base: z.number().int(), tax: z.number().int() }).openapi("PortalTaxByRate");
const documentFields = {
  id: z.string(),
  number: z.string(),
  currency: z.string(),
  locale: z.string(),
  lines: z.array(Line),
  subtotal: z.number().int(),
  discountTotal: z.number().int(),
  taxTotal: z.number().int(),
  total: z.number().int(),
  taxes: z.array(Tax),
  notes: z.string().nullable(),
  sentAt: z.iso.datetime().nullable(),
};
export const PortalQuoteSchema = z
  .object({
    ...documentFields,
    status: z.enum(quoteStatuses),
    validUntil: z.string().nullable(),
    acceptedAt: z.iso.datetime().nullable(),
    rejectedAt: z.iso.datetime().nullable(),
    rejectionReason: z.string().nullable(),
    expiredAt: z.iso.datetime().nullable(),
    canRespond: z.boolean(),
  })
  .openapi("PortalQuote");
export const PortalInvoiceSchema = z
  .object({
    ...documentFields,
    status: z.enum(invoiceStatuses),
    issueDate: z.string(),
    dueDate: z.string().nullable(),
    amountPaid: z.number().int(),
    amountDue: z.number().int(),
    paidAt: z.iso.datetime().nullable(),
    paymentDetails: z.string().nullable(),
  })
  .openapi("PortalInvoice");
const nullableText = z.string().nullable();
export const StudioProfileSchema = z
  .object({
    name: z.string(),
    company: nullableText,
    address: z.object({ line1: nullableText, line2: nullableText, postalCode: nullableText, city: nullableText, region: nullableText, country: nullableText }),
    vatNumber: nullableText,
    email: z.string(),
    phone: nullableText,
    hasLogo: z.boolean(),
  })
  .openapi("StudioProfile");
export const PortalViewSchema = z
  .object({
    client: z.object({ firstName: z.string(), lastName: nullableText }),
    studio: StudioProfileSchema,
    quote: PortalQuoteSchema.nullable(),
    invoice: PortalInvoiceSchema.nullable(),
    session: z.object({ title: z.string(), type: z.string(), startsAt: z.iso.datetime().nullable(), endsAt: z.iso.datetime().nullable(), location: nullableText }).nullable(),
    link: z.object({ expiresAt: z.iso.datetime() }),
  })
  .openapi("PortalView");

export const ClientMessageSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    direction: z.enum(clientMessageDirections),
    body: z.string(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("ClientMessage");
export const ClientMessageListSchema = z.object({ items: z.array(ClientMessageSchema), nextCursor: z.string().nullable() }).openapi("ClientMessageList");

export const ClientLinkSchema = z.object({ id: z.string(), url: z.url(), token: z.string(), expiresAt: z.iso.datetime() }).openapi("ClientLink");
export const ClientLinkSummarySchema = z
  .object({
    id: z.string(),
    quoteId: nullableText,
    invoiceId: nullableText,
    expiresAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("ClientLinkSummary");
export const ClientLinkListSchema = z.object({ items: z.array(ClientLinkSummarySchema), nextCursor: z.string().nullable() }).openapi("ClientLinkList");
