import { and, desc, eq, exists, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { Temporal } from "temporal-polyfill";
import { documentCounters, invoices, type Invoice, type InvoiceStatus } from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { checkCurrencyChange, CONTENT_FIELDS, contentColumns, newDocumentColumns } from "../documents/content";
import { deliveryWritten, handOver, invoiceDeliveryInsert } from "../documents/deliveries";
import { allocateNumber } from "../documents/numbering";
import { currentParties } from "../documents/issued";
import { addDays, ownerCalendar } from "../documents/owner";
import { contactEmail } from "../documents/parties";
import { deleteDocumentPdfs } from "../pdf/documents";
import { assertTransition, INVOICE_TRANSITIONS } from "../documents/transitions";
import { toInvoiceDto, type CreateInvoiceInput, type InvoiceDto, type InvoiceListQueryInput, type UpdateInvoiceInput } from "./schemas";

export async function findInvoice(db: Db, ownerId: string, invoiceId: string): Promise<Invoice> {
  const [invoice] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.ownerId, ownerId), eq(invoices.id, invoiceId)))
    .limit(1);
  if (!invoice) throw notFound("Invoice");
  return invoice;
}

export const getInvoice = async (deps: ServiceDeps, ownerId: string, invoiceId: string): Promise<InvoiceDto> => toInvoiceDto(await findInvoice(deps.db, ownerId, invoiceId));

const checkDates = (issueDate: string, dueDate: string | null) => {
  if (dueDate !== null && Temporal.PlainDate.compare(dueDate, issueDate) < 0) {
    throw validationFailed([{ path: "body.dueDate", message: `must be on or after the issue date (${issueDate})` }]);
  }
};

/** The number F-<year>-… states the year of issue: the issue date must fall in it (the numbering year). */
const checkIssueYear = (issueDate: string, year: number, why: string) => {
  if (Temporal.PlainDate.from(issueDate).year !== year) throw validationFailed([{ path: "body.issueDate", message: `must be in ${year} (${why})` }]);
};

export async function createInvoice(deps: ServiceDeps, ownerId: string, input: CreateInvoiceInput): Promise<InvoiceDto> {
  const { db } = deps;
  const now = new Date();
  const calendar = await ownerCalendar(db, ownerId, now);
  const issueDate = input.issueDate ?? calendar.today;
  checkIssueYear(issueDate, calendar.year, "invoices are numbered in the current year");
  const dueDate = input.dueDate === undefined ? addDays(issueDate, deps.config.billing.invoiceDueDays) : input.dueDate;
  checkDates(issueDate, dueDate);
  const content = await contentColumns(db, ownerId, input);
  const numbering = allocateNumber(db, ownerId, "INVOICE", calendar.year);
  const [, inserted] = await auditedBatch(db, deps.actor, [
    numbering.bump,
    db
      .insert(invoices)
      .values({
        ...newDocumentColumns(ownerId, numbering, calendar, input, content, now),
        issueDate,
        dueDate,
      })
      .returning(),
  ]);
  return toInvoiceDto(inserted[0]!);
}

/** Newest first on invoices_owner_created_idx; the cursor is the last invoice's (created_at, id). */
export function invoiceListQuery(db: Db, ownerId: string, query: InvoiceListQueryInput) {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.number().int(), z.string()])) : undefined;
  return db
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.ownerId, ownerId),
        query.status ? eq(invoices.status, query.status) : undefined,
        query.contactId ? eq(invoices.contactId, query.contactId) : undefined,
        query.sessionId ? eq(invoices.sessionId, query.sessionId) : undefined,
        after ? or(lt(invoices.createdAt, new Date(after[0])), and(eq(invoices.createdAt, new Date(after[0])), lt(invoices.id, after[1]))) : undefined,
      ),
    )
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(query.limit + 1);
}

export async function listInvoices(deps: ServiceDeps, ownerId: string, query: InvoiceListQueryInput): Promise<Page<InvoiceDto>> {
  const rows = await invoiceListQuery(deps.db, ownerId, query);
  return toPage(rows, query.limit, (row) => [row.createdAt.getTime(), row.id], toInvoiceDto);
}

