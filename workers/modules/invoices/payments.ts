// Payments against an invoice. The payment row is inserted from the invoice as the batch finds it (SENT or
// OVERDUE, and the amount within what is still owed), then the invoice's amount_paid is recomputed from its
// payments: batches run one at a time, so two payments racing for the last euro cannot both land, and neither
// is lost. A retried POST with the same Idempotency-Key finds the payment it recorded (payments_idempotency_unique).
import { and, asc, eq, exists, gt, inArray, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { invoices, payments, type Invoice, type Payment } from "@shared/db/schema";
import { conflict, notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { ownerCalendar } from "../documents/owner";
import { canTransition, INVOICE_TRANSITIONS, statusesLeadingTo } from "../documents/transitions";
import { toInvoiceDto, toPaymentDto, type CreatePaymentInput } from "./schemas";
import { findInvoice } from "./service";

const paidSum = (invoiceId: string) => sql<number>`(SELECT coalesce(sum(${payments.amount}), 0) FROM ${payments} WHERE ${payments.invoiceId} = ${invoiceId})`;

const balanceOf = (invoice: Invoice) => {
  const dto = toInvoiceDto(invoice);
  return { id: dto.id, status: dto.status, total: dto.total, amountPaid: dto.amountPaid, balance: dto.balance, paidAt: dto.paidAt };
};

export type RecordedPayment = ReturnType<typeof toPaymentDto> & { invoice: ReturnType<typeof balanceOf> };

/** An invoice takes payments when a payment may make it PAID (SENT or OVERDUE, per the transition table). */
const PAYABLE = statusesLeadingTo(INVOICE_TRANSITIONS, "PAID", "payment");

const takesPayments = (invoice: Invoice) => {
  if (!canTransition(INVOICE_TRANSITIONS, invoice.status, "PAID", "payment")) {
    throw conflict(`Invoice ${invoice.number} is ${invoice.status}: only ${PAYABLE.join(" or ")} invoices take payments`);
  }
};

const tooMuch = (invoice: Invoice, amount: number) => {
  const balance = invoice.total - invoice.amountPaid;
  if (amount > balance) throw conflict(`The payment (${amount}) is more than the invoice's balance (${balance} ${invoice.currency})`);
};

async function byKey(db: Db, invoiceId: string, key: string): Promise<Payment | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.invoiceId, invoiceId), eq(payments.idempotencyKey, key)))
    .limit(1);
  return row;
}

/** The earlier answer to a retried request; a key reused for another payment is a 409. */
async function replay(db: Db, ownerId: string, payment: Payment, input: CreatePaymentInput): Promise<RecordedPayment> {
  const same =
    payment.amount === input.amount &&
    payment.method === input.method &&
    payment.paidAt.getTime() === input.paidAt.getTime() &&
    payment.note === (input.note ?? null);
  if (!same) throw conflict("This Idempotency-Key was already used for a different payment of this invoice");
  return { ...toPaymentDto(payment), invoice: balanceOf(await findInvoice(db, ownerId, payment.invoiceId)) };
}

