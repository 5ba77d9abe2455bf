import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { documentCounters, documentDeliveries, invoices, quotes } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { addDays, localDate } from "../../workers/modules/documents/owner";
import { convertQuote, sendQuote } from "../../workers/modules/quotes/actions";
import { allPages, api, errorPaths, expectProblem } from "../support/http";
import { db, depsFor, forceQuote, line, newContact, newOwner, newQuote } from "../documents/helpers";

const patch = (token: string, id: string, json: unknown) => api(`/api/quotes/${id}`, { method: "PATCH", token, json });

describe("quotes", () => {
  it("creates a DRAFT with server-computed amounts, valid QUOTE_VALID_DAYS from today in the owner's zone", async () => {
    const owner = await newOwner("Pacific/Kiritimati");
    const quote = await newQuote(owner, {
      items: [line(10000, { quantity: 1.5, taxRate: 19.6, discount: { type: "PERCENT", value: 10 } }), line(-2500, { description: "Deposit", taxRate: 19.6 })],
      locale: "fr-fr",
      notes: "  Thank you  ",
    });
    expect(quote).toMatchObject({
      status: "DRAFT",
      currency: "EUR",
      locale: "fr-FR",
      notes: "Thank you",
      version: 1,
      subtotal: 13500 - 2500,
      discountTotal: 1500,
      taxTotal: 2646 - 490,
      total: 11000 + 2156,
      taxesByRate: [{ rate: 19.6, base: 11000, tax: 2156 }],
      validUntil: addDays(localDate(new Date(), "Pacific/Kiritimati"), 30),
      invoiceId: null,
      sentAt: null,
    });
    expect(quote.items[0]).toMatchObject({ gross: 15000, discountAmount: 1500, net: 13500, tax: 2646, total: 16146 });
    const read = await api(`/api/quotes/${quote.id}`, { token: owner.token });
    expect(read.body).toEqual(quote);
  });

  it("refuses malformed bodies with the field's path, and totals from the client", async () => {
    const owner = await newOwner();
    const post = (json: Record<string, unknown>) => api("/api/quotes", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(100)], ...json } });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ currency: "EURO" }, ["body.currency"]],
      [{ currency: "XYZ" }, ["body.currency"]],
      [{ items: [line(100, { quantity: -1 })] }, ["body.items.0.quantity"]],
      [{ items: [line(100, { quantity: 1.0005 })] }, ["body.items.0.quantity"]],
      [{ items: [line(1.5)] }, ["body.items.0.unitPrice"]],
      [{ items: [line(100, { taxRate: 101 })] }, ["body.items.0.taxRate"]],
      [{ items: [line(100, { discount: { type: "PERCENT", value: 120 } })] }, ["body.items.0.discount.value"]],
      [{ items: [line(100, { discount: { type: "AMOUNT", value: 101 } })] }, ["body.items.0.discount.value"]],
      [{ items: [line(Number.MAX_SAFE_INTEGER, { quantity: 2 })] }, ["body.items.0.unitPrice"]],
      [{ items: [] }, ["body.items"]],
      [{ total: 1 }, ["body.total"]],
      [{ items: [{ ...line(100), total: 1 }] }, ["body.items.0.total"]],
      [{ validUntil: "2020-01-01" }, ["body.validUntil"]],
      [{ locale: "not a locale!" }, ["body.locale"]],
    ];
    for (const [json, paths] of cases) {
      const res = await post(json);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), JSON.stringify(json)).toEqual(paths);
    }
    expect((await post({ currency: "jpy" })).body.currency).toBe("JPY");
    expectProblem(await post({ sessionId: newId() }), 404, "NOT_FOUND");
  });

  it("edits only a DRAFT, each content change bumping the version; status cannot ride along", async () => {
    const owner = await newOwner();
    const quote = await newQuote(owner);
    const other = await newContact(owner.token, { firstName: "Marc" });
    const edited = await patch(owner.token, quote.id, { items: [line(5000, { quantity: 3 })], contactId: other, notes: null });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, subtotal: 15000, taxTotal: 3000, total: 18000, contactId: other, notes: null });
    expect((await patch(owner.token, quote.id, { validUntil: "2099-12-31" })).body).toMatchObject({ version: 3, validUntil: "2099-12-31" });
    expect(errorPaths(await patch(owner.token, quote.id, { status: "ACCEPTED", notes: "x" }))).toEqual(["body.notes"]);
    expect(errorPaths(await patch(owner.token, quote.id, { subtotal: 1 }))).toContain("body.subtotal");
    expect(errorPaths(await patch(owner.token, quote.id, {}))).toEqual(["body"]);
    expectProblem(await patch(owner.token, quote.id, { contactId: newId() }), 404, "NOT_FOUND");

    await forceQuote(quote.id, { status: "SENT" });
    expectProblem(await patch(owner.token, quote.id, { notes: "late" }), 409, "CONFLICT");
    expectProblem(await api(`/api/quotes/${quote.id}`, { method: "DELETE", token: owner.token }), 409, "CONFLICT");
    const rejected = await patch(owner.token, quote.id, { status: "REJECTED", rejectionReason: "Too expensive" });
    expect(rejected.body).toMatchObject({ status: "REJECTED", rejectionReason: "Too expensive", version: 3 });
    expect(rejected.body.rejectedAt).toEqual(expect.any(String));
  });

  it("lists newest first with filters and keyset pages", async () => {
    const owner = await newOwner();
    const other = await newContact(owner.token, { firstName: "Marc" });
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await newQuote(owner, i % 2 ? { contactId: other } : {}));
    await forceQuote(made[1]!.id, { status: "SENT" });
    const all = await allPages(owner.token, "/api/quotes?limit=2");
    expect(all.map((q) => q.number)).toEqual(made.map((q) => q.number).reverse());
    expect((await allPages(owner.token, `/api/quotes?contactId=${other}&limit=1`)).map((q) => q.id)).toEqual([made[3]!.id, made[1]!.id]);
    expect((await allPages(owner.token, "/api/quotes?status=SENT")).map((q) => q.id)).toEqual([made[1]!.id]);
    expectProblem(await api("/api/quotes?cursor=nope", { token: owner.token }), 400, "VALIDATION_FAILED");
    expectProblem(await api("/api/quotes?status=LOST", { token: owner.token }), 400, "VALIDATION_FAILED");
  });

  it("send: SENT with a QUEUED delivery in one batch, handed to the deliveries queue; re-send keeps SENT", async () => {
    const owner = await newOwner();
    const quote = await newQuote(owner);
    const deps = depsFor(owner.id);
    const first = await sendQuote(deps, owner.id, quote.id);
    expect(first.status).toBe("SENT");
    const [delivery] = await db.select().from(documentDeliveries).where(eq(documentDeliveries.id, first.deliveryId));
    expect(delivery).toMatchObject({ quoteId: quote.id, invoiceId: null, kind: "SEND", status: "QUEUED", toEmail: "claire@client.example", version: 1 });
    expect(deps.sent.map((job) => [job.body.type, (job.body.payload as { deliveryId: string }).deliveryId])).toEqual([["document.deliver", first.deliveryId]]);
    const sent = (await api(`/api/quotes/${quote.id}`, { token: owner.token })).body;
    expect(sent.status).toBe("SENT");

    const again = await sendQuote(deps, owner.id, quote.id);
    expect(again.deliveryId).not.toBe(first.deliveryId);
    const resent = (await api(`/api/quotes/${quote.id}`, { token: owner.token })).body;
    expect(resent).toMatchObject({ status: "SENT", sentAt: sent.sentAt });
  });

  it("send refuses a contact without email, and a quote past its validity", async () => {
    const owner = await newOwner("UTC", { firstName: "No", lastName: "Email" });
    const quote = await newQuote(owner);
    await expect(sendQuote(depsFor(owner.id), owner.id, quote.id)).rejects.toMatchObject({ status: 409 });
    expectProblem(await api(`/api/quotes/${quote.id}/send`, { method: "POST", token: owner.token }), 409, "CONFLICT");
    const withEmail = await newContact(owner.token, { firstName: "Has", email: "has@client.example" });
    const stale = await newQuote(owner, { contactId: withEmail });
    await forceQuote(stale.id, { validUntil: "2020-01-01" });
    await expect(sendQuote(depsFor(owner.id), owner.id, stale.id)).rejects.toThrow(/valid until 2020-01-01/);
    expect(await db.select().from(documentDeliveries).where(eq(documentDeliveries.ownerId, owner.id))).toEqual([]);
  });

  it("converts a SENT quote once: DRAFT invoice with the same lines, quote ACCEPTED", async () => {
    const owner = await newOwner();
    const quote = await newQuote(owner, { items: [line(12345, { quantity: 2, taxRate: 5.5 })], notes: "Wedding" });
    expectProblem(await api(`/api/quotes/${quote.id}/convert`, { method: "POST", token: owner.token }), 409, "CONFLICT");
    await forceQuote(quote.id, { status: "SENT" });
    const res = await api(`/api/quotes/${quote.id}/convert`, { method: "POST", token: owner.token });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ status: "DRAFT", quoteId: quote.id, items: quote.items, total: quote.total, notes: "Wedding", amountPaid: 0 });
    expect(res.body.number).toMatch(/^F-\d{4}-0001$/);
    expect((await api(`/api/quotes/${quote.id}`, { token: owner.token })).body).toMatchObject({ status: "ACCEPTED", invoiceId: res.body.id });
    expectProblem(await api(`/api/quotes/${quote.id}/convert`, { method: "POST", token: owner.token }), 409, "CONFLICT");
  });

  it("concurrent converts: one invoice, the rest 409, and no number spent by the losers", async () => {
    const owner = await newOwner();
    const quote = await newQuote(owner);
    await forceQuote(quote.id, { status: "ACCEPTED" });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => convertQuote(depsFor(owner.id), owner.id, quote.id)));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409 });
    expect(await db.select().from(invoices).where(eq(invoices.quoteId, quote.id))).toHaveLength(1);
    const [counter] = await db
      .select()
      .from(documentCounters)
      .where(and(eq(documentCounters.userId, owner.id), eq(documentCounters.series, "INVOICE")));
    expect(counter!.lastNumber).toBe(1);
    expect(await db.select({ status: quotes.status }).from(quotes).where(eq(quotes.id, quote.id))).toEqual([{ status: "ACCEPTED" }]);
  });

  it("serves the PDF of the quote", async () => {
    const owner = await newOwner();
    const quote = await newQuote(owner);
    const res = await api(`/api/quotes/${quote.id}/pdf`, { token: owner.token });
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/pdf/);
    expect(res.text.startsWith("%PDF-")).toBe(true);
  });
});
