import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { invoices, quotes, type Quote, type QuoteStatus } from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { checkCurrencyChange, CONTENT_FIELDS, contentColumns, newDocumentColumns } from "../documents/content";
import { allocateNumber } from "../documents/numbering";
import { addDays, ownerCalendar } from "../documents/owner";
import { assertTransition, QUOTE_TRANSITIONS } from "../documents/transitions";
import { deleteDocumentPdfs } from "../pdf/documents";
import { toQuoteDto, type CreateQuoteInput, type QuoteDto, type QuoteListQueryInput, type UpdateQuoteInput } from "./schemas";

const quoteWithInvoice = (db: Db) =>
  db
    .select({ quote: quotes, invoiceId: invoices.id })
    .from(quotes)
    // invoices_quote_unique: at most one invoice per quote.
    .leftJoin(invoices, eq(invoices.quoteId, quotes.id));

/** The owner's quote as stored, or 404. */
export async function findQuote(db: Db, ownerId: string, quoteId: string): Promise<{ quote: Quote; invoiceId: string | null }> {
  const [row] = await quoteWithInvoice(db)
    .where(and(eq(quotes.ownerId, ownerId), eq(quotes.id, quoteId)))
    .limit(1);
  if (!row) throw notFound("Quote");
  return row;
}

export async function getQuote(deps: ServiceDeps, ownerId: string, quoteId: string): Promise<QuoteDto> {
  const { quote, invoiceId } = await findQuote(deps.db, ownerId, quoteId);
  return toQuoteDto(quote, invoiceId);
}

const validFrom = (validUntil: string | undefined, today: string) => {
  if (validUntil !== undefined && validUntil < today) throw validationFailed([{ path: "body.validUntil", message: `must be today (${today}) or later` }]);
};

export async function createQuote(deps: ServiceDeps, ownerId: string, input: CreateQuoteInput): Promise<QuoteDto> {
  const { db } = deps;
  const now = new Date();
  const calendar = await ownerCalendar(db, ownerId, now);
  validFrom(input.validUntil, calendar.today);
  const content = await contentColumns(db, ownerId, input);
  const numbering = allocateNumber(db, ownerId, "QUOTE", calendar.year);
  const [, inserted] = await auditedBatch(db, deps.actor, [
    numbering.bump,
    db
      .insert(quotes)
      .values({
        ...newDocumentColumns(ownerId, numbering, calendar, input, content, now),
        validUntil: input.validUntil ?? addDays(calendar.today, deps.config.billing.quoteValidDays),
      })
      .returning(),
  ]);
  return toQuoteDto(inserted[0]!, null);
}

/** Newest first on quotes_owner_created_idx; the cursor is the last quote's (created_at, id). */
export function quoteListQuery(db: Db, ownerId: string, query: QuoteListQueryInput) {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.number().int(), z.string()])) : undefined;
  return quoteWithInvoice(db)
    .where(
      and(
        eq(quotes.ownerId, ownerId),
        query.status ? eq(quotes.status, query.status) : undefined,
        query.contactId ? eq(quotes.contactId, query.contactId) : undefined,
        query.sessionId ? eq(quotes.sessionId, query.sessionId) : undefined,
        after ? or(lt(quotes.createdAt, new Date(after[0])), and(eq(quotes.createdAt, new Date(after[0])), lt(quotes.id, after[1]))) : undefined,
      ),
    )
    .orderBy(desc(quotes.createdAt), desc(quotes.id))
    .limit(query.limit + 1);
}

export async function listQuotes(deps: ServiceDeps, ownerId: string, query: QuoteListQueryInput): Promise<Page<QuoteDto>> {
  const rows = await quoteListQuery(deps.db, ownerId, query);
  return toPage(rows, query.limit, (row) => [row.quote.createdAt.getTime(), row.quote.id], (row) => toQuoteDto(row.quote, row.invoiceId));
}

/** After a conditional write matched nothing: 404 when the quote is gone, else the reason it can no longer change. */
async function explainMiss(db: Db, ownerId: string, quoteId: string, check: (quote: Quote) => void): Promise<never> {
  const { quote } = await findQuote(db, ownerId, quoteId);
  check(quote);
  throw conflict("The quote changed meanwhile: reload it and try again");
}