async function explainMiss(db: Db, ownerId: string, invoiceId: string, check: (invoice: Invoice) => void): Promise<never> {
  check(await findInvoice(db, ownerId, invoiceId));
  throw conflict("The invoice changed meanwhile: reload it and try again");
}

const requireDraft = (invoice: Invoice) => {
  if (invoice.status !== "DRAFT") throw conflict(`Invoice ${invoice.number} is ${invoice.status}: only a DRAFT can be edited or deleted (a sent invoice is cancelled)`);
};

/** PATCH: content while DRAFT (bumping `version`), or `status` alone (CANCELLED is the only one set by hand). */
export async function updateInvoice(deps: ServiceDeps, ownerId: string, invoiceId: string, input: UpdateInvoiceInput): Promise<InvoiceDto> {
  const { db } = deps;
  const current = await findInvoice(db, ownerId, invoiceId);
  const { status, issueDate, dueDate, ...content } = input;
  if (status !== undefined) {
    const mixed = [...CONTENT_FIELDS, "issueDate", "dueDate"].filter((field) => field in input);
    if (mixed.length > 0) throw validationFailed(mixed.map((field) => ({ path: `body.${field}`, message: "cannot change along with status" })));
    return changeStatus(deps, ownerId, current, status);
  }
  requireDraft(current);
  if (issueDate !== undefined) checkIssueYear(issueDate, current.year, `the year of its number ${current.number}`);
  checkDates(issueDate ?? current.issueDate, dueDate === undefined ? current.dueDate : dueDate);
  checkCurrencyChange(current.currency, content);
  const columns = await contentColumns(db, ownerId, content);
  const dates = { ...(issueDate !== undefined ? { issueDate } : {}), ...(dueDate !== undefined ? { dueDate } : {}) };
  const [updated] = await auditedBatch(db, deps.actor, [
    db
      .update(invoices)
      .set({ ...columns, ...dates, version: sql`${invoices.version} + 1`, updatedAt: new Date() })
      .where(and(eq(invoices.ownerId, ownerId), eq(invoices.id, invoiceId), eq(invoices.status, "DRAFT"), eq(invoices.version, current.version)))
      .returning(),
  ]);
  if (!updated[0]) return explainMiss(db, ownerId, invoiceId, requireDraft);
  return toInvoiceDto(updated[0]);
}

async function changeStatus(deps: ServiceDeps, ownerId: string, current: Invoice, to: InvoiceStatus): Promise<InvoiceDto> {
  const { db } = deps;
  assertTransition(INVOICE_TRANSITIONS, "invoice", current.status, to, "patch");
  const now = new Date();
  const [updated] = await auditedBatch(db, deps.actor, [
    db
      .update(invoices)
      .set({ status: to, cancelledAt: now, updatedAt: now })
      .where(and(eq(invoices.ownerId, ownerId), eq(invoices.id, current.id), eq(invoices.status, current.status)))
      .returning(),
  ]);
  if (!updated[0]) return explainMiss(db, ownerId, current.id, (invoice) => assertTransition(INVOICE_TRANSITIONS, "invoice", invoice.status, to, "patch"));
  return toInvoiceDto(updated[0]);
}

const notLast = (invoice: Invoice) =>
  conflict(`Invoice ${invoice.number} is not the last number of its series: deleting it would leave a gap in the numbering, so cancel it instead (PATCH status CANCELLED)`);

/**
 * Only a DRAFT holding the last number of its series is deleted, and the counter steps back with it: invoice
 * numbers must run without gaps. The counter goes first, conditional on this invoice still being the last DRAFT,
 * and the delete follows on the counter having stepped back to just below it, so both happen or neither: a
 * creation running at the same time comes before (the invoice is no longer last: 409) or after (it takes the
 * number back), never a duplicate nor a gap. A sent invoice, or a draft with later ones, is cancelled instead.
 */
