// The whole story of getting paid, through the public routes and the real queue consumer: a quote is written
// and sent, the client opens the emailed PDF and portal link, accepts, writes to the studio and reads the
// answer; the quote becomes an invoice that is sent and paid; the dashboard shows it. Each module has its own
// tests; this one checks that what one module writes is what the next one reads.
import { env } from "cloudflare:test";
import { and, desc, eq, like, or } from "drizzle-orm";
import { extractText, getDocumentProxy } from "unpdf";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "@shared/db/client";
import { devMail } from "@shared/db/schema";
import { api, register, uniqueEmail } from "../support/http";

const db = createDb(env.DB);
const APP_HOST = "app.lightbox.test";

/** The newest email to `to` whose subject or text contains `needle`, once the queue has delivered it. */
async function mailTo(to: string, needle: string) {
  let found: typeof devMail.$inferSelect | undefined;
  await vi.waitFor(
    async () => {
      [found] = await db
        .select()
        .from(devMail)
        .where(and(eq(devMail.to, to.toLowerCase()), or(like(devMail.subject, `%${needle}%`), like(devMail.text, `%${needle}%`))))
        .orderBy(desc(devMail.createdAt))
        .limit(1);
      expect(found, `an email to ${to} with ${needle}`).toBeDefined();
    },
    { timeout: 60_000, interval: 250 },
  );
  return found!;
}

async function pdfText(key: string): Promise<{ head: string; text: string }> {
  const bytes = new Uint8Array(await (await env.FILES.get(key))!.arrayBuffer());
  const { text } = await extractText(await getDocumentProxy(bytes.slice()), { mergePages: true });
  return { head: new TextDecoder("latin1").decode(bytes.slice(0, 5)), text };
}

const portalToken = (body: string) => {
  const match = /http:\/\/lightbox\.test\/portal\?token=([A-Za-z0-9_-]+)/.exec(body);
  expect(match, "a portal link").not.toBeNull();
  return match![1]!;
};