const requireDraft = (quote: Quote) => {
  if (quote.status !== "DRAFT") throw conflict(`Quote ${quote.number} is ${quote.status}: only a DRAFT can be edited or deleted`);
};

/** PATCH: content while DRAFT (bumping `version`), or `status` alone (the transition table decides). */
export async function updateQuote(deps: ServiceDeps, ownerId: string, quoteId: string, input: UpdateQuoteInput): Promise<QuoteDto> {
  const { db } = deps;
  const { quote: current } = await findQuote(db, ownerId, quoteId);
  const { status, rejectionReason, validUntil, ...content } = input;
  if (status !== undefined) {
    const mixed = [...CONTENT_FIELDS, "validUntil"].filter((field) => field in input);
    if (mixed.length > 0) throw validationFailed(mixed.map((field) => ({ path: `body.${field}`, message: "cannot change along with status" })));
    return changeStatus(deps, ownerId, current, status, rejectionReason);
  }
  if (rejectionReason !== undefined) throw validationFailed([{ path: "body.rejectionReason", message: "is only given with status REJECTED" }]);
  requireDraft(current);
  checkCurrencyChange(current.currency, content);
  const now = new Date();
  validFrom(validUntil, (await ownerCalendar(db, ownerId, now)).today);
  const columns = await contentColumns(db, ownerId, content);
  const [updated] = await auditedBatch(db, deps.actor, [
    db
      .update(quotes)
      .set({ ...columns, ...(validUntil !== undefined ? { validUntil } : {}), version: sql`${quotes.version} + 1`, updatedAt: now })
      .where(and(eq(quotes.ownerId, ownerId), eq(quotes.id, quoteId), eq(quotes.status, "DRAFT"), eq(quotes.version, current.version)))
      .returning(),
  ]);
  if (!updated[0]) return explainMiss(db, ownerId, quoteId, requireDraft);
  return getQuote(deps, ownerId, quoteId);
}

async function changeStatus(deps: ServiceDeps, ownerId: string, current: Quote, to: QuoteStatus, reason: string | null | undefined): Promise<QuoteDto> {
  const { db } = deps;
  assertTransition(QUOTE_TRANSITIONS, "quote", current.status, to, "patch");
  if (reason !== undefined && to !== "REJECTED") throw validationFailed([{ path: "body.rejectionReason", message: "is only given with status REJECTED" }]);
  const now = new Date();
  const stamp = to === "ACCEPTED" ? { acceptedAt: now } : { rejectedAt: now, rejectionReason: reason || null };
  const [updated] = await auditedBatch(db, deps.actor, [
    db
      .update(quotes)
      .set({ status: to, ...stamp, updatedAt: now })
      .where(and(eq(quotes.ownerId, ownerId), eq(quotes.id, current.id), eq(quotes.status, current.status)))
      .returning({ id: quotes.id }),
  ]);
  if (!updated[0]) return explainMiss(db, ownerId, current.id, (quote) => assertTransition(QUOTE_TRANSITIONS, "quote", quote.status, to, "patch"));
  return getQuote(deps, ownerId, current.id);
}

/**
 * Only a DRAFT is deleted; its number is not handed out again. Unlike invoice numbers, quote numbers need not run
 * without gaps (a quote is an offer, not an accounting record), so any draft can go.
 */
export async function deleteQuote(deps: ServiceDeps, ownerId: string, quoteId: string): Promise<void> {
  const { db } = deps;
  requireDraft((await findQuote(db, ownerId, quoteId)).quote);
  const [deleted] = await auditedBatch(db, deps.actor, [
    db
      .delete(quotes)
      .where(and(eq(quotes.ownerId, ownerId), eq(quotes.id, quoteId), eq(quotes.status, "DRAFT")))
      .returning({ id: quotes.id }),
  ]);
  if (!deleted[0]) await explainMiss(db, ownerId, quoteId, requireDraft);
  try {
    await deleteDocumentPdfs(deps.env, { kind: "QUOTE", ownerId, id: quoteId });
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "PDFs of a deleted quote left in R2", quoteId, error: String(error) }));
  }
}
