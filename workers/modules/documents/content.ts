// What a create or a content PATCH writes: the client's fields plus the amounts computed from its lines.
import type { SQL } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import type { DocumentLineJson } from "@shared/db/schema";
import { validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { minorUnitDigits } from "./currency";
import { requireParties } from "./parties";
import { computeTotals, type LineInput } from "./totals";

export interface ContentInput {
  contactId?: string;
  sessionId?: string | null;
  currency?: string;
  locale?: string;
  notes?: string | null;
  items?: LineInput[];
}

export interface ContentColumns {
  contactId?: string;
  sessionId?: string | null;
  currency?: string;
  locale?: string;
  notes?: string | null;
  items?: DocumentLineJson[];
  subtotal?: number;
  discountTotal?: number;
  taxTotal?: number;
  total?: number;
}

/** The columns to write for `input`, after checking that its contact and shoot are the owner's. */
export async function contentColumns(db: Db, ownerId: string, input: ContentInput): Promise<ContentColumns> {
  await requireParties(db, ownerId, input.contactId, input.sessionId);
  const totals = input.items ? computeTotals(input.items) : undefined;
  const columns: ContentColumns = {};
  if (input.contactId !== undefined) columns.contactId = input.contactId;
  if (input.sessionId !== undefined) columns.sessionId = input.sessionId;
  if (input.currency !== undefined) columns.currency = input.currency;
  if (input.locale !== undefined) columns.locale = input.locale;
  if (input.notes !== undefined) columns.notes = input.notes;
  if (totals) {
    columns.items = totals.items;
    columns.subtotal = totals.subtotal;
    columns.discountTotal = totals.discountTotal;
    columns.taxTotal = totals.taxTotal;
    columns.total = totals.total;
  }
  return columns;
}

/** The columns a new quote or invoice starts with: its number, its content and a DRAFT status. */
export function newDocumentColumns(
  ownerId: string,
  numbering: { number: SQL<string> | string; sequence: SQL<number> | number },
  calendar: { year: number; locale: string },
  input: ContentInput & { contactId: string; currency: string },
  content: ContentColumns,
  now: Date,
) {
  return {
    id: newId(),
    ownerId,
    number: numbering.number,
    year: calendar.year,
    sequence: numbering.sequence,
    contactId: input.contactId,
    sessionId: input.sessionId ?? null,
    currency: input.currency,
    locale: input.locale ?? calendar.locale,
    notes: input.notes ?? null,
    items: content.items!,
    subtotal: content.subtotal!,
    discountTotal: content.discountTotal!,
    taxTotal: content.taxTotal!,
    total: content.total!,
    status: "DRAFT" as const,
    createdAt: now,
    updatedAt: now,
  };
}

export const CONTENT_FIELDS = ["contactId", "sessionId", "currency", "locale", "notes", "items"] as const;

/**
 * A PATCH changing the currency to one with another minor unit (EUR 2 → JPY 0) must bring the lines priced in
 * it: the stored amounts are minor units, and kept as they are they would silently mean 100 times more or less.
 */
export function checkCurrencyChange(currentCurrency: string, input: Pick<ContentInput, "currency" | "items">): void {
  if (input.currency === undefined || input.items !== undefined) return;
  const [from, to] = [minorUnitDigits(currentCurrency), minorUnitDigits(input.currency)];
  if (from === to) return;
  throw validationFailed([
    { path: "body.currency", message: `${input.currency} has ${to} decimal digits where ${currentCurrency} has ${from}: send the items priced in ${input.currency} along with it` },
  ]);
}