describe("quote to payment, end to end", () => {
  it("sends, is accepted in the portal, converts, is paid, and shows on the dashboard", { timeout: 180_000 }, async () => {
    const owner = await register({ firstName: "Claire", lastName: "Morel" });
    const token = owner.accessToken;
    expect((await api("/api/users/me", { method: "PATCH", token, json: { companyName: "Studio Lumière", vatNumber: "FR12345678901" } })).status).toBe(200);
    const clientEmail = uniqueEmail("jeanne");
    const contact = await api("/api/contacts", { token, json: { firstName: "Jeanne", lastName: "Dupont", email: clientEmail } });
    expect(contact.status, contact.text).toBe(201);
    const other = await api("/api/contacts", { token, json: { firstName: "Other", lastName: "Client", email: uniqueEmail("other") } });
    expect(other.status, other.text).toBe(201);

    // 2 × 333.33 at 20 % and 1 × 99.99 at 5.5 %: 666.66 + 133.33 tax (133.332 rounded), 99.99 + 5.50 tax (5.49945 rounded).
    const quote = await api("/api/quotes", {
      token,
      json: {
        contactId: contact.body.id,
        currency: "EUR",
        locale: "fr-FR",
        items: [
          { description: "Reportage mariage", quantity: 2, unitPrice: 33333, taxRate: 20 },
          { description: "Album", quantity: 1, unitPrice: 9999, taxRate: 5.5 },
        ],
      },
    });
    expect(quote.status, quote.text).toBe(201);
    expect(quote.body).toMatchObject({ status: "DRAFT", subtotal: 76665, taxTotal: 13883, total: 90548 });
    expect(quote.body.number).toMatch(/^Q-\d{4}-0001$/);

    const sent = await api(`/api/quotes/${quote.body.id}/send`, { method: "POST", token });
    expect(sent.status, sent.text).toBe(202);

    // The client's email: the PDF attached (a real one, with the number as text) and a portal link, no dashboard link.
    const quoteMail = await mailTo(clientEmail, quote.body.number);
    expect(`${quoteMail.text}\n${quoteMail.html}`).not.toContain(APP_HOST);
    expect(quoteMail.attachments).toHaveLength(1);
    expect(quoteMail.attachments[0]).toMatchObject({ filename: `${quote.body.number}.pdf`, contentType: "application/pdf" });
    const quotePdf = await pdfText(quoteMail.attachments[0]!.key);
    expect(quotePdf.head).toBe("%PDF-");
    expect(quotePdf.text).toContain(quote.body.number);
    expect(quotePdf.text).toContain("Studio Lumière");
    const clientToken = portalToken(quoteMail.text ?? "");

    // The portal: the client sees their quote and accepts it; the studio is told.
    const view = await api(`/api/client-access?token=${clientToken}`);
    expect(view.status, view.text).toBe(200);
    expect(view.body.quote).toMatchObject({ id: quote.body.id, number: quote.body.number, status: "SENT", total: 90548 });
    // The studio's business email is on the quote itself; the studio's other clients are not.
    expect(JSON.stringify(view.body)).not.toContain(other.body.id);
    expect(JSON.stringify(view.body)).not.toContain("Other");
    const accepted = await api(`/api/client-access/quotes/${quote.body.id}/accept?token=${clientToken}`, { method: "POST" });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toEqual({ status: "ACCEPTED" });
    const notifications = await api("/api/notifications", { token });
    expect(notifications.body.items.map((n: { type: string }) => n.type)).toContain("QUOTE_ACCEPTED");

    // A message each way.
    const written = await api(`/api/client-access/messages?token=${clientToken}`, { json: { body: "Can we add a second album?" } });
    expect(written.status, written.text).toBe(201);
    const thread = await api(`/api/contacts/${contact.body.id}/messages`, { token });
    expect(thread.body.items.map((m: { body: string; direction: string }) => [m.direction, m.body])).toEqual([["CLIENT", "Can we add a second album?"]]);
    const reply = await api(`/api/contacts/${contact.body.id}/messages`, { token, json: { body: "Of course: I'll update the invoice." } });
    expect(reply.status, reply.text).toBe(201);
    const replyMail = await mailTo(clientEmail, "update the invoice");
    expect(replyMail.text).toContain("Of course: I'll update the invoice.");
    const replyToken = portalToken(replyMail.text ?? "");
    const clientThread = await api(`/api/client-access/messages?token=${replyToken}`);
    expect(clientThread.body.items.map((m: { direction: string }) => m.direction)).toEqual(["OWNER", "CLIENT"]);

    // The invoice: converted once, sent with its own PDF, paid in two parts.
    const invoice = await api(`/api/quotes/${quote.body.id}/convert`, { method: "POST", token });
    expect(invoice.status, invoice.text).toBe(201);
    expect(invoice.body).toMatchObject({ status: "DRAFT", quoteId: quote.body.id, total: 90548 });
    expect(invoice.body.number).toMatch(/^F-\d{4}-0001$/);
    expect((await api(`/api/quotes/${quote.body.id}/convert`, { method: "POST", token })).status).toBe(409);
    expect((await api(`/api/invoices/${invoice.body.id}/send`, { method: "POST", token })).status).toBe(202);
    const invoiceMail = await mailTo(clientEmail, invoice.body.number);
    const invoicePdf = await pdfText(invoiceMail.attachments[0]!.key);
    expect(invoicePdf.text).toContain(invoice.body.number);

    const paidAt = new Date().toISOString();
    const first = await api(`/api/invoices/${invoice.body.id}/payments`, { token, json: { amount: 40000, method: "TRANSFER", paidAt } });
    expect(first.status, first.text).toBe(201);
    const rest = await api(`/api/invoices/${invoice.body.id}/payments`, { token, json: { amount: 50548, method: "CARD", paidAt } });
    expect(rest.status, rest.text).toBe(201);
    const paid = await api(`/api/invoices/${invoice.body.id}`, { token });
    expect(paid.body).toMatchObject({ status: "PAID", amountPaid: 90548 });

    // The dashboard reads what the other modules wrote.
    const dashboard = await api("/api/analytics/dashboard", { token });
    expect(dashboard.status, dashboard.text).toBe(200);
    expect(dashboard.body.revenue.thisMonth).toEqual([{ currency: "EUR", amount: 90548 }]);
    expect(dashboard.body.outstanding).toEqual([]);
    expect(dashboard.body.quotes).toEqual({ sent: 1, accepted: 1, conversionRate: 1 });
  });
});
