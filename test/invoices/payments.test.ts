import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { invoices, payments } from "@shared/db/schema";
import { recordPayment } from "../../workers/modules/invoices/payments";
import { allPages, api, errorPaths, expectProblem } from "../support/http";
import { db, depsFor, forceInvoice, line, newInvoice, newOwner, type Owner } from "../documents/helpers";

const PAID_AT = "2026-03-01T10:00:00.000Z";
const pay = (owner: Owner, id: string, amount: number, headers: Record<string, string> = {}) =>
  api(`/api/invoices/${id}/payments`, { token: owner.token, headers, json: { amount, method: "TRANSFER", paidAt: PAID_AT } });

/** A SENT invoice of 12,000 (10,000 + 20 % tax). */
async function sentInvoice(owner: Owner, values: Parameters<typeof forceInvoice>[1] = {}) {
  const invoice = await newInvoice(owner, { items: [line(10000)] });
  await forceInvoice(invoice.id, { status: "SENT", ...values });
  return invoice;
}

const stored = async (id: string) => (await db.select().from(invoices).where(eq(invoices.id, id)))[0]!;

describe("payments", () => {
  it("partial payments accumulate; the last one makes the invoice PAID; more is a 409", async () => {
    const owner = await newOwner();
    const invoice = await sentInvoice(owner);
    const first = await pay(owner, invoice.id, 5000);
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ amount: 5000, currency: "EUR", method: "TRANSFER", paidAt: PAID_AT, invoice: { status: "SENT", amountPaid: 5000, balance: 7000, paidAt: null } });
    expectProblem(await pay(owner, invoice.id, 7001), 409, "CONFLICT");
    const last = await pay(owner, invoice.id, 7000);
    expect(last.body.invoice).toMatchObject({ status: "PAID", amountPaid: 12000, balance: 0, paidAt: expect.any(String) });
    expectProblem(await pay(owner, invoice.id, 1), 409, "CONFLICT");
    expect((await allPages(owner.token, `/api/invoices/${invoice.id}/payments?limit=1`)).map((p) => p.amount)).toEqual([5000, 7000]);
  });

  it("only SENT and OVERDUE invoices take payments; bodies are checked", async () => {
    const owner = await newOwner();
    const draft = await newInvoice(owner);
    expectProblem(await pay(owner, draft.id, 100), 409, "CONFLICT");
    const overdue = await sentInvoice(owner, { status: "OVERDUE" });
    expect((await pay(owner, overdue.id, 12000)).body.invoice.status).toBe("PAID");
    const cancelled = await sentInvoice(owner, { status: "CANCELLED" });
    expectProblem(await pay(owner, cancelled.id, 100), 409, "CONFLICT");
    const bad = await api(`/api/invoices/${overdue.id}/payments`, { token: owner.token, json: { amount: -5, method: "GOLD", paidAt: "yesterday", total: 1 } });
    expect(errorPaths(bad).sort()).toEqual(["body.amount", "body.method", "body.paidAt", "body.total"]);
  });

  it("Idempotency-Key: a retried POST answers the same payment, once; the key for another amount is a 409", async () => {
    const owner = await newOwner();
    const invoice = await sentInvoice(owner);
    const headers = { "Idempotency-Key": "pay-1" };
    const first = await pay(owner, invoice.id, 3000, headers);
    const retried = await Promise.all([pay(owner, invoice.id, 3000, headers), pay(owner, invoice.id, 3000, headers)]);
    for (const res of retried) {
      expect(res.status, res.text).toBe(201);
      expect(res.body.id).toBe(first.body.id);
    }
    expectProblem(await pay(owner, invoice.id, 4000, headers), 409, "CONFLICT");
    expect((await stored(invoice.id)).amountPaid).toBe(3000);
    expect(await db.select().from(payments).where(eq(payments.invoiceId, invoice.id))).toHaveLength(1);
  });

  it("concurrent payments never overpay and never lose one", async () => {
    const owner = await newOwner();
    const invoice = await sentInvoice(owner);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => recordPayment(depsFor(owner.id), owner.id, invoice.id, { amount: 5000, method: "CARD", paidAt: new Date(PAID_AT) })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409 });
    expect(await stored(invoice.id)).toMatchObject({ amountPaid: 10000, status: "SENT" });

    const fill = await Promise.allSettled(Array.from({ length: 6 }, () => recordPayment(depsFor(owner.id), owner.id, invoice.id, { amount: 500, method: "CASH", paidAt: new Date(PAID_AT) })));
    expect(fill.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    expect(await stored(invoice.id)).toMatchObject({ amountPaid: 12000, status: "PAID" });
    const sum = (await db.select().from(payments).where(eq(payments.invoiceId, invoice.id))).reduce((a, p) => a + p.amount, 0);
    expect(sum).toBe(12000);
  });

  it("deleting a payment recomputes: PAID goes back to SENT, or OVERDUE when the due date has passed", async () => {
    const owner = await newOwner();
    for (const [dueDate, reopened] of [
      ["2099-01-01", "SENT"],
      ["2020-01-01", "OVERDUE"],
    ] as const) {
      const invoice = await sentInvoice(owner, { dueDate });
      const part = await pay(owner, invoice.id, 2000);
      const rest = await pay(owner, invoice.id, 10000);
      expect(rest.body.invoice.status).toBe("PAID");
      const res = await api(`/api/invoices/${invoice.id}/payments/${rest.body.id}`, { method: "DELETE", token: owner.token });
      expect(res.status).toBe(204);
      expect(await stored(invoice.id)).toMatchObject({ status: reopened, amountPaid: 2000, paidAt: null });
      expectProblem(await api(`/api/invoices/${invoice.id}/payments/${rest.body.id}`, { method: "DELETE", token: owner.token }), 404, "NOT_FOUND");
      expect((await allPages(owner.token, `/api/invoices/${invoice.id}/payments`)).map((p) => p.id)).toEqual([part.body.id]);
    }
  });
});
