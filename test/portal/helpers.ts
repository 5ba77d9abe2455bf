import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { clientAccessTokens, invoices, quotes, type DocumentLineJson, type Invoice, type Quote } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, register, uniqueEmail, uniqueIp, type Account } from "../support/http";

export const db = createDb(env.DB);
export const config = getConfig(env);
export const DAY = 86_400_000;

export interface Studio {
  account: Account;
  id: string;
  token: string;
  email: string;
}

/** A registered studio owner; `profile` goes through PATCH /api/users/me. */
export async function newStudio(profile: Record<string, unknown> = {}): Promise<Studio> {
  const account = await register({ firstName: "Iris", lastName: "Vale" });
  if (Object.keys(profile).length > 0) {
    const res = await api("/api/users/me", { method: "PATCH", token: account.accessToken, json: profile });
    expect(res.status, res.text).toBe(200);
  }
  return { account, id: account.user.id, token: account.accessToken, email: account.email };
}

export async function newContact(studio: Studio, fields: Record<string, unknown> = {}): Promise<{ id: string; email: string | null }> {
  const res = await api("/api/contacts", { token: studio.token, json: { firstName: "Camille", lastName: "Durand", email: uniqueEmail("client"), ...fields } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, email: res.body.email };
}

export async function newSession(studio: Studio, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await api("/api/sessions", { token: studio.token, json: { title: "Wedding in Annecy", ...fields } });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** Amounts as the totals module computes them for an undiscounted line (enough for views and decisions). */
export function line(description: string, quantity: number, unitPrice: number, taxRate: number): DocumentLineJson {
  const net = Math.round(quantity * unitPrice);
  const tax = Math.round((net * taxRate) / 100);
  return { description, quantity, unitPrice, taxRate, discount: null, gross: net, discountAmount: 0, net, tax, total: net + tax };
}

let sequence = 0;

const documentRow = (ownerId: string, contactId: string, prefix: string, items: DocumentLineJson[], extra: { sessionId?: string | null; notes?: string | null }) => {
  const seq = ++sequence;
  const now = new Date();
  const subtotal = items.reduce((s, l) => s + l.net, 0);
  const taxTotal = items.reduce((s, l) => s + l.tax, 0);
  return {
    id: newId(),
    ownerId,
    number: `${prefix}-2026-${String(seq).padStart(4, "0")}`,
    year: 2026,
    sequence: seq,
    contactId,
    sessionId: extra.sessionId ?? null,
    currency: "EUR",
    locale: "en",
    notes: extra.notes ?? null,
    items,
    subtotal,
    discountTotal: 0,
    taxTotal,
    total: subtotal + taxTotal,
    createdAt: now,
    updatedAt: now,
  };
};

const defaultItems = () => [line("Full-day coverage", 1, 180_000, 20), line("Prints 20×30", 10, 1_250, 5.5)];

/** A quote stored as the quotes module would have stored it (SENT and valid for a month unless told). */
export async function insertQuote(
  ownerId: string,
  contactId: string,
  opts: { status?: Quote["status"]; validUntil?: string | null; sessionId?: string | null; notes?: string | null; items?: DocumentLineJson[] } = {},
): Promise<Quote> {
  const status = opts.status ?? "SENT";
  const row = {
    ...documentRow(ownerId, contactId, "Q", opts.items ?? defaultItems(), opts),
    status,
    validUntil: opts.validUntil === undefined ? new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10) : opts.validUntil,
    sentAt: status === "DRAFT" ? null : new Date(),
  };
  const [[stored]] = await auditedBatch(db, systemActor("test"), [db.insert(quotes).values(row).returning()]);
  return stored!;
}

export async function insertInvoice(ownerId: string, contactId: string, opts: { sessionId?: string | null; amountPaid?: number } = {}): Promise<Invoice> {
  const row = {
    ...documentRow(ownerId, contactId, "F", defaultItems(), opts),
    status: "SENT" as const,
    issueDate: new Date().toISOString().slice(0, 10),
    dueDate: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
    amountPaid: opts.amountPaid ?? 0,
    sentAt: new Date(),
  };
  const [[stored]] = await auditedBatch(db, systemActor("test"), [db.insert(invoices).values(row).returning()]);
  return stored!;
}

export interface Link {
  id: string;
  url: string;
  token: string;
  expiresAt: string;
}

export async function quoteLink(studio: Studio, quoteId: string): Promise<Link> {
  const res = await api(`/api/quotes/${quoteId}/client-link`, { method: "POST", token: studio.token });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** A studio, a client with an email, a SENT quote and its portal link. */
export async function quoteScenario(opts: Parameters<typeof insertQuote>[2] = {}, profile: Record<string, unknown> = {}) {
  const studio = await newStudio(profile);
  const contact = await newContact(studio);
  const quote = await insertQuote(studio.id, contact.id, opts);
  const link = await quoteLink(studio, quote.id);
  return { studio, contact, quote, link, ip: uniqueIp() };
}

/** Moves a link's expiry (the audit trigger wants every write in an audited batch). */
export async function setLinkExpiry(linkId: string, expiresAt: Date): Promise<void> {
  await auditedBatch(db, systemActor("test"), [db.update(clientAccessTokens).set({ expiresAt }).where(eq(clientAccessTokens.id, linkId))]);
}

export async function linkRow(linkId: string) {
  const [row] = await db.select().from(clientAccessTokens).where(and(eq(clientAccessTokens.id, linkId)));
  return row!;
}

/** A portal API call with the link's token, from one address (so the limiter counts one client). */
export const portal = (path: string, token: string, init: Parameters<typeof api>[1] = {}) =>
  api(`/api/client-access${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`, { ip: uniqueIp(), ...init });
