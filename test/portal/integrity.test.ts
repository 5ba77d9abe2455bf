import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { clientMessages, emailTemplates, invoices, notifications, quotes } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, expectProblem } from "../support/http";
import { mailsAfterJobs } from "../support/jobs";
import { db, insertInvoice, insertQuote, newContact, portal, quoteScenario } from "./helpers";

const test = systemActor("test");

describe("a link shows only its own contact's document", () => {
  it("answers 404 everywhere once the quote belongs to another contact, and makes no link for a draft", async () => {
    const { studio, quote, link } = await quoteScenario();
    const other = await newContact(studio, { firstName: "Other" });
    // Back to draft and handed to another client: the old link must not show it to the first one.
    await auditedBatch(db, test, [db.update(quotes).set({ status: "DRAFT", contactId: other.id }).where(eq(quotes.id, quote.id))]);
    expectProblem(await portal("", link.token), 404, "NOT_FOUND");
    expectProblem(await portal(`/quotes/${quote.id}`, link.token), 404, "NOT_FOUND");
    expectProblem(await portal(`/quotes/${quote.id}/pdf`, link.token), 404, "NOT_FOUND");
    await auditedBatch(db, test, [db.update(quotes).set({ status: "SENT" }).where(eq(quotes.id, quote.id))]);
    expectProblem(await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" }), 404, "NOT_FOUND");
    expectProblem(await portal(`/quotes/${quote.id}/reject`, link.token, { method: "POST" }), 404, "NOT_FOUND");
    expect((await db.select().from(quotes).where(eq(quotes.id, quote.id)))[0]!.status).toBe("SENT");

    const draft = await insertQuote(studio.id, other.id, { status: "DRAFT" });
    const refused = expectProblem(await api(`/api/quotes/${draft.id}/client-link`, { method: "POST", token: studio.token }), 409, "CONFLICT");
    expect(refused.detail).toMatch(/draft, not ready for the client/);
    const invoice = await insertInvoice(studio.id, other.id);
    await auditedBatch(db, test, [db.update(invoices).set({ status: "DRAFT" }).where(eq(invoices.id, invoice.id))]);
    expectProblem(await api(`/api/invoices/${invoice.id}/client-link`, { method: "POST", token: studio.token }), 409, "CONFLICT");
  });

  it("answers 404 for an invoice moved to another contact", async () => {
    const { studio, contact } = await quoteScenario();
    const invoice = await insertInvoice(studio.id, contact.id);
    const res = await api(`/api/invoices/${invoice.id}/client-link`, { method: "POST", token: studio.token });
    expect(res.status, res.text).toBe(201);
    const other = await newContact(studio, { firstName: "Other" });
    await auditedBatch(db, test, [db.update(invoices).set({ contactId: other.id }).where(eq(invoices.id, invoice.id))]);
    expectProblem(await portal(`/invoices/${invoice.id}`, res.body.token), 404, "NOT_FOUND");
    expectProblem(await portal(`/invoices/${invoice.id}/pdf`, res.body.token), 404, "NOT_FOUND");
  });
});

describe("the owner is told even when the first try failed", () => {
  it("tells the owner on a repeated accept when the answer was stored but never notified, once", async () => {
    const { studio, quote, link } = await quoteScenario();
    // As if the first request stored the answer and died before notifying.
    await auditedBatch(db, test, [db.update(quotes).set({ status: "ACCEPTED", acceptedAt: new Date() }).where(eq(quotes.id, quote.id))]);
    const accepted = () => db.select().from(notifications).where(and(eq(notifications.userId, studio.id), eq(notifications.type, "QUOTE_ACCEPTED")));
    expect(await accepted()).toHaveLength(0);
    for (let i = 0; i < 2; i++) expectProblem(await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" }), 409, "CONFLICT");
    expect(await accepted()).toHaveLength(1);
    // A different answer than the stored one tells nothing.
    expectProblem(await portal(`/quotes/${quote.id}/reject`, link.token, { method: "POST" }), 409, "CONFLICT");
    expect(await db.select().from(notifications).where(and(eq(notifications.userId, studio.id), eq(notifications.type, "QUOTE_REJECTED")))).toHaveLength(0);
  });
});

describe("owner replies", () => {
  it("refuses a reply whose email would be too large to queue with a 400 at body.body, storing nothing", async () => {
    const { studio, contact } = await quoteScenario();
    // A template stored before sizes were checked.
    const now = new Date();
    await auditedBatch(db, { type: "USER", id: studio.id, requestId: null }, [
      db.insert(emailTemplates).values({ id: newId(), ownerId: studio.id, kind: "CLIENT_MESSAGE_REPLY", subject: "Reply", body: `${"{{message.body}}".repeat(30)}\n\n{{portal.url}}`, createdAt: now, updatedAt: now }),
    ]);
    const res = expectProblem(await api(`/api/contacts/${contact.id}/messages`, { token: studio.token, json: { body: '"'.repeat(1000) } }), 400, "VALIDATION_FAILED");
    expect(res.errors).toEqual([{ path: "body.body", message: expect.stringMatching(/too long for your reply template/) }]);
    expect(await db.select().from(clientMessages).where(eq(clientMessages.contactId, contact.id))).toHaveLength(0);
    // A short one fits and is emailed under the stored reply's id.
    const ok = await api(`/api/contacts/${contact.id}/messages`, { token: studio.token, json: { body: "ok" } });
    expect(ok.status, ok.text).toBe(201);
    expect(await mailsAfterJobs(contact.email!, [`client-message-reply:${ok.body.id}`])).toHaveLength(1);
  });
});
