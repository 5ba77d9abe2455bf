import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { documentDeliveries, emailTemplates, invoices, quotes } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { computeTotals } from "../../workers/modules/documents/totals";
import { deliverDocument, enqueueDelivery, failDelivery, requeueStaleDeliveries } from "../../workers/modules/deliveries/service";
import { api, register, uniqueEmail } from "../support/http";
import { recordingDeps, runJob, settledMails, type DevMail } from "../support/jobs";

const db = createDb(env.DB);
const APP_URL = "app.lightbox.test";
const MINUTE = 60_000;

/** A studio with a company name and one client with a fresh address. */
async function studio() {
  const account = await register({ firstName: "Claire", lastName: "Morel" });
  const profile = await api("/api/users/me", { method: "PATCH", token: account.accessToken, json: { companyName: "Studio <Lumière>" } });
  expect(profile.status, profile.text).toBe(200);
  const email = uniqueEmail("client");
  const contact = await api("/api/contacts", { token: account.accessToken, json: { firstName: "Jeanne", lastName: "Dupont", email } });
  expect(contact.status, contact.text).toBe(201);
  const actor: Actor = { type: "USER", id: account.user.id, requestId: null };
  return { account, ownerId: account.user.id, contactId: contact.body.id as string, email, actor };
}
type Studio = Awaited<ReturnType<typeof studio>>;

const totals = computeTotals([{ description: "Portrait session", quantity: 1, unitPrice: 123456, taxRate: 20 }]);
const documentColumns = (s: Studio, prefix: string) => ({
  id: newId(),
  ownerId: s.ownerId,
  number: `${prefix}-2026-${crypto.randomUUID().slice(0, 6)}`,
  year: 2026,
  sequence: 1,
  contactId: s.contactId,
  currency: "EUR",
  locale: "en-US",
  items: totals.items,
  subtotal: totals.subtotal,
  discountTotal: totals.discountTotal,
  taxTotal: totals.taxTotal,
  total: totals.total,
  status: "SENT" as const,
  sentAt: new Date(),
  updatedAt: new Date(),
});

/** A sent quote (or invoice) with its QUEUED delivery, written in one batch as the send route does. */
async function sentDocument(
  s: Studio,
  kind: "QUOTE" | "INVOICE",
  options: { deliveryKind?: "SEND" | "REMINDER"; queuedAt?: Date; amountPaid?: number; status?: "SENT" | "OVERDUE" | "PAID" | "CANCELLED" } = {},
) {
  const now = new Date();
  const delivery = {
    id: newId(),
    ownerId: s.ownerId,
    kind: options.deliveryKind ?? ("SEND" as const),
    toEmail: s.email,
    version: 1,
    queuedAt: options.queuedAt ?? now,
    updatedAt: now,
  };
  if (kind === "QUOTE") {
    const quote = { ...documentColumns(s, "Q"), validUntil: "2026-07-31" };
    await auditedBatch(db, s.actor, [db.insert(quotes).values(quote), db.insert(documentDeliveries).values({ ...delivery, quoteId: quote.id })]);
    return { document: quote, deliveryId: delivery.id };
  }
  const invoice = { ...documentColumns(s, "F"), issueDate: "2026-03-02", dueDate: "2026-04-01", amountPaid: options.amountPaid ?? 0, status: options.status ?? ("SENT" as const) };
  await auditedBatch(db, s.actor, [db.insert(invoices).values(invoice), db.insert(documentDeliveries).values({ ...delivery, invoiceId: invoice.id })]);
  return { document: invoice, deliveryId: delivery.id };
}

const deliveryRow = async (id: string) => (await db.select().from(documentDeliveries).where(eq(documentDeliveries.id, id)))[0]!;

async function pdfBytes(mail: DevMail): Promise<string> {
  const [attachment] = mail.attachments;
  const object = await env.FILES.get(attachment!.key);
  return new TextDecoder("latin1").decode(await object!.arrayBuffer());
}

