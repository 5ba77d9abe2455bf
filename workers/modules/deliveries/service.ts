// Sending a quote or invoice: the route (or the overdue cron) writes a QUEUED document_deliveries row with the
// status change, then enqueues this job. The job renders the PDF, finds the client's portal link, words the
// email with the studio's template, hands one email.send to the queue and marks the delivery SENT. A delivery
// that can never go out (a reminder for an invoice no longer due, an email too large to queue) ends FAILED with
// why, at once rather than after retries.
import { and, asc, eq, lt, sql } from "drizzle-orm";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { contacts, documentDeliveries, invoices, jobRuns, quotes, users, type DocumentDelivery, type EmailTemplateKind } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { enqueueJob } from "../../jobs/enqueue";
import { EmailTooLargeError, renderTemplate, type TemplateValues } from "../email-templates/service";
import { clientValues, invoiceValues, quoteValues, studioValues } from "../email-templates/values";
import type { NotificationDeps } from "../notifications/service";
import { ensureDocumentPdf } from "../pdf/documents";
import { getOrCreateClientLink } from "../portal/tokens";
import type { CronContext } from "../../cron";

export const deliveryKey = (deliveryId: string) => `delivery:${deliveryId}`;

/** Enqueues the `document.deliver` job of a document_deliveries row written (status QUEUED) by the caller's batch. */
export async function enqueueDelivery(env: Env, deliveryId: string): Promise<void> {
  await enqueueJob(env.JOBS, "document.deliver", deliveryKey(deliveryId), { deliveryId });
}

/** The document a delivery carries, with what its email says about it. */
async function loadDocument(deps: NotificationDeps, delivery: DocumentDelivery) {
  if (delivery.quoteId) {
    const [quote] = await deps.db.select().from(quotes).where(eq(quotes.id, delivery.quoteId)).limit(1);
    if (!quote) return undefined;
    return { kind: "QUOTE" as const, id: quote.id, contactId: quote.contactId, template: "QUOTE_SENT" as EmailTemplateKind, values: { quote: quoteValues(quote) } as TemplateValues, stale: null };
  }
  const [invoice] = await deps.db.select().from(invoices).where(eq(invoices.id, delivery.invoiceId!)).limit(1);
  if (!invoice) return undefined;
  const template: EmailTemplateKind = delivery.kind === "REMINDER" ? "PAYMENT_REMINDER" : "INVOICE_SENT";
  // A reminder written by the overdue cron may run after the invoice was paid or cancelled: it is then not sent.
  const stale =
    delivery.kind === "REMINDER" && (invoice.status !== "OVERDUE" || invoice.total - invoice.amountPaid <= 0)
      ? `No longer due: the invoice is ${invoice.status === "OVERDUE" ? "paid in full" : invoice.status.toLowerCase()}, so the reminder was not sent`
      : null;
  return { kind: "INVOICE" as const, id: invoice.id, contactId: invoice.contactId, template, values: { invoice: invoiceValues(invoice) } as TemplateValues, stale };
}

/** Ends a delivery that will never be sent (FAILED with why), unless it left QUEUED meanwhile. */
function endUnsent(deps: Pick<NotificationDeps, "db">, deliveryId: string, error: string, actorKey: string) {
  return auditedBatch(deps.db, systemActor(actorKey), [
    deps.db
      .update(documentDeliveries)
      .set({ status: "FAILED", error: error.slice(0, 2000), updatedAt: new Date() })
      .where(and(eq(documentDeliveries.id, deliveryId), eq(documentDeliveries.status, "QUEUED"))),
  ]);
}

/**
 * The `document.deliver` job. A rerun after a crash re-enqueues the same email.send key, which the consumer
 * runs once, and the SENT mark is conditional on QUEUED, so a retried job sends nothing twice. A delivery no
 * longer QUEUED (sent, or failed for good) is left alone.
 */