export async function deleteInvoice(deps: ServiceDeps, ownerId: string, invoiceId: string): Promise<void> {
  const { db } = deps;
  const invoice = await findInvoice(db, ownerId, invoiceId);
  requireDraft(invoice);
  const counter = and(eq(documentCounters.userId, ownerId), eq(documentCounters.series, "INVOICE"), eq(documentCounters.year, invoice.year));
  const lastDraft = exists(
    db
      .select({ one: sql`1` })
      .from(invoices)
      .where(and(eq(invoices.id, invoiceId), eq(invoices.ownerId, ownerId), eq(invoices.status, "DRAFT"), eq(invoices.year, invoice.year), eq(invoices.sequence, invoice.sequence))),
  );
  const [stepped, deleted] = await auditedBatch(db, deps.actor, [
    db
      .update(documentCounters)
      .set({ lastNumber: sql`${documentCounters.lastNumber} - 1` })
      .where(and(counter, eq(documentCounters.lastNumber, invoice.sequence), lastDraft))
      .returning({ lastNumber: documentCounters.lastNumber }),
    db
      .delete(invoices)
      .where(
        and(
          eq(invoices.ownerId, ownerId),
          eq(invoices.id, invoiceId),
          eq(invoices.status, "DRAFT"),
          eq(invoices.sequence, sql`(SELECT ${documentCounters.lastNumber} + 1 FROM ${documentCounters} WHERE ${counter})`),
        ),
      )
      .returning({ id: invoices.id }),
  ]);
  if (!deleted[0] || !stepped[0]) {
    const changed = await findInvoice(db, ownerId, invoiceId);
    requireDraft(changed);
    throw notLast(changed);
  }
  try {
    await deleteDocumentPdfs(deps.env, { kind: "INVOICE", ownerId, id: invoiceId });
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "PDFs of a deleted invoice left in R2", invoiceId, error: String(error) }));
  }
}

/**
 * Emails the invoice to its contact: a DRAFT becomes SENT, or PAID when nothing is left to pay (a fully
 * discounted invoice is settled as issued; it could otherwise never be paid and would go OVERDUE). A SENT or
 * OVERDUE one is sent again as it stands. The first send also freezes the parties the PDF prints.
 */
export async function sendInvoice(deps: ServiceDeps, ownerId: string, invoiceId: string): Promise<{ status: InvoiceStatus; deliveryId: string }> {
  const { db } = deps;
  const invoice = await findInvoice(db, ownerId, invoiceId);
  const to: InvoiceStatus = invoice.status === "DRAFT" ? (invoice.total - invoice.amountPaid <= 0 ? "PAID" : "SENT") : invoice.status;
  assertTransition(INVOICE_TRANSITIONS, "invoice", invoice.status, to, "send");
  const toEmail = await contactEmail(db, ownerId, invoice.contactId);
  if (!toEmail) throw conflict("The invoice's contact has no email address");
  const parties = invoice.parties ?? (await currentParties(deps.env, db, ownerId, invoice.contactId));
  const now = new Date();
  const deliveryId = newId();
  const [written] = await auditedBatch(db, deps.actor, [
    invoiceDeliveryInsert(db, invoiceId, { id: deliveryId, ownerId, kind: "SEND", toEmail, now }, and(eq(invoices.status, invoice.status), eq(invoices.version, invoice.version))),
    db
      .update(invoices)
      .set({
        status: to,
        sentAt: sql`coalesce(${invoices.sentAt}, ${now.getTime()})`,
        parties,
        ...(to === "PAID" ? { paidAt: now } : {}),
        updatedAt: now,
      })
      .where(and(eq(invoices.id, invoiceId), eq(invoices.ownerId, ownerId), deliveryWritten(db, deliveryId))),
  ]);
  if (!written[0]) {
    const changed = await findInvoice(db, ownerId, invoiceId);
    assertTransition(INVOICE_TRANSITIONS, "invoice", changed.status, changed.status === "DRAFT" ? "SENT" : changed.status, "send");
    throw conflict("The invoice changed while sending: reload it and try again");
  }
  await handOver(deps.env, deliveryId);
  return { status: to, deliveryId };
}