export async function recordPayment(deps: ServiceDeps, ownerId: string, invoiceId: string, input: CreatePaymentInput, idempotencyKey?: string): Promise<RecordedPayment> {
  const { db } = deps;
  const invoice = await findInvoice(db, ownerId, invoiceId);
  const earlier = idempotencyKey ? await byKey(db, invoiceId, idempotencyKey) : undefined;
  if (earlier) return replay(db, ownerId, earlier, input);
  takesPayments(invoice);
  tooMuch(invoice, input.amount);

  const id = newId();
  const now = new Date();
  const [inserted, updated] = await auditedBatch(db, deps.actor, [
    db
      .insert(payments)
      .select(
        sql`SELECT ${id}, ${invoices.ownerId}, ${invoices.id}, ${input.amount}, ${invoices.currency}, ${input.method}, ${input.paidAt.getTime()}, ${input.note ?? null}, ${idempotencyKey ?? null}, ${now.getTime()} FROM ${invoices} WHERE ${and(
          eq(invoices.id, invoiceId),
          eq(invoices.ownerId, ownerId),
          inArray(invoices.status, PAYABLE),
          sql`${invoices.amountPaid} + ${input.amount} <= ${invoices.total}`,
        )}`,
      )
      .onConflictDoNothing()
      .returning(),
    db
      .update(invoices)
      .set({
        amountPaid: paidSum(invoiceId),
        status: sql`CASE WHEN ${paidSum(invoiceId)} >= ${invoices.total} THEN 'PAID' ELSE ${invoices.status} END`,
        paidAt: sql`CASE WHEN ${paidSum(invoiceId)} >= ${invoices.total} THEN ${now.getTime()} ELSE ${invoices.paidAt} END`,
        updatedAt: now,
      })
      .where(and(eq(invoices.id, invoiceId), exists(db.select({ one: sql`1` }).from(payments).where(eq(payments.id, id)))))
      .returning(),
  ]);
  if (inserted[0] && updated[0]) return { ...toPaymentDto(inserted[0]), invoice: balanceOf(updated[0]) };

  // Another request got there first: the same key's twin, or a payment or status change that leaves no room.
  const raced = idempotencyKey ? await byKey(db, invoiceId, idempotencyKey) : undefined;
  if (raced) return replay(db, ownerId, raced, input);
  const changed = await findInvoice(db, ownerId, invoiceId);
  takesPayments(changed);
  tooMuch(changed, input.amount);
  throw conflict("The invoice changed while recording the payment: reload it and try again");
}

/** The invoice's payments, oldest first (payments_invoice_idx). */
export async function listPayments(deps: ServiceDeps, ownerId: string, invoiceId: string, query: { limit: number; cursor?: string }): Promise<Page<ReturnType<typeof toPaymentDto>>> {
  await findInvoice(deps.db, ownerId, invoiceId);
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.number().int(), z.string()])) : undefined;
  const rows = await deps.db
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.invoiceId, invoiceId),
        eq(payments.ownerId, ownerId),
        after ? or(gt(payments.paidAt, new Date(after[0])), and(eq(payments.paidAt, new Date(after[0])), gt(payments.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(payments.paidAt), asc(payments.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => [row.paidAt.getTime(), row.id], toPaymentDto);
}

/**
 * Removes a payment (recorded by mistake, or refunded) and recomputes the invoice: a PAID invoice owes again and
 * goes back to SENT, or to OVERDUE when its due date has passed in the owner's zone.
 */
export async function deletePayment(deps: ServiceDeps, ownerId: string, invoiceId: string, paymentId: string): Promise<void> {
  const { db } = deps;
  await findInvoice(db, ownerId, invoiceId);
  const now = new Date();
  const { today } = await ownerCalendar(db, ownerId, now);
  const reopened = sql`${invoices.status} = 'PAID' AND ${paidSum(invoiceId)} < ${invoices.total}`;
  const late = sql`${invoices.dueDate} IS NOT NULL AND ${invoices.dueDate} < ${today}`;
  const [deleted] = await auditedBatch(db, deps.actor, [
    db
      .delete(payments)
      .where(and(eq(payments.id, paymentId), eq(payments.invoiceId, invoiceId), eq(payments.ownerId, ownerId)))
      .returning({ id: payments.id }),
    db
      .update(invoices)
      .set({
        amountPaid: paidSum(invoiceId),
        status: sql`CASE WHEN ${reopened} THEN (CASE WHEN ${late} THEN 'OVERDUE' ELSE 'SENT' END) ELSE ${invoices.status} END`,
        paidAt: sql`CASE WHEN ${reopened} THEN NULL ELSE ${invoices.paidAt} END`,
        overdueAt: sql`CASE WHEN ${reopened} AND ${late} THEN coalesce(${invoices.overdueAt}, ${now.getTime()}) ELSE ${invoices.overdueAt} END`,
        updatedAt: now,
      })
      .where(and(eq(invoices.id, invoiceId), eq(invoices.ownerId, ownerId), ne(invoices.amountPaid, paidSum(invoiceId)))),
  ]);
  if (!deleted[0]) throw notFound("Payment");
}
