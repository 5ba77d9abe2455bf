// One studio in New York (UTC−5, UTC−4 from 8 March 2026) with invoices, payments, quotes, sessions and bookings
// in two currencies, written straight to D1 (through auditedBatch, as any tenant write) so the figures can be
// checked against sums done by hand. Times marked "NY" are New York wall clock.
import { env } from "cloudflare:test";
import type { BatchItem } from "drizzle-orm/batch";
import { expect } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { bookings, invoices, payments, quotes, sessions, type InvoiceStatus, type QuoteStatus, type SessionStatus } from "@shared/db/schema";
import { getConfig } from "@shared/config";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../workers/router";
import { api, register } from "../support/http";

export const db = createDb(env.DB);
export const ZONE = "America/New_York";
/** "Now" for the dashboard: 31 March 2026, 23:45 NY (already 1 April in UTC). */
export const NOW = Date.parse("2026-04-01T03:45:00Z");

export const depsFor = (userId: string): ServiceDeps => ({ env, db, config: getConfig(env), actor: { type: "USER", id: userId, requestId: null } });

export interface Studio {
  id: string;
  token: string;
  contactId: string;
}

export async function newStudio(timezone = ZONE, locale = "en"): Promise<Studio> {
  const account = await register();
  const patched = await api("/api/users/me", { method: "PATCH", token: account.accessToken, json: { timezone, locale } });
  expect(patched.status, patched.text).toBe(200);
  const contact = await api("/api/contacts", { token: account.accessToken, json: { firstName: "Client" } });
  expect(contact.status, contact.text).toBe(201);
  return { id: account.user.id, token: account.accessToken, contactId: contact.body.id };
}

let sequence = 0;
const at = (iso: string | null) => (iso === null ? null : new Date(iso));

function documentRow(studio: Studio, currency: string, total: number) {
  const n = ++sequence;
  const now = new Date();
  return {
    id: newId(),
    ownerId: studio.id,
    year: 2026,
    sequence: n,
    contactId: studio.contactId,
    currency,
    items: [],
    subtotal: total,
    taxTotal: 0,
    total,
    createdAt: now,
    updatedAt: now,
  };
}

export function quoteRow(studio: Studio, q: { currency: string; total: number; status: QuoteStatus; sentAt: string | null; acceptedAt?: string }) {
  const base = documentRow(studio, q.currency, q.total);
  return { ...base, number: `Q-2026-${String(base.sequence).padStart(4, "0")}`, status: q.status, sentAt: at(q.sentAt), acceptedAt: at(q.acceptedAt ?? null) };
}

export function invoiceRow(
  studio: Studio,
  i: { currency: string; total: number; status: InvoiceStatus; issueDate: string; dueDate?: string; amountPaid?: number; quoteId?: string },
) {
  const base = documentRow(studio, i.currency, i.total);
  return {
    ...base,
    number: `F-2026-${String(base.sequence).padStart(4, "0")}`,
    status: i.status,
    issueDate: i.issueDate,
    dueDate: i.dueDate ?? null,
    amountPaid: i.amountPaid ?? 0,
    quoteId: i.quoteId ?? null,
  };
}

export const paymentRow = (studio: Studio, invoiceId: string, currency: string, amount: number, paidAt: string) => ({
  id: newId(),
  ownerId: studio.id,
  invoiceId,
  currency,
  amount,
  method: "TRANSFER" as const,
  paidAt: new Date(paidAt),
});

export const sessionRow = (studio: Studio, status: SessionStatus, startsAt: string | null) => {
  const now = new Date();
  return { id: newId(), ownerId: studio.id, title: `Shoot ${status}`, status, startsAt: at(startsAt), createdAt: now, updatedAt: now };
};

export const bookingRow = (studio: Studio, status: "PENDING" | "CONFIRMED" | "CANCELLED", startAt: string, guestName: string) => {
  const now = new Date();
  const start = new Date(startAt);
  return { id: newId(), ownerId: studio.id, startAt: start, endAt: new Date(start.getTime() + 3_600_000), status, guestName, guestEmail: `${guestName.toLowerCase()}@example.com`, createdAt: now, updatedAt: now };
};

