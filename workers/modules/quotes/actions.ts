// Sending a quote to its client and turning it into an invoice: each one audited batch, conditional on the
// quote being as it was read, so a racing send, answer or conversion makes the other a 409, never a mix.
import { and, eq, sql } from "drizzle-orm";
import { auditedBatch } from "@shared/db/audited";
import { isUniqueViolation } from "@shared/db/client";
import { invoices, quotes } from "@shared/db/schema";
import { conflict } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { deliveryWritten, handOver, quoteDeliveryInsert } from "../documents/deliveries";
import { allocateNumber } from "../documents/numbering";
import { currentParties } from "../documents/issued";
import { addDays, ownerCalendar } from "../documents/owner";
import { contactEmail } from "../documents/parties";
import { assertTransition, QUOTE_TRANSITIONS } from "../documents/transitions";
import { toInvoiceDto, type InvoiceDto } from "../invoices/schemas";
import { findQuote } from "./service";

/**
 * Marks the quote SENT (a re-send keeps SENT and the first `sentAt`) and records a QUEUED delivery to the
 * contact's address, then hands it to the deliveries queue. The first send freezes the parties its PDF prints
 * (workers/modules/documents/issued.ts). 409 when the contact has no email, the quote is past its validity, or
 * its status does not allow sending.
 */
export async function sendQuote(deps: ServiceDeps, ownerId: string, quoteId: string): Promise<{ status: "SENT"; deliveryId: string }> {
  const { db } = deps;
  const { quote } = await findQuote(db, ownerId, quoteId);
  assertTransition(QUOTE_TRANSITIONS, "quote", quote.status, "SENT", "send");
  const now = new Date();
  const { today } = await ownerCalendar(db, ownerId, now);
  if (quote.validUntil && quote.validUntil < today) throw conflict(`Quote ${quote.number} was valid until ${quote.validUntil}: change validUntil before sending it`);
  const toEmail = await contactEmail(db, ownerId, quote.contactId);
  if (!toEmail) throw conflict("The quote's contact has no email address");
  const parties = quote.parties ?? (await currentParties(deps.env, db, ownerId, quote.contactId));

  const deliveryId = newId();
  const [written] = await auditedBatch(db, deps.actor, [
    quoteDeliveryInsert(db, quoteId, { id: deliveryId, ownerId, kind: "SEND", toEmail, now }, and(eq(quotes.status, quote.status), eq(quotes.version, quote.version))),
    db
      .update(quotes)
      .set({ status: "SENT", sentAt: sql`coalesce(${quotes.sentAt}, ${now.getTime()})`, parties, updatedAt: now })
      .where(and(eq(quotes.id, quoteId), eq(quotes.ownerId, ownerId), deliveryWritten(db, deliveryId))),
  ]);
  if (!written[0]) {
    const { quote: changed } = await findQuote(db, ownerId, quoteId);
    assertTransition(QUOTE_TRANSITIONS, "quote", changed.status, "SENT", "send");
    throw conflict("The quote changed while sending: reload it and try again");
  }
  await handOver(deps.env, deliveryId);
  return { status: "SENT", deliveryId };
}

const isNotNullViolation = (error: unknown) =>
  error instanceof Error && `${error.message} ${(error.cause as Error | undefined)?.message ?? ""}`.includes("NOT NULL constraint failed");

/**
 * The quote's lines as a new DRAFT invoice (F- number, issued today in the owner's zone), once per quote. A SENT
 * quote becomes ACCEPTED in the same batch. The invoice takes its contact from the quote as the batch finds it,
 * and only from an ACCEPTED one: a quote rejected or expired since the read leaves that NULL, the NOT NULL column
 * fails the batch, and everything (the counter bump included) rolls back. A second conversion hits
 * invoices_quote_unique the same way: one invoice, no number spent by the losers.
 */
export async function convertQuote(deps: ServiceDeps, ownerId: string, quoteId: string): Promise<InvoiceDto> {
  const { db } = deps;
  const { quote, invoiceId } = await findQuote(db, ownerId, quoteId);
  const alreadyConverted = () => conflict(`Quote ${quote.number} was already converted into an invoice`);
  if (invoiceId) throw alreadyConverted();
  if (quote.status !== "ACCEPTED") assertTransition(QUOTE_TRANSITIONS, "quote", quote.status, "ACCEPTED", "convert");
  const now = new Date();
  const calendar = await ownerCalendar(db, ownerId, now);
  const numbering = allocateNumber(db, ownerId, "INVOICE", calendar.year);
  const acceptedContact = sql<string>`(SELECT ${quotes.contactId} FROM ${quotes} WHERE ${and(eq(quotes.id, quoteId), eq(quotes.ownerId, ownerId), eq(quotes.status, "ACCEPTED"))})`;
  try {
    const [, , inserted] = await auditedBatch(db, deps.actor, [
      db
        .update(quotes)
        .set({ status: "ACCEPTED", acceptedAt: now, updatedAt: now })
        .where(and(eq(quotes.id, quoteId), eq(quotes.ownerId, ownerId), eq(quotes.status, "SENT"))),
      numbering.bump,
      db
        .insert(invoices)
        .values({
          id: newId(),
          ownerId,
          number: numbering.number,
          year: calendar.year,
          sequence: numbering.sequence,
          contactId: acceptedContact,
          sessionId: quote.sessionId,
          currency: quote.currency,
          locale: quote.locale,
          notes: quote.notes,
          items: quote.items,
          subtotal: quote.subtotal,
          discountTotal: quote.discountTotal,
          taxTotal: quote.taxTotal,
          total: quote.total,
          status: "DRAFT",
          quoteId,
          issueDate: calendar.today,
          dueDate: addDays(calendar.today, deps.config.billing.invoiceDueDays),
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
    ]);
    return toInvoiceDto(inserted[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyConverted();
    if (!isNotNullViolation(error)) throw error;
    const { quote: changed, invoiceId: raced } = await findQuote(db, ownerId, quoteId);
    if (raced) throw alreadyConverted();
    if (changed.status !== "ACCEPTED") assertTransition(QUOTE_TRANSITIONS, "quote", changed.status, "ACCEPTED", "convert");
    throw conflict("The quote changed while converting: reload it and try again");
  }
}
