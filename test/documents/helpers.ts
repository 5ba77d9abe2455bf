// Shared by the quote, invoice and document tests: owners in a chosen zone, contacts, documents forced into a
// status, and service deps whose queue only records (sending is another module's job).
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch, systemActor, type Actor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { invoices, quotes, users, type Invoice, type Quote } from "@shared/db/schema";
import type { ServiceDeps } from "../../workers/router";
import { api, register, type Account } from "../support/http";
import { recordingDeps } from "../support/jobs";
export { planOf } from "../support/query-plan";

export const db = createDb(env.DB);

export const actorOf = (ownerId: string): Actor => ({ type: "USER", id: ownerId, requestId: `test-${ownerId.slice(-8)}` });

/** What a route hands the services, with a JOBS binding that records instead of delivering. */
export function depsFor(ownerId: string): ServiceDeps & { sent: ReturnType<typeof recordingDeps>["sent"] } {
  const recording = recordingDeps(() => false);
  return { ...recording.deps, config: getConfig(env), actor: actorOf(ownerId), sent: recording.sent };
}

export interface Owner extends Account {
  token: string;
  id: string;
  contactId: string;
}

/** A fresh account in `timezone`, with one contact (with an email unless told otherwise). */
export async function newOwner(timezone = "UTC", contact: Record<string, unknown> = { firstName: "Claire", lastName: "Dubois", email: "claire@client.example" }): Promise<Owner> {
  const account = await register();
  if (timezone !== "UTC") await db.update(users).set({ timezone }).where(eq(users.id, account.user.id));
  const contactId = await newContact(account.accessToken, contact);
  return { ...account, token: account.accessToken, id: account.user.id, contactId };
}

export async function newContact(token: string, json: Record<string, unknown>): Promise<string> {
  const res = await api("/api/contacts", { token, json });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

export const line = (unitPrice: number, extra: Record<string, unknown> = {}) => ({ description: "Portrait session", quantity: 1, unitPrice, taxRate: 20, ...extra });

export async function newQuote(owner: Owner, json: Record<string, unknown> = {}) {
  const res = await api("/api/quotes", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(10000)], ...json } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; number: string; [key: string]: any };
}

export async function newInvoice(owner: Owner, json: Record<string, unknown> = {}) {
  const res = await api("/api/invoices", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(10000)], ...json } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; number: string; [key: string]: any };
}

/** Puts a document in a state directly (as the other paths to it would), audited like any write. */
export async function forceQuote(id: string, values: Partial<Quote>): Promise<void> {
  await auditedBatch(db, systemActor("test"), [db.update(quotes).set(values).where(eq(quotes.id, id))]);
}

export async function forceInvoice(id: string, values: Partial<Invoice>): Promise<void> {
  await auditedBatch(db, systemActor("test"), [db.update(invoices).set(values).where(eq(invoices.id, id))]);
}