export async function deliverDocument(deps: NotificationDeps, deliveryId: string, jobKey: string): Promise<void> {
  const [delivery] = await deps.db.select().from(documentDeliveries).where(eq(documentDeliveries.id, deliveryId)).limit(1);
  if (!delivery || delivery.status !== "QUEUED") return;
  const document = await loadDocument(deps, delivery);
  // The document was deleted since (its delivery goes with it by cascade): nothing to send.
  if (!document) return;
  if (document.stale) {
    await endUnsent(deps, delivery.id, document.stale, jobKey);
    return;
  }
  const [parties] = await deps.db
    .select({ contact: contacts, owner: users })
    .from(contacts)
    .innerJoin(users, eq(users.id, contacts.ownerId))
    .where(and(eq(contacts.id, document.contactId), eq(contacts.ownerId, delivery.ownerId)))
    .limit(1);
  if (!parties) throw new Error(`delivery ${delivery.id}: contact ${document.contactId} not found`);
  const { contact, owner } = parties;

  const pdf = await ensureDocumentPdf(deps, { kind: document.kind, ownerId: delivery.ownerId, id: document.id });
  const link = await getOrCreateClientLink(deps, delivery.ownerId, {
    contactId: contact.id,
    ...(document.kind === "QUOTE" ? { quoteId: document.id } : { invoiceId: document.id }),
  });
  let email: Awaited<ReturnType<typeof renderTemplate>>;
  try {
    email = await renderTemplate(deps.db, delivery.ownerId, document.template, {
      ...document.values,
      client: clientValues(contact),
      studio: studioValues(owner),
      portal: { url: link.url },
    });
  } catch (error) {
    // Retrying cannot shrink it: the owner sees why at once.
    if (!(error instanceof EmailTooLargeError)) throw error;
    await endUnsent(deps, delivery.id, error.message, jobKey);
    return;
  }
  await enqueueJob(deps.env.JOBS, "email.send", `${jobKey}:email`, {
    to: delivery.toEmail,
    subject: email.subject,
    text: email.text,
    html: email.html,
    replyTo: owner.email,
    attachments: [{ filename: pdf.filename, contentType: "application/pdf", r2Key: pdf.r2Key }],
  });
  const now = new Date();
  await auditedBatch(deps.db, systemActor(jobKey), [
    deps.db
      .update(documentDeliveries)
      .set({ status: "SENT", pdfKey: pdf.r2Key, sentAt: now, error: null, updatedAt: now })
      .where(and(eq(documentDeliveries.id, delivery.id), eq(documentDeliveries.status, "QUEUED"))),
  ]);
}

/** A delivery whose job was parked in the dead-letter queue: the owner sees it failed instead of queued forever. */
export async function failDelivery(deps: Pick<NotificationDeps, "db">, deliveryId: string, fallback: string): Promise<void> {
  const [run] = await deps.db.select({ lastError: jobRuns.lastError }).from(jobRuns).where(eq(jobRuns.key, deliveryKey(deliveryId))).limit(1);
  await endUnsent(deps, deliveryId, run?.lastError ?? fallback, deliveryKey(deliveryId));
}

/** A delivery still QUEUED this long after it was written lost its job (a queue send after the batch failed). */
export const DELIVERY_STALE_MS = 10 * 60 * 1000;
const SWEEP_BATCH = 200;

/** The "*\/5" sweep: re-enqueues stale QUEUED deliveries under their own key, so one already sent never sends again. */
export async function requeueStaleDeliveries({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const stale = await db
    .select({ id: documentDeliveries.id })
    .from(documentDeliveries)
    // A literal status, so SQLite uses the partial index document_deliveries_queued_idx.
    .where(and(sql`${documentDeliveries.status} = 'QUEUED'`, lt(documentDeliveries.queuedAt, new Date(now.getTime() - DELIVERY_STALE_MS))))
    .orderBy(asc(documentDeliveries.queuedAt))
    .limit(SWEEP_BATCH);
  for (const row of stale) await enqueueDelivery(env, row.id);
  return { requeued: stale.length };
}