/** The fixture every figure in test/analytics/figures.test.ts is computed from by hand. */
export async function seedStudio(studio: Studio) {
  const quote = (q: Parameters<typeof quoteRow>[1]) => quoteRow(studio, q);
  const q1 = quote({ currency: "EUR", total: 100_000, status: "ACCEPTED", sentAt: "2026-01-05T15:00:00Z", acceptedAt: "2026-01-08T15:00:00Z" }); // 3 days
  const quoteRows = [
    q1,
    quote({ currency: "EUR", total: 50_000, status: "ACCEPTED", sentAt: "2026-02-01T15:00:00Z", acceptedAt: "2026-02-11T15:00:00Z" }), // 10 days
    quote({ currency: "USD", total: 20_000, status: "REJECTED", sentAt: "2026-02-10T15:00:00Z" }),
    quote({ currency: "EUR", total: 30_000, status: "EXPIRED", sentAt: "2026-01-20T15:00:00Z" }),
    quote({ currency: "EUR", total: 40_000, status: "SENT", sentAt: "2026-03-25T15:00:00Z" }),
    quote({ currency: "EUR", total: 10_000, status: "DRAFT", sentAt: null }),
    // 31 December 2025, 23:30 NY: sent last year there, though 2026 in UTC. Accepted 2 days later.
    quote({ currency: "EUR", total: 60_000, status: "ACCEPTED", sentAt: "2026-01-01T04:30:00Z", acceptedAt: "2026-01-03T04:30:00Z" }),
    quote({ currency: "USD", total: 15_000, status: "ACCEPTED", sentAt: "2026-03-01T15:00:00Z", acceptedAt: "2026-03-02T03:00:00Z" }), // half a day
  ];
  const invoice = (i: Parameters<typeof invoiceRow>[1]) => invoiceRow(studio, i);
  const i1 = invoice({ currency: "EUR", total: 100_000, status: "PAID", issueDate: "2026-01-10", amountPaid: 100_000, quoteId: q1.id });
  const i2 = invoice({ currency: "EUR", total: 50_000, status: "SENT", issueDate: "2026-03-01", dueDate: "2026-03-31", amountPaid: 20_000 });
  const i3 = invoice({ currency: "USD", total: 80_000, status: "OVERDUE", issueDate: "2026-02-01", dueDate: "2026-02-28", amountPaid: 30_000 });
  const i4 = invoice({ currency: "EUR", total: 70_000, status: "CANCELLED", issueDate: "2026-02-15" });
  const i5 = invoice({ currency: "EUR", total: 25_000, status: "DRAFT", issueDate: "2026-03-20" });
  const i6 = invoice({ currency: "USD", total: 10_000, status: "SENT", issueDate: "2026-03-05", dueDate: "2026-03-20" }); // past due, not yet marked
  const i7 = invoice({ currency: "EUR", total: 30_000, status: "SENT", issueDate: "2025-12-20", dueDate: "2026-04-30", amountPaid: 5_000 });
  const paymentRows = [
    paymentRow(studio, i1.id, "EUR", 60_000, "2026-02-01T04:30:00Z"), // 31 January, 23:30 NY
    paymentRow(studio, i1.id, "EUR", 40_000, "2026-03-02T15:00:00Z"),
    paymentRow(studio, i2.id, "EUR", 20_000, "2026-04-01T03:30:00Z"), // 31 March, 23:30 NY (after the DST change)
    paymentRow(studio, i3.id, "USD", 30_000, "2026-02-10T12:00:00Z"),
    paymentRow(studio, i7.id, "EUR", 5_000, "2026-01-01T04:30:00Z"), // 31 December 2025, 23:30 NY
  ];
  const sessionRows = [
    sessionRow(studio, "LEAD", "2026-01-15T15:00:00Z"),
    sessionRow(studio, "CONFIRMED", "2026-04-01T03:30:00Z"), // 31 March, 23:30 NY
    sessionRow(studio, "COMPLETED", "2026-02-20T15:00:00Z"),
    sessionRow(studio, "CANCELLED", "2026-02-21T15:00:00Z"),
    sessionRow(studio, "CONFIRMED", "2026-05-10T15:00:00Z"),
    sessionRow(studio, "COMPLETED", "2026-01-01T04:30:00Z"), // 31 December 2025, 23:30 NY
    sessionRow(studio, "LEAD", null),
  ];
  const bookingRows = [
    bookingRow(studio, "CONFIRMED", "2026-04-02T14:00:00Z", "Ada"),
    bookingRow(studio, "PENDING", "2026-04-03T14:00:00Z", "Grace"),
    bookingRow(studio, "CANCELLED", "2026-04-04T14:00:00Z", "Cancelled"),
    bookingRow(studio, "CONFIRMED", "2026-03-30T14:00:00Z", "Past"),
    ...["Edsger", "Barbara", "Donald", "Frances"].map((name, i) => bookingRow(studio, "CONFIRMED", `2026-04-0${5 + i}T14:00:00Z`, name)),
  ];
  // A row per statement: D1 allows 100 bound parameters per query.
  const statements = [
    ...quoteRows.map((row) => db.insert(quotes).values(row)),
    ...[i1, i2, i3, i4, i5, i6, i7].map((row) => db.insert(invoices).values(row)),
    ...paymentRows.map((row) => db.insert(payments).values(row)),
    ...sessionRows.map((row) => db.insert(sessions).values(row)),
    ...bookingRows.map((row) => db.insert(bookings).values(row)),
  ];
  await auditedBatch(db, systemActor("analytics-fixture"), statements as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}