describe("document.deliver", () => {
  it("emails the quote with its PDF and portal link in the studio's words, marks it SENT, and never sends twice", async () => {
    const s = await studio();
    const { document, deliveryId } = await sentDocument(s, "QUOTE");
    const recording = recordingDeps((body) => body.type === "email.send");

    await enqueueDelivery(recording.deps.env, deliveryId);
    const [job] = recording.ofType("document.deliver");
    expect(job!.body).toMatchObject({ key: `delivery:${deliveryId}`, payload: { deliveryId } });
    expect(await runJob(recording.deps, job!)).toEqual({ action: "ack" });

    const row = await deliveryRow(deliveryId);
    expect(row).toMatchObject({ status: "SENT", pdfKey: expect.stringContaining(`${s.ownerId}/documents/`), error: null });
    expect(row.sentAt).toBeInstanceOf(Date);

    // Redelivered, run again after a crash before the SENT mark, and swept: still one email.
    expect(await runJob(recording.deps, job!, 2)).toEqual({ action: "ack" });
    await auditedBatch(db, s.actor, [db.update(documentDeliveries).set({ status: "QUEUED" }).where(eq(documentDeliveries.id, deliveryId))]);
    await deliverDocument(recording.deps, deliveryId, job!.body.key);
    expect(recording.ofType("email.send").map((j) => j.body.key)).toEqual([`delivery:${deliveryId}:email`, `delivery:${deliveryId}:email`]);

    const [mail, ...more] = await settledMails(s.email, recording.sent);
    expect(more).toHaveLength(0);
    expect(mail!.subject).toBe(`Quote ${document.number} from Studio <Lumière>`);
    expect(mail!.text).toContain("Hello Jeanne,");
    expect(mail!.text).toContain("€1,481.47");
    expect(mail!.text).toContain("July 31, 2026");
    const link = mail!.text!.match(/http:\/\/lightbox\.test\/portal\?token=[\w-]+/)?.[0];
    expect(link).toBeDefined();
    expect(mail!.html).toContain(`href="${link}"`);
    expect(mail!.html).toContain("Studio &lt;Lumière&gt;");
    expect(`${mail!.text} ${mail!.html}`).not.toContain(APP_URL);
    expect(recording.ofType("email.send")[0]!.body.payload).toMatchObject({ replyTo: s.account.email, to: s.email });

    expect(mail!.attachments).toEqual([expect.objectContaining({ filename: `${document.number}.pdf`, contentType: "application/pdf" })]);
    const pdf = await pdfBytes(mail!);
    expect(pdf.startsWith("%PDF-")).toBe(true);

    // The portal link opens this quote.
    const portal = await api(`/api/client-access?token=${encodeURIComponent(new URL(link!).searchParams.get("token")!)}`);
    expect(portal.status, portal.text).toBe(200);
    expect(portal.text).toContain(document.number);

    // The dev mailbox serves the same PDF.
    const mailbox = await api(`/api/dev/mailbox?to=${encodeURIComponent(s.email)}`);
    expect(mailbox.status, mailbox.text).toBe(200);
    const download = await api(mailbox.body.items[0].attachments[0].url);
    expect(download.text.startsWith("%PDF-")).toBe(true);
  });

  it("sends an invoice reminder with the studio's PAYMENT_REMINDER template and the balance due", async () => {
    const s = await studio();
    const saved = await api("/api/email-templates/PAYMENT_REMINDER", {
      method: "PUT",
      token: s.account.accessToken,
      json: { subject: "{{invoice.number}}: {{invoice.balanceDue}} left", body: "Dear {{client.fullName}}, please pay {{invoice.balanceDue}} of {{invoice.total}} (due {{invoice.dueDate}}).\n\n{{portal.url}}" },
    });
    expect(saved.status, saved.text).toBe(200);
    const { document, deliveryId } = await sentDocument(s, "INVOICE", { deliveryKind: "REMINDER", amountPaid: 48147, status: "OVERDUE" });
    const recording = recordingDeps((body) => body.type === "email.send");
    await enqueueDelivery(recording.deps.env, deliveryId);
    expect(await runJob(recording.deps, recording.ofType("document.deliver")[0]!)).toEqual({ action: "ack" });

    const [mail, ...more] = await settledMails(s.email, recording.sent);
    expect(more).toHaveLength(0);
    expect(mail!.subject).toBe(`${document.number}: €1,000.00 left`);
    expect(mail!.text).toMatch(/^Dear Jeanne Dupont, please pay €1,000\.00 of €1,481\.47 \(due April 1, 2026\)\.\n\nhttp:\/\/lightbox\.test\/portal\?token=/);
    expect(mail!.html).toContain(">View the invoice</a>");
    expect(mail!.attachments.map((a) => a.filename)).toEqual([`${document.number}.pdf`]);
    expect((await deliveryRow(deliveryId)).status).toBe("SENT");
  });

  it("does not send a reminder for an invoice paid or cancelled since the cron wrote it", async () => {
    const s = await studio();
    const recording = recordingDeps(() => false);
    const paid = await sentDocument(s, "INVOICE", { deliveryKind: "REMINDER", status: "PAID", amountPaid: totals.total });
    const settled = await sentDocument(s, "INVOICE", { deliveryKind: "REMINDER", status: "OVERDUE", amountPaid: totals.total });
    const cancelled = await sentDocument(s, "INVOICE", { deliveryKind: "REMINDER", status: "CANCELLED" });
    for (const { deliveryId } of [paid, settled, cancelled]) await deliverDocument(recording.deps, deliveryId, `delivery:${deliveryId}`);
    expect(recording.sent).toHaveLength(0);
    expect(await deliveryRow(paid.deliveryId)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/^No longer due: the invoice is paid/) });
    expect(await deliveryRow(settled.deliveryId)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/paid in full/) });
    expect(await deliveryRow(cancelled.deliveryId)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/cancelled/) });
  });

  it("ends a delivery whose email would be too large to queue as FAILED with why, without retrying", async () => {
    const s = await studio();
    // A template stored before sizes were checked: thousands of HTML-escaped characters per variable.
    await auditedBatch(db, s.actor, [
      db.insert(emailTemplates).values({ id: newId(), ownerId: s.ownerId, kind: "QUOTE_SENT", subject: "Quote", body: `${'"'.repeat(19_000)}\n\n{{portal.url}}`, createdAt: new Date(), updatedAt: new Date() }),
    ]);
    const { deliveryId } = await sentDocument(s, "QUOTE");
    const recording = recordingDeps(() => false);
    await enqueueDelivery(recording.deps.env, deliveryId);
    expect(await runJob(recording.deps, recording.ofType("document.deliver")[0]!)).toEqual({ action: "ack" });
    expect(recording.ofType("email.send")).toHaveLength(0);
    expect(await deliveryRow(deliveryId)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/^The email would be \d+ KB, over the 96 KB/) });
  });

  it("sweeps deliveries left QUEUED for ten minutes back onto the queue under their own key, and records a failed one", async () => {
    const s = await studio();
    const now = new Date();
    const stale = await sentDocument(s, "QUOTE", { queuedAt: new Date(now.getTime() - 11 * MINUTE) });
    const fresh = await sentDocument(s, "QUOTE", { queuedAt: new Date(now.getTime() - 2 * MINUTE) });
    const recording = recordingDeps(() => false);

    await requeueStaleDeliveries({ env: recording.deps.env, db, now });
    const keys = recording.ofType("document.deliver").map((j) => j.body.key);
    expect(keys).toContain(`delivery:${stale.deliveryId}`);
    expect(keys).not.toContain(`delivery:${fresh.deliveryId}`);

    await failDelivery({ db }, fresh.deliveryId, "renderer unavailable");
    expect(await deliveryRow(fresh.deliveryId)).toMatchObject({ status: "FAILED", error: "renderer unavailable" });
    // A failed or sent delivery is left alone by the job.
    await deliverDocument(recording.deps, fresh.deliveryId, `delivery:${fresh.deliveryId}`);
    expect(recording.ofType("email.send")).toHaveLength(0);
  });
});
