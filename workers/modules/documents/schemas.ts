// Wire shapes quotes and invoices share: the lines a client writes, the lines and totals the server answers.
import { z } from "@hono/zod-openapi";
import type { DocumentLineJson } from "@shared/db/schema";
import { optionalText } from "../../openapi";
import { isCurrency } from "./currency";
import { DECIMALS, scaled, taxesByRateOf } from "./totals";

const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;
const decimals = (schema: z.ZodNumber) => schema.refine((value) => scaled(value) !== null, `must have at most ${DECIMALS} decimals`);

const DiscountSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("PERCENT"), value: decimals(z.number().min(0).max(100)).openapi({ example: 10 }) }),
    z.strictObject({ type: z.literal("AMOUNT"), value: z.number().int().min(0).max(MAX_AMOUNT).openapi({ description: "Minor units, at most the line's gross" }) }),
  ])
  .openapi("DocumentDiscount");

export const LineItemInputSchema = z
  .strictObject({
    description: z.string().trim().min(1).max(2000).openapi({ example: "Wedding photography, full day" }),
    quantity: decimals(z.number().gt(0).max(1_000_000)).openapi({ example: 1.5, description: `Greater than 0, up to ${DECIMALS} decimals` }),
    unitPrice: z
      .number()
      .int()
      .min(-MAX_AMOUNT)
      .max(MAX_AMOUNT)
      .openapi({ example: 150000, description: "Minor units of the document's currency; negative for a credit line" }),
    taxRate: decimals(z.number().min(0).max(100)).openapi({ example: 20, description: `Percent, up to ${DECIMALS} decimals` }),
    discount: DiscountSchema.nullable().optional(),
  })
  .openapi("DocumentLineInput");

export const ItemsSchema = z.array(LineItemInputSchema).min(1).max(100);

export const CurrencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCurrency, "must be an ISO 4217 currency code")
  .openapi({ example: "EUR" });

export const LocaleSchema = z
  .string()
  .trim()
  .min(2)
  .max(35)
  .refine((value) => {
    try {
      return Intl.getCanonicalLocales(value).length === 1;
    } catch {
      return false;
    }
  }, "must be a BCP 47 language tag")
  .transform((value) => Intl.getCanonicalLocales(value)[0]!)
  .openapi({ example: "fr-FR" });

/** Dates a document can carry. Bounded so date arithmetic (a due date 30 days on) never leaves 4-digit years. */
export const DATE_RANGE = { min: "2000-01-01", max: "2100-12-31" } as const;
export const DateSchema = z.iso
  .date()
  .refine((date) => date >= DATE_RANGE.min && date <= DATE_RANGE.max, `must be between ${DATE_RANGE.min} and ${DATE_RANGE.max}`)
  .openapi({ example: "2026-12-31" });
export const NotesSchema = optionalText(5000);

export const DocumentLineSchema = z
  .object({
    description: z.string(),
    quantity: z.number(),
    unitPrice: z.number().int(),
    taxRate: z.number(),
    discount: DiscountSchema.nullable(),
    gross: z.number().int().openapi({ description: "quantity × unitPrice, rounded half away from zero" }),
    discountAmount: z.number().int(),
    net: z.number().int().openapi({ description: "gross − discountAmount" }),
    tax: z.number().int().openapi({ description: "net × taxRate / 100, rounded half away from zero" }),
    total: z.number().int().openapi({ description: "net + tax" }),
  })
  .openapi("DocumentLine");

export const TaxByRateSchema = z.object({ rate: z.number(), base: z.number().int(), tax: z.number().int() }).openapi("TaxByRate");

/** The fields every quote and invoice answers with. */
export const documentFields = {
  id: z.string(),
  number: z.string().openapi({ example: "Q-2026-0001" }),
  contactId: z.string(),
  sessionId: z.string().nullable(),
  currency: z.string(),
  locale: z.string(),
  items: z.array(DocumentLineSchema),
  subtotal: z.number().int(),
  discountTotal: z.number().int(),
  taxTotal: z.number().int(),
  total: z.number().int(),
  taxesByRate: z.array(TaxByRateSchema),
  notes: z.string().nullable(),
  version: z.number().int(),
  sentAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

interface StoredDocument {
  id: string;
  number: string;
  contactId: string;
  sessionId: string | null;
  currency: string;
  locale: string;
  items: DocumentLineJson[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  notes: string | null;
  version: number;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const iso = (date: Date | null) => date?.toISOString() ?? null;

export const documentFieldsOf = (row: StoredDocument) => ({
  id: row.id,
  number: row.number,
  contactId: row.contactId,
  sessionId: row.sessionId,
  currency: row.currency,
  locale: row.locale,
  items: row.items,
  subtotal: row.subtotal,
  discountTotal: row.discountTotal,
  taxTotal: row.taxTotal,
  total: row.total,
  taxesByRate: taxesByRateOf(row.items),
  notes: row.notes,
  version: row.version,
  sentAt: iso(row.sentAt),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const DocumentIdParams = z.object({ id: z.string().min(1).max(64) });

export const SendResultSchema = z.object({ status: z.string().openapi({ example: "SENT" }), deliveryId: z.string() }).openapi("DocumentSendResult");

/** List filters quotes and invoices share. */
export const documentListQuery = {
  contactId: z.string().min(1).max(64).optional(),
  sessionId: z.string().min(1).max(64).optional(),
  cursor: z.string().max(512).optional(),
};
