// Quotes past their validity expire; invoices past their due date become OVERDUE and their client gets payment
// reminders. Dates are the owner's: a quote valid until 5 December expires once 6 December has begun in the
// studio's zone. Each change is a conditional write (the status the read saw), so two overlapping runs expire,
// mark and remind each document once: the loser's statements match nothing and it notifies nothing.
import { and, asc, eq, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { getConfig, type Config } from "@shared/config";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { contacts, invoices, quotes, users } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { deliveryWritten, handOver, invoiceDeliveryInsert } from "../modules/documents/deliveries";
import { localDate } from "../modules/documents/owner";
import { assertTransition, INVOICE_TRANSITIONS, QUOTE_TRANSITIONS } from "../modules/documents/transitions";
import { notify } from "../modules/notifications/service";
import type { CronContext } from "./index";

/** Documents handled per run and task, oldest first; the rest wait an hour. */
export const BILLING_BATCH = 200;
/** Documents per audited batch (an invoice takes two statements). */
const CHUNK = 25;
const DAY_MS = 24 * 60 * 60 * 1000;
const actor = systemActor("cron:billing");

/** The latest local date anywhere (UTC+14): no owner's today is later, so it bounds the index range. */
const latestToday = (now: Date) => localDate(now, "Etc/GMT-14");

/** SENT quotes whose last valid day is before the latest today on Earth: a range of quotes_expiry_idx. */
export const expiringQuotesQuery = (db: Db, now: Date) =>
  db
    .select({ id: quotes.id, ownerId: quotes.ownerId, number: quotes.number, validUntil: quotes.validUntil, timezone: users.timezone })
    .from(quotes)
    .innerJoin(users, eq(users.id, quotes.ownerId))
    // A literal, not a bound value: SQLite uses a partial index only when the query states its condition.
    .where(and(sql`${quotes.status} = 'SENT'`, lt(quotes.validUntil, latestToday(now))))
    .orderBy(asc(quotes.validUntil))
    .limit(BILLING_BATCH);

const dueInvoiceColumns = {
  id: invoices.id,
  ownerId: invoices.ownerId,
  number: invoices.number,
  dueDate: invoices.dueDate,
  reminderCount: invoices.reminderCount,
  timezone: users.timezone,
  email: contacts.email,
};

/** Something is still owed: a settled invoice (a zero total included) is never overdue nor reminded. */
const owing = lt(invoices.amountPaid, invoices.total);

/** SENT invoices due before the latest today on Earth, still owing: a range of invoices_due_idx. */
export const overdueInvoicesQuery = (db: Db, now: Date) =>
  db
    .select(dueInvoiceColumns)
    .from(invoices)
    .innerJoin(users, eq(users.id, invoices.ownerId))
    .innerJoin(contacts, eq(contacts.id, invoices.contactId))
    .where(and(sql`${invoices.status} IN ('SENT', 'OVERDUE')`, sql`${invoices.status} = 'SENT'`, lt(invoices.dueDate, latestToday(now)), owing))
    .orderBy(asc(invoices.dueDate))
    .limit(BILLING_BATCH);

/**
 * OVERDUE invoices owed another reminder: none yet or the last one `reminderIntervalDays` ago, fewer than the
 * maximum, and a client with an address to send it to. That last condition is in the SQL, before the limit:
 * filtered afterwards, a backlog of clients without email would fill every page and starve everyone else.
 */
export const remindersDueQuery = (db: Db, now: Date, config: Config) =>
  db
    .select(dueInvoiceColumns)
    .from(invoices)
    .innerJoin(users, eq(users.id, invoices.ownerId))
    .innerJoin(contacts, eq(contacts.id, invoices.contactId))
    .where(
      and(
        sql`${invoices.status} IN ('SENT', 'OVERDUE')`,
        sql`${invoices.status} = 'OVERDUE'`,
        lt(invoices.dueDate, latestToday(now)),
        owing,
        isNotNull(contacts.email),
        lt(invoices.reminderCount, config.billing.maxReminders),
        or(isNull(invoices.lastReminderAt), lte(invoices.lastReminderAt, new Date(now.getTime() - config.billing.reminderIntervalDays * DAY_MS))),
      ),
    )
    .orderBy(asc(invoices.dueDate))
    .limit(BILLING_BATCH);

async function inChunks<T, R>(items: T[], statementsOf: (item: T) => BatchItem<"sqlite">[], db: Db): Promise<R[][]> {
  const results: R[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    const statements = items.slice(i, i + CHUNK).flatMap(statementsOf);
    if (statements.length === 0) continue;
    results.push(...((await auditedBatch(db, actor, statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as R[][]));
  }
  return results;
}

const logFailure = (msg: string, id: string, error: unknown) => console.error(JSON.stringify({ level: "error", msg, id, error: String(error) }));

export async function expireQuotes({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const config = getConfig(env);
  assertTransition(QUOTE_TRANSITIONS, "quote", "SENT", "EXPIRED", "cron");
  const due = (await expiringQuotesQuery(db, now)).filter((quote) => quote.validUntil! < localDate(now, quote.timezone));
  const results = await inChunks<(typeof due)[number], { id: string }>(
    due,
    (quote) => [
      db
        .update(quotes)
        .set({ status: "EXPIRED", expiredAt: now, updatedAt: now })
        .where(and(eq(quotes.id, quote.id), eq(quotes.status, "SENT")))
        .returning({ id: quotes.id }),
    ],
    db,
  );
  const expired = new Set(results.flat().map((row) => row.id));
  for (const quote of due.filter((q) => expired.has(q.id))) {
    await notify({ env, db, config }, quote.ownerId, {
      type: "QUOTE_EXPIRED",
      title: `Quote ${quote.number} expired`,
      body: `It was valid until ${quote.validUntil} and got no answer.`,
      data: { quoteId: quote.id, number: quote.number },
      key: `quote-expired:${quote.id}`,
    }).catch((error) => logFailure("quote expiry not notified", quote.id, error));
  }
  return { quotesExpired: expired.size };
}

type DueInvoice = Awaited<ReturnType<typeof overdueInvoicesQuery>>[number];

/** A REMINDER delivery and the invoice's new state, written together or not at all; `from` is the status read. */
function reminderStatements(db: Db, now: Date, invoice: DueInvoice, deliveryId: string | null, from: "SENT" | "OVERDUE"): BatchItem<"sqlite">[] {
  const unchanged = and(eq(invoices.status, from), eq(invoices.reminderCount, invoice.reminderCount));
  const overdue = from === "SENT" ? { status: "OVERDUE" as const, overdueAt: now } : {};
  if (!deliveryId) return [db.update(invoices).set({ ...overdue, updatedAt: now }).where(and(eq(invoices.id, invoice.id), unchanged)).returning({ id: invoices.id })];
  return [
    invoiceDeliveryInsert(db, invoice.id, { id: deliveryId, ownerId: invoice.ownerId, kind: "REMINDER", toEmail: invoice.email!, now }, unchanged),
    db
      .update(invoices)
      .set({ ...overdue, lastReminderAt: now, reminderCount: sql`${invoices.reminderCount} + 1`, updatedAt: now })
      .where(and(eq(invoices.id, invoice.id), deliveryWritten(db, deliveryId)))
      .returning({ id: invoices.id }),
  ];
}

/** SENT invoices past due become OVERDUE (the owner is told, the client reminded); OVERDUE ones get their next reminder. */
export async function remindOverdueInvoices({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const config = getConfig(env);
  for (const from of ["SENT", "OVERDUE"] as const) assertTransition(INVOICE_TRANSITIONS, "invoice", from, "OVERDUE", "cron");
  const pastDue = (invoice: DueInvoice) => invoice.dueDate! < localDate(now, invoice.timezone);
  let reminders = 0;
  const run = async (list: DueInvoice[], from: "SENT" | "OVERDUE") => {
    const deliveries = new Map(list.map((invoice) => [invoice.id, invoice.email && (from === "OVERDUE" || config.billing.maxReminders > 0) ? newId() : null]));
    const results = await inChunks<DueInvoice, { id: string }>(list, (invoice) => reminderStatements(db, now, invoice, deliveries.get(invoice.id)!, from), db);
    const changed = new Set(results.flat().map((row) => row.id));
    const done = list.filter((invoice) => changed.has(invoice.id));
    for (const invoice of done) {
      const deliveryId = deliveries.get(invoice.id);
      if (deliveryId) {
        await handOver(env, deliveryId);
        reminders += 1;
      }
    }
    return done;
  };

  const overdue = await run((await overdueInvoicesQuery(db, now)).filter(pastDue), "SENT");
  for (const invoice of overdue) {
    await notify({ env, db, config }, invoice.ownerId, {
      type: "INVOICE_OVERDUE",
      title: `Invoice ${invoice.number} is overdue`,
      body: `It was due on ${invoice.dueDate}.${invoice.email ? " The client was sent a payment reminder." : " The client has no email address: no reminder was sent."}`,
      data: { invoiceId: invoice.id, number: invoice.number },
      email: { subject: `Invoice ${invoice.number} is overdue`, text: `Invoice ${invoice.number} was due on ${invoice.dueDate} and is not fully paid.` },
      key: `invoice-overdue:${invoice.id}`,
    }).catch((error) => logFailure("overdue invoice not notified", invoice.id, error));
  }
  await run(await remindersDueQuery(db, now, config), "OVERDUE");
  return { invoicesOverdue: overdue.length, invoiceRemindersQueued: reminders };
}
