import { z } from "@hono/zod-openapi";
import { quoteStatuses, type Quote } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { CurrencySchema, DateSchema, documentFields, documentListQuery, ItemsSchema, iso, LocaleSchema, NotesSchema, documentFieldsOf } from "../documents/schemas";

export const QuoteSchema = z
  .object({
    ...documentFields,
    status: z.enum(quoteStatuses),
    validUntil: z.string().nullable().openapi({ description: "The last day the quote can be accepted (owner's time zone)" }),
    acceptedAt: z.iso.datetime().nullable(),
    rejectedAt: z.iso.datetime().nullable(),
    rejectionReason: z.string().nullable(),
    expiredAt: z.iso.datetime().nullable(),
    invoiceId: z.string().nullable().openapi({ description: "The invoice this quote was converted into" }),
  })
  .openapi("Quote");
export type QuoteDto = z.infer<typeof QuoteSchema>;

export const toQuoteDto = (quote: Quote, invoiceId: string | null): QuoteDto => ({
  ...documentFieldsOf(quote),
  status: quote.status,
  validUntil: quote.validUntil,
  acceptedAt: iso(quote.acceptedAt),
  rejectedAt: iso(quote.rejectedAt),
  rejectionReason: quote.rejectionReason,
  expiredAt: iso(quote.expiredAt),
  invoiceId,
});

export const CreateQuoteSchema = z
  .strictObject({
    contactId: z.string().min(1).max(64),
    sessionId: z.string().min(1).max(64).nullable().optional(),
    currency: CurrencySchema,
    locale: LocaleSchema.optional(),
    items: ItemsSchema,
    validUntil: DateSchema.optional(),
    notes: NotesSchema.optional(),
  })
  .openapi("CreateQuote");
export type CreateQuoteInput = z.infer<typeof CreateQuoteSchema>;

export const UpdateQuoteSchema = z
  .strictObject({
    contactId: z.string().min(1).max(64),
    sessionId: z.string().min(1).max(64).nullable(),
    currency: CurrencySchema,
    locale: LocaleSchema,
    items: ItemsSchema,
    validUntil: DateSchema,
    notes: NotesSchema,
    status: z.enum(quoteStatuses).openapi({ description: "ACCEPTED or REJECTED on a SENT quote (the client answered another way)" }),
    rejectionReason: z.string().trim().max(2000).nullable(),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateQuote");
export type UpdateQuoteInput = z.infer<typeof UpdateQuoteSchema>;

export const QuoteListQuery = z.object({ limit: limitParam, status: z.enum(quoteStatuses).optional(), ...documentListQuery });
export type QuoteListQueryInput = z.infer<typeof QuoteListQuery>;

export const QuoteListSchema = z.object({ items: z.array(QuoteSchema), nextCursor: z.string().nullable() }).openapi("QuoteList");
