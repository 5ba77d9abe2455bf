// Invoice numbers and issue dates, zero-total invoices, payment replays, and the reminder backlog.
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { documentCounters, invoices } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { remindersDueQuery, remindOverdueInvoices } from "../../workers/cron/billing";
import { addDays, localDate } from "../../workers/modules/documents/owner";
import { sendInvoice } from "../../workers/modules/invoices/service";
import { api, errorPaths, expectProblem } from "../support/http";
import { db, depsFor, forceInvoice, line, newContact, newInvoice, newOwner } from "../documents/helpers";

const patch = (token: string, id: string, json: Record<string, unknown>) => api(`/api/invoices/${id}`, { method: "PATCH", token, json });
const stored = async (id: string) => (await db.select().from(invoices).where(eq(invoices.id, id)))[0]!;

describe("invoice numbers and issue dates", () => {
  it("refuses an issue date outside the number's year, and absurd dates, on body.issueDate", async () => {
    const owner = await newOwner();
    const year = Number(localDate(new Date(), "UTC").slice(0, 4));
    for (const issueDate of [`${year - 1}-12-31`, `${year + 1}-01-01`, "9999-12-31", "1999-06-01"]) {
      const res = await api("/api/invoices", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(100)], issueDate } });
      expect(errorPaths(res), issueDate).toEqual(["body.issueDate"]);
    }
    const invoice = await newInvoice(owner, { issueDate: `${year}-01-01` });
    expect(invoice.number).toMatch(new RegExp(`^F-${year}-`));
    expect(errorPaths(await patch(owner.token, invoice.id, { issueDate: `${year + 1}-01-02` }))).toEqual(["body.issueDate"]);
    expect(errorPaths(await patch(owner.token, invoice.id, { dueDate: "9999-12-31" }))).toEqual(["body.dueDate"]);
    expect((await patch(owner.token, invoice.id, { issueDate: `${year}-12-31`, dueDate: null })).status).toBe(200);
  });

  it("deletes only the DRAFT holding the last number, giving it back; any other is a 409 pointing to cancel", async () => {
    const owner = await newOwner();
    const first = await newInvoice(owner);
    const second = await newInvoice(owner);
    const gap = await api(`/api/invoices/${first.id}`, { method: "DELETE", token: owner.token });
    expectProblem(gap, 409, "CONFLICT");
    expect(gap.body.detail).toMatch(/cancel/i);
    expect((await api(`/api/invoices/${second.id}`, { method: "DELETE", token: owner.token })).status).toBe(204);
    const next = await newInvoice(owner);
    expect(next.number).toBe(second.number);
    // Now `first` is the last but one and `next` the last: deleting both, last first, empties the series.
    expect((await api(`/api/invoices/${next.id}`, { method: "DELETE", token: owner.token })).status).toBe(204);
    expect((await api(`/api/invoices/${first.id}`, { method: "DELETE", token: owner.token })).status).toBe(204);
    const [counter] = await db.select().from(documentCounters).where(and(eq(documentCounters.userId, owner.id), eq(documentCounters.series, "INVOICE")));
    expect(counter!.lastNumber).toBe(0);
    expect((await newInvoice(owner)).number).toBe(first.number);
  });

  it("a delete racing a creation never yields a duplicate or a gap", async () => {
    const owner = await newOwner();
    const last = await newInvoice(owner);
    const [deleted, created] = await Promise.all([
      api(`/api/invoices/${last.id}`, { method: "DELETE", token: owner.token }),
      api("/api/invoices", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(100)] } }),
    ]);
    expect(created.status).toBe(201);
    const numbers = (await db.select({ sequence: invoices.sequence }).from(invoices).where(eq(invoices.ownerId, owner.id))).map((r) => r.sequence).sort();
    expect(numbers).toEqual(deleted.status === 204 ? [1] : [1, 2]);
  });

  it("PATCH currency alone to one with other minor units is a 400 on body.currency; with items it is fine", async () => {
    const owner = await newOwner();
    const invoice = await newInvoice(owner);
    expect(errorPaths(await patch(owner.token, invoice.id, { currency: "JPY" }))).toEqual(["body.currency"]);
    expect((await patch(owner.token, invoice.id, { currency: "USD" })).status).toBe(200);
    const repriced = await patch(owner.token, invoice.id, { currency: "JPY", items: [line(100)] });
    expect(repriced.status, repriced.text).toBe(200);
    expect(repriced.body.total).toBe(120);
  });
});

describe("settled and overdue invoices", () => {
  it("sending a zero-total invoice marks it PAID at once; it is never overdue nor reminded", async () => {
    const owner = await newOwner();
    const free = await newInvoice(owner, { items: [line(10000, { discount: { type: "PERCENT", value: 100 } })] });
    expect(free.total).toBe(0);
    const sent = await sendInvoice(depsFor(owner.id), owner.id, free.id);
    expect(sent.status).toBe("PAID");
    expect(await stored(free.id)).toMatchObject({ status: "PAID", paidAt: expect.any(Date), sentAt: expect.any(Date) });

    // One sent before this rule: SENT at 0 and past due is left alone by the cron.
    const legacy = await newInvoice(owner, { items: [line(10000, { discount: { type: "PERCENT", value: 100 } })] });
    await forceInvoice(legacy.id, { status: "SENT", dueDate: "2020-01-01" });
    const now = new Date();
    await remindOverdueInvoices({ env: depsFor(owner.id).env, db, now });
    expect((await stored(legacy.id)).status).toBe("SENT");
    await forceInvoice(legacy.id, { status: "OVERDUE" });
    expect((await remindersDueQuery(db, now, getConfig(env))).map((r) => r.id)).not.toContain(legacy.id);
  });

  it("200 overdue invoices of clients without email do not hold back another client's reminder", async () => {
    const owner = await newOwner();
    const silent = await newContact(owner.token, { firstName: "No email" });
    const now = new Date();
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: newId(),
      ownerId: owner.id,
      number: `F-2000-${i}`,
      year: 2000,
      sequence: i + 1,
      contactId: silent,
      currency: "EUR",
      items: [],
      subtotal: 100,
      taxTotal: 0,
      total: 100,
      status: "OVERDUE" as const,
      issueDate: "2000-01-01",
      dueDate: "2000-01-02",
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < rows.length; i += 50) {
      const chunk = rows.slice(i, i + 50).map((row) => db.insert(invoices).values(row));
      await auditedBatch(db, systemActor("test"), chunk as [(typeof chunk)[number], ...typeof chunk]);
    }
    const reachable = await newInvoice(owner);
    await forceInvoice(reachable.id, { status: "OVERDUE", dueDate: addDays(localDate(now, "UTC"), -1) });
    const due = await remindersDueQuery(db, now, getConfig(env));
    expect(due.map((r) => r.id)).toContain(reachable.id);
    expect(due.every((r) => r.email !== null)).toBe(true);
  });
});

describe("payment replays", () => {
  it("the same Idempotency-Key with another note is a 409, with the same note the earlier answer", async () => {
    const owner = await newOwner();
    const invoice = await newInvoice(owner);
    await forceInvoice(invoice.id, { status: "SENT" });
    const pay = (note: string) =>
      api(`/api/invoices/${invoice.id}/payments`, { token: owner.token, headers: { "idempotency-key": "k1" }, json: { amount: 100, method: "CASH", paidAt: "2026-03-01T10:00:00.000Z", note } });
    const first = await pay("Deposit");
    expect(first.status, first.text).toBe(201);
    expect((await pay("Deposit")).body.id).toBe(first.body.id);
    expectProblem(await pay("Balance"), 409, "CONFLICT");
  });
});
