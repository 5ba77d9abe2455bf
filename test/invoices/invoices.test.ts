import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { documentDeliveries, invoiceStatuses, type InvoiceStatus } from "@shared/db/schema";
import { addDays, localDate } from "../../workers/modules/documents/owner";
import { sendInvoice } from "../../workers/modules/invoices/service";
import { allPages, api, errorPaths, expectProblem } from "../support/http";
import { db, depsFor, forceInvoice, line, newOwner, newInvoice, type Owner } from "../documents/helpers";

const patch = (token: string, id: string, json: unknown) => api(`/api/invoices/${id}`, { method: "PATCH", token, json });

async function invoiceIn(owner: Owner, status: InvoiceStatus) {
  const invoice = await newInvoice(owner);
  await forceInvoice(invoice.id, { status });
  return invoice;
}

describe("invoices", () => {
  it("creates a DRAFT issued today in the owner's zone, due INVOICE_DUE_DAYS later unless told", async () => {
    const owner = await newOwner("America/Los_Angeles");
    const today = localDate(new Date(), "America/Los_Angeles");
    const invoice = await newInvoice(owner, { items: [line(19999, { quantity: 3, taxRate: 8.875 })] });
    expect(invoice).toMatchObject({ status: "DRAFT", issueDate: today, dueDate: addDays(today, 30), subtotal: 59997, taxTotal: 5325, total: 65322, amountPaid: 0, balance: 65322, quoteId: null });
    expect(invoice.number).toMatch(new RegExp(`^F-${today.slice(0, 4)}-0001$`));
    expect((await newInvoice(owner, { issueDate: "2026-01-10", dueDate: null })).dueDate).toBeNull();
    const res = await api("/api/invoices", { token: owner.token, json: { contactId: owner.contactId, currency: "KWD", items: [line(100)], issueDate: "2026-01-10", dueDate: "2026-01-09", amountPaid: 5 } });
    expect(errorPaths(res)).toEqual(["body.amountPaid"]);
    const dates = await api("/api/invoices", { token: owner.token, json: { contactId: owner.contactId, currency: "KWD", items: [line(100)], issueDate: "2026-01-10", dueDate: "2026-01-09" } });
    expect(errorPaths(dates)).toEqual(["body.dueDate"]);
  });

  it("edits a DRAFT only (version bumps), lists newest first with filters", async () => {
    const owner = await newOwner();
    const invoice = await newInvoice(owner);
    const edited = await patch(owner.token, invoice.id, { items: [line(500, { quantity: 2 })], dueDate: "2099-01-01" });
    expect(edited.body).toMatchObject({ version: 2, total: 1200, dueDate: "2099-01-01" });
    expect(errorPaths(await patch(owner.token, invoice.id, { dueDate: addDays(invoice.issueDate, -1) }))).toEqual(["body.dueDate"]);
    const second = await newInvoice(owner);
    await forceInvoice(invoice.id, { status: "SENT" });
    expectProblem(await patch(owner.token, invoice.id, { notes: "late" }), 409, "CONFLICT");
    expect((await allPages(owner.token, "/api/invoices?limit=1")).map((i) => i.id)).toEqual([second.id, invoice.id]);
    expect((await allPages(owner.token, "/api/invoices?status=SENT")).map((i) => i.id)).toEqual([invoice.id]);
    expect((await allPages(owner.token, `/api/invoices?contactId=${owner.contactId}`)).length).toBe(2);
  });

  it("send: a DRAFT becomes SENT with a QUEUED delivery; SENT and OVERDUE ones are sent again as they stand", async () => {
    const owner = await newOwner();
    const invoice = await newInvoice(owner);
    const deps = depsFor(owner.id);
    const sent = await sendInvoice(deps, owner.id, invoice.id);
    expect(sent.status).toBe("SENT");
    const [row] = await db.select().from(documentDeliveries).where(eq(documentDeliveries.id, sent.deliveryId));
    expect(row).toMatchObject({ invoiceId: invoice.id, kind: "SEND", status: "QUEUED", toEmail: "claire@client.example" });
    expect(deps.sent.map((job) => job.body.type)).toEqual(["document.deliver"]);
    await forceInvoice(invoice.id, { status: "OVERDUE" });
    expect((await sendInvoice(deps, owner.id, invoice.id)).status).toBe("OVERDUE");
  });

  const LEGAL_PATCH = new Set(["DRAFT→CANCELLED", "SENT→CANCELLED", "OVERDUE→CANCELLED"]);
  for (const from of invoiceStatuses) {
    it(`from ${from}: PATCH status, send and delete answer as the transition table says`, async () => {
      const owner = await newOwner();
      for (const to of invoiceStatuses) {
        const invoice = await invoiceIn(owner, from);
        const res = await patch(owner.token, invoice.id, { status: to });
        if (LEGAL_PATCH.has(`${from}→${to}`)) {
          expect(res.status, `${from}→${to}`).toBe(200);
          expect(res.body).toMatchObject({ status: "CANCELLED", cancelledAt: expect.any(String) });
        } else {
          expectProblem(res, 409, "CONFLICT");
        }
      }
      const toSend = await invoiceIn(owner, from);
      if (["DRAFT", "SENT", "OVERDUE"].includes(from)) expect((await sendInvoice(depsFor(owner.id), owner.id, toSend.id)).status).toBe(from === "DRAFT" ? "SENT" : from);
      else expectProblem(await api(`/api/invoices/${toSend.id}/send`, { method: "POST", token: owner.token }), 409, "CONFLICT");

      const toDelete = await invoiceIn(owner, from);
      const deleted = await api(`/api/invoices/${toDelete.id}`, { method: "DELETE", token: owner.token });
      if (from === "DRAFT") expect(deleted.status).toBe(204);
      else expectProblem(deleted, 409, "CONFLICT");
    });
  }
});
