// The aggregate queries behind every figure. Each filters on owner_id plus a range of an indexed column, so D1
// reads one index range per figure (pinned by test/analytics/query-plan.test.ts); grouping happens on the few
// rows per period, status and currency that come out.
import { and, asc, count, eq, gte, inArray, lt, lte, ne, sql } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { bookings, invoices, payments, quotes, sessions, users } from "@shared/db/schema";
import { datePeriod, timestampPeriod, type GroupBy, type ZonedRange } from "./periods";

/** What a money SUM comes back as: integer minor units (SQLite sums integers exactly). */
const sumOf = (value: ReturnType<typeof sql>) => sql<number>`coalesce(sum(${value}), 0)`.mapWith(Number);
const countIf = (condition: ReturnType<typeof sql>) => sql<number>`coalesce(sum(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`.mapWith(Number);

export const ownerZoneQuery = (db: Db, ownerId: string) =>
  db.select({ timezone: users.timezone, locale: users.locale }).from(users).where(eq(users.id, ownerId)).limit(1);

/** Payments received in [fromMs, toMs) per currency, with the part received in [partFromMs, partToMs) (this month in this year).
 *  The invoice's status is not read: money received stays received when the invoice is cancelled later. */
export const receivedSplitQuery = (db: Db, ownerId: string, fromMs: number, toMs: number, partFromMs: number, partToMs: number) =>
  db
    .select({
      currency: payments.currency,
      total: sumOf(sql`${payments.amount}`),
      recent: sumOf(sql`CASE WHEN ${payments.paidAt} >= ${partFromMs} AND ${payments.paidAt} < ${partToMs} THEN ${payments.amount} ELSE 0 END`),
    })
    .from(payments)
    .where(and(eq(payments.ownerId, ownerId), gte(payments.paidAt, new Date(fromMs)), lt(payments.paidAt, new Date(toMs))))
    .groupBy(payments.currency);

/** What SENT and OVERDUE invoices still await per currency, and the part past due (OVERDUE, or due before today). */
export const outstandingQuery = (db: Db, ownerId: string, today: string) =>
  db
    .select({
      currency: invoices.currency,
      outstanding: sumOf(sql`${invoices.total} - ${invoices.amountPaid}`),
      overdue: sumOf(sql`CASE WHEN ${invoices.status} = 'OVERDUE' OR ${invoices.dueDate} < ${today} THEN ${invoices.total} - ${invoices.amountPaid} ELSE 0 END`),
      invoices: count(),
    })
    .from(invoices)
    .where(and(eq(invoices.ownerId, ownerId), inArray(invoices.status, ["SENT", "OVERDUE"])))
    .groupBy(invoices.currency);

/** Quotes sent in the range: how many, and how many of them were accepted. */
export const quotesSentQuery = (db: Db, ownerId: string, fromMs: number, toMs: number) =>
  db
    .select({ sent: count(), accepted: countIf(sql`${quotes.status} = 'ACCEPTED'`) })
    .from(quotes)
    .where(sentInRange(ownerId, fromMs, toMs));

const sentInRange = (ownerId: string, fromMs: number, toMs: number) =>
  and(eq(quotes.ownerId, ownerId), gte(quotes.sentAt, new Date(fromMs)), lt(quotes.sentAt, new Date(toMs)), ne(quotes.status, "DRAFT"));

export const sessionsByStatusQuery = (db: Db, ownerId: string, fromMs: number, toMs: number) =>
  db
    .select({ status: sessions.status, count: count() })
    .from(sessions)
    .where(and(eq(sessions.ownerId, ownerId), gte(sessions.startsAt, new Date(fromMs)), lt(sessions.startsAt, new Date(toMs))))
    .groupBy(sessions.status);

const upcoming = (ownerId: string, nowMs: number) =>
  and(eq(bookings.ownerId, ownerId), gte(bookings.startAt, new Date(nowMs)), inArray(bookings.status, ["PENDING", "CONFIRMED"]));

export const upcomingCountQuery = (db: Db, ownerId: string, nowMs: number) => db.select({ count: count() }).from(bookings).where(upcoming(ownerId, nowMs));

export const upcomingNextQuery = (db: Db, ownerId: string, nowMs: number, limit: number) =>
  db
    .select({ id: bookings.id, startAt: bookings.startAt, guestName: bookings.guestName, status: bookings.status })
    .from(bookings)
    .where(upcoming(ownerId, nowMs))
    .orderBy(asc(bookings.startAt), asc(bookings.id))
    .limit(limit);

