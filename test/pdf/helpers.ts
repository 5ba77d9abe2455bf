// Studios, clients and documents for the PDF tests. Documents are inserted directly (audited as their owner), so
// these tests depend on the PDF pipeline alone, not on the quote and invoice routes.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch } from "@shared/db/audited";
import { invoices, quotes } from "@shared/db/billing-schema";
import { createDb } from "@shared/db/client";
import { newId } from "@shared/lib/ids";
import { computeTotals, type LineInput } from "../../workers/modules/documents/totals";
import { api, register, type Account } from "../support/http";

export const deps = () => ({ env, db: createDb(env.DB), config: getConfig(env) });

/** A 1×1 PNG. */
export const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));

export function logoForm(bytes: Uint8Array, filename = "logo.png"): FormData {
  const form = new FormData();
  form.append("file", new File([bytes], filename, { type: "image/png" }));
  return form;
}

export interface Studio {
  account: Account;
  ownerId: string;
  contactId: string;
  sessionId: string;
}

/** An owner with a company profile, one client with an address and one shoot with that client. */
export async function studio(): Promise<Studio> {
  const account = await register({ firstName: "Claire", lastName: "Morel" });
  const token = account.accessToken;
  const profile = await api("/api/users/me", {
    method: "PATCH",
    token,
    json: {
      companyName: "Studio Lumière",
      companyAddress: { line1: "12 rue des Lilas", postalCode: "69003", city: "Lyon", country: "FR" },
      vatNumber: "FR12345678901",
      phone: "+33 4 78 00 00 00",
      timezone: "Europe/Paris",
    },
  });
  expect(profile.status, profile.text).toBe(200);
  const contact = await api("/api/contacts", {
    token,
    json: { firstName: "Jeanne", lastName: "Dupont", company: "Maison Dupont", email: "jeanne@dupont.example", address: { line1: "3 place Bellecour", postalCode: "69002", city: "Lyon" } },
  });
  expect(contact.status, contact.text).toBe(201);
  const session = await api("/api/sessions", {
    token,
    json: { title: "Wedding at the château", startsAt: "2026-06-13T13:00:00.000Z", contactIds: [contact.body.id] },
  });
  expect(session.status, session.text).toBe(201);
  return { account, ownerId: account.user.id, contactId: contact.body.id, sessionId: session.body.id };
}

export const LINES: LineInput[] = [
  { description: "Wedding photography, full day", quantity: 1, unitPrice: 123456, taxRate: 20 },
  { description: "Prints 20×30", quantity: 12, unitPrice: 1250, taxRate: 5.5, discount: { type: "PERCENT", value: 10 } },
];

let sequence = 0;

interface DocumentInput {
  currency?: string;
  locale?: string;
  lines?: LineInput[];
  notes?: string | null;
  sessionId?: string | null;
}

function columns(s: Studio, input: DocumentInput, prefix: "Q" | "F") {
  const totals = computeTotals(input.lines ?? LINES);
  const number = `${prefix}-2026-${String(++sequence).padStart(4, "0")}${crypto.randomUUID().slice(0, 4)}`;
  const now = new Date("2026-03-02T10:00:00.000Z");
  return {
    id: newId(),
    ownerId: s.ownerId,
    number,
    year: 2026,
    sequence,
    contactId: s.contactId,
    sessionId: input.sessionId === undefined ? s.sessionId : input.sessionId,
    currency: input.currency ?? "EUR",
    locale: input.locale ?? "fr-FR",
    notes: input.notes ?? null,
    items: totals.items,
    subtotal: totals.subtotal,
    discountTotal: totals.discountTotal,
    taxTotal: totals.taxTotal,
    total: totals.total,
    createdAt: now,
    updatedAt: now,
  };
}

const actorOf = (s: Studio) => ({ type: "USER" as const, id: s.ownerId, requestId: null });

export async function insertQuote(s: Studio, input: DocumentInput = {}): Promise<{ id: string; number: string }> {
  const row = { ...columns(s, input, "Q"), validUntil: "2026-04-01" };
  const db = createDb(env.DB);
  await auditedBatch(db, actorOf(s), [db.insert(quotes).values(row)]);
  return { id: row.id, number: row.number };
}

export async function insertInvoice(
  s: Studio,
  input: DocumentInput & { status?: "DRAFT" | "SENT" | "PAID" | "CANCELLED"; amountPaid?: number } = {},
): Promise<{ id: string; number: string }> {
  const row = { ...columns(s, input, "F"), issueDate: "2026-03-02", dueDate: "2026-04-01", status: input.status ?? "SENT", amountPaid: input.amountPaid ?? 0 };
  const db = createDb(env.DB);
  await auditedBatch(db, actorOf(s), [db.insert(invoices).values(row)]);
  return { id: row.id, number: row.number };
}
