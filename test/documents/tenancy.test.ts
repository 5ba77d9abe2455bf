import { describe, expect, it } from "vitest";
import { encodeCursor } from "@shared/lib/pagination";
import { invoiceListQuery } from "../../workers/modules/invoices/service";
import { quoteListQuery } from "../../workers/modules/quotes/service";
import { api, expectProblem } from "../support/http";
import { db, forceInvoice, forceQuote, line, newOwner, newInvoice, newQuote, planOf } from "./helpers";

describe("another studio's documents", () => {
  it("answer 404 on every route, exactly like missing ones, and change nothing", async () => {
    const owner = await newOwner();
    const stranger = await newOwner();
    const quote = await newQuote(owner);
    await forceQuote(quote.id, { status: "SENT" });
    const invoice = await newInvoice(owner);
    await forceInvoice(invoice.id, { status: "SENT" });
    const payment = await api(`/api/invoices/${invoice.id}/payments`, { token: owner.token, json: { amount: 100, method: "CASH", paidAt: "2026-03-01T10:00:00Z" } });
    expect(payment.status).toBe(201);

    const calls: [string, string, unknown?][] = [
      ["GET", `/api/quotes/${quote.id}`],
      ["PATCH", `/api/quotes/${quote.id}`, { status: "ACCEPTED" }],
      ["DELETE", `/api/quotes/${quote.id}`],
      ["POST", `/api/quotes/${quote.id}/send`],
      ["POST", `/api/quotes/${quote.id}/convert`],
      ["GET", `/api/quotes/${quote.id}/pdf`],
      ["GET", `/api/invoices/${invoice.id}`],
      ["PATCH", `/api/invoices/${invoice.id}`, { status: "CANCELLED" }],
      ["DELETE", `/api/invoices/${invoice.id}`],
      ["POST", `/api/invoices/${invoice.id}/send`],
      ["GET", `/api/invoices/${invoice.id}/pdf`],
      ["POST", `/api/invoices/${invoice.id}/payments`, { amount: 100, method: "CASH", paidAt: "2026-03-01T10:00:00Z" }],
      ["GET", `/api/invoices/${invoice.id}/payments`],
      ["DELETE", `/api/invoices/${invoice.id}/payments/${payment.body.id}`],
    ];
    for (const [method, path, json] of calls) {
      const res = await api(path, { method, token: stranger.token, ...(json ? { json } : {}) });
      expectProblem(res, 404, "NOT_FOUND");
    }
    // A document for the stranger's account cannot name the owner's contact either.
    expectProblem(await api("/api/quotes", { token: stranger.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(1)] } }), 404, "NOT_FOUND");
    expect((await api("/api/quotes", { token: stranger.token })).body.items).toEqual([]);
    expect((await api("/api/invoices", { token: stranger.token })).body.items).toEqual([]);
    expect((await api(`/api/quotes/${quote.id}`, { token: owner.token })).body.status).toBe("SENT");
    expect((await api(`/api/invoices/${invoice.id}`, { token: owner.token })).body).toMatchObject({ status: "SENT", amountPaid: 100 });
  });

  it("lists read their owner index in order: no scan, no sort step without a filter", async () => {
    const owner = await newOwner();
    await newQuote(owner);
    const cursor = encodeCursor([Date.now(), "01900000-0000-7000-8000-000000000000"]);
    for (const query of [{ limit: 20 }, { limit: 20, status: "SENT" as const }, { limit: 20, cursor }]) {
      const quotePlan = await planOf(quoteListQuery(db, owner.id, query));
      expect(quotePlan).toMatch(/SEARCH quotes USING INDEX quotes_owner_created_idx \(owner_id=\?/);
      expect(quotePlan).not.toContain("TEMP B-TREE");
      expect(quotePlan).not.toMatch(/SCAN/);
      const invoicePlan = await planOf(invoiceListQuery(db, owner.id, query));
      expect(invoicePlan).toMatch(/SEARCH invoices USING INDEX invoices_owner_created_idx \(owner_id=\?/);
      expect(invoicePlan).not.toContain("TEMP B-TREE");
    }
    for (const filter of [{ contactId: owner.contactId }, { sessionId: "s" }]) {
      expect(await planOf(quoteListQuery(db, owner.id, { limit: 20, ...filter }))).not.toMatch(/SCAN/);
      expect(await planOf(invoiceListQuery(db, owner.id, { limit: 20, ...filter }))).not.toMatch(/SCAN/);
    }
  });
});