/** Payments received per local period and currency, whatever the invoice's status now (as the dashboard). */
export function receivedByPeriodQuery(db: Db, ownerId: string, range: ZonedRange, groupBy: GroupBy) {
  const period = timestampPeriod(payments.paidAt, range, groupBy);
  return db
    .select({ period: sql<string>`${period}`.as("period"), currency: payments.currency, amount: sumOf(sql`${payments.amount}`) })
    .from(payments)
    .where(and(eq(payments.ownerId, ownerId), gte(payments.paidAt, new Date(range.fromMs)), lt(payments.paidAt, new Date(range.toMs))))
    .groupBy(sql`period`, payments.currency);
}

/** Invoice totals per local period of their issue date, status and currency. */
export function invoicedByPeriodQuery(db: Db, ownerId: string, range: ZonedRange, groupBy: GroupBy) {
  return db
    .select({
      period: sql<string>`${datePeriod(invoices.issueDate, groupBy)}`.as("period"),
      status: invoices.status,
      currency: invoices.currency,
      amount: sumOf(sql`${invoices.total}`),
      count: count(),
    })
    .from(invoices)
    .where(and(eq(invoices.ownerId, ownerId), gte(invoices.issueDate, range.from), lte(invoices.issueDate, range.to)))
    .groupBy(sql`period`, invoices.status, invoices.currency);
}

/** Sessions per local period of their start and status. */
export function sessionsByPeriodQuery(db: Db, ownerId: string, range: ZonedRange, groupBy: GroupBy) {
  const period = timestampPeriod(sessions.startsAt, range, groupBy);
  return db
    .select({ period: sql<string>`${period}`.as("period"), status: sessions.status, count: count() })
    .from(sessions)
    .where(and(eq(sessions.ownerId, ownerId), gte(sessions.startsAt, new Date(range.fromMs)), lt(sessions.startsAt, new Date(range.toMs))))
    .groupBy(sql`period`, sessions.status);
}

/** Quotes sent in the range per currency: outcomes, conversions to invoices, values, and time to acceptance. */
export function conversionQuery(db: Db, ownerId: string, range: ZonedRange) {
  const accepted = sql`${quotes.status} = 'ACCEPTED'`;
  const timed = sql`${accepted} AND ${quotes.acceptedAt} IS NOT NULL`;
  return db
    .select({
      currency: quotes.currency,
      sent: count(),
      accepted: countIf(accepted),
      rejected: countIf(sql`${quotes.status} = 'REJECTED'`),
      expired: countIf(sql`${quotes.status} = 'EXPIRED'`),
      pending: countIf(sql`${quotes.status} = 'SENT'`),
      // Any invoice made from the quote, whatever its status (DRAFT and CANCELLED included): the quote was converted.
      converted: countIf(sql`${invoices.id} IS NOT NULL`),
      sentValue: sumOf(sql`${quotes.total}`),
      acceptedValue: sumOf(sql`CASE WHEN ${accepted} THEN ${quotes.total} ELSE 0 END`),
      timedAccepted: countIf(timed),
      acceptMsTotal: sumOf(sql`CASE WHEN ${timed} THEN ${quotes.acceptedAt} - ${quotes.sentAt} ELSE 0 END`),
    })
    .from(quotes)
    .leftJoin(invoices, eq(invoices.quoteId, quotes.id))
    .where(sentInRange(ownerId, range.fromMs, range.toMs))
    .groupBy(quotes.currency);
}

/**
 * The median time from sending to acceptance, in SQL: the middle one or two durations of the accepted quotes
 * (LIMIT/OFFSET from their count), so the answer is two rows at most whatever the number of quotes.
 */
export function medianAcceptQuery(db: Db, ownerId: string, range: ZonedRange) {
  const where = and(sentInRange(ownerId, range.fromMs, range.toMs), eq(quotes.status, "ACCEPTED"), sql`${quotes.acceptedAt} IS NOT NULL`);
  const total = db.select({ n: count() }).from(quotes).where(where);
  const ms = sql<number>`${quotes.acceptedAt} - ${quotes.sentAt}`.mapWith(Number);
  return db
    .select({ ms: ms.as("ms") })
    .from(quotes)
    .where(where)
    .orderBy(sql`ms`)
    // drizzle types LIMIT and OFFSET as numbers, and writes any SQL given into the statement as is.
    .limit(sql`2 - (${total}) % 2` as unknown as number)
    .offset(sql`((${total}) - 1) / 2` as unknown as number);
}
