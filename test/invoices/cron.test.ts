import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConfig } from "@shared/config";
import { documentDeliveries, invoices, notifications, quotes } from "@shared/db/schema";
import { expireQuotes, expiringQuotesQuery, overdueInvoicesQuery, remindersDueQuery, remindOverdueInvoices } from "../../workers/cron/billing";
import { addDays, localDate } from "../../workers/modules/documents/owner";
import { env } from "cloudflare:test";
import { db, depsFor, forceInvoice, forceQuote, newContact, newInvoice, newOwner, newQuote, planOf } from "../documents/helpers";

const DAY = 86_400_000;
const notificationsOf = (userId: string, type: string) =>
  db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.type, type)));
const row = async (id: string) => (await db.select().from(invoices).where(eq(invoices.id, id)))[0]!;
const remindersOf = (invoiceId: string) =>
  db
    .select()
    .from(documentDeliveries)
    .where(and(eq(documentDeliveries.invoiceId, invoiceId), eq(documentDeliveries.kind, "REMINDER")));

describe("billing cron", () => {
  it("expires SENT quotes past their last valid day in the owner's zone, once, even when two runs overlap", async () => {
    const now = new Date();
    const east = await newOwner("Pacific/Kiritimati");
    const west = await newOwner("Pacific/Pago_Pago");
    const eastToday = localDate(now, "Pacific/Kiritimati");
    const westToday = localDate(now, "Pacific/Pago_Pago");
    const expired = await newQuote(east);
    await forceQuote(expired.id, { status: "SENT", validUntil: addDays(eastToday, -1) });
    const lastDay = await newQuote(west);
    await forceQuote(lastDay.id, { status: "SENT", validUntil: westToday });
    const draft = await newQuote(east);
    await forceQuote(draft.id, { validUntil: "2020-01-01" });

    const recording = depsFor(east.id);
    const runs = await Promise.all([expireQuotes({ env: recording.env, db, now }), expireQuotes({ env: recording.env, db, now })]);
    expect(runs.map((r) => r.quotesExpired).sort()).toEqual([0, 1]);
    const statuses = await db.select({ id: quotes.id, status: quotes.status }).from(quotes).where(sql`${quotes.id} IN (${expired.id}, ${lastDay.id}, ${draft.id})`);
    expect(Object.fromEntries(statuses.map((q) => [q.id, q.status]))).toEqual({ [expired.id]: "EXPIRED", [lastDay.id]: "SENT", [draft.id]: "DRAFT" });
    const told = await notificationsOf(east.id, "QUOTE_EXPIRED");
    expect(told.map((n) => n.data.quoteId)).toEqual([expired.id]);
    expect(await notificationsOf(west.id, "QUOTE_EXPIRED")).toEqual([]);
  });

  it("marks SENT invoices past due OVERDUE with one reminder, then reminds every interval up to the maximum", async () => {
    const config = getConfig(env).billing;
    const now = new Date();
    const owner = await newOwner();
    const today = localDate(now, "UTC");
    const late = await newInvoice(owner);
    await forceInvoice(late.id, { status: "SENT", dueDate: addDays(today, -1) });
    const dueToday = await newInvoice(owner);
    await forceInvoice(dueToday.id, { status: "SENT", dueDate: today });
    const silent = await newContact(owner.token, { firstName: "No email" });
    const noEmail = await newInvoice(owner, { contactId: silent });
    await forceInvoice(noEmail.id, { status: "SENT", dueDate: addDays(today, -3) });

    const recording = depsFor(owner.id);
    const run = (at: Date) => remindOverdueInvoices({ env: recording.env, db, now: at });
    const first = await Promise.all([run(now), run(now)]);
    expect(first.map((r) => r.invoicesOverdue).sort()).toEqual([0, 2]);
    expect(await row(late.id)).toMatchObject({ status: "OVERDUE", reminderCount: 1, lastReminderAt: now });
    expect(await row(noEmail.id)).toMatchObject({ status: "OVERDUE", reminderCount: 0, lastReminderAt: null });
    expect((await row(dueToday.id)).status).toBe("SENT");
    const [reminder] = await remindersOf(late.id);
    expect(reminder).toMatchObject({ status: "QUEUED", toEmail: "claire@client.example" });
    expect(await remindersOf(noEmail.id)).toEqual([]);
    expect(recording.sent.map((job) => (job.body.payload as { deliveryId?: string }).deliveryId).filter(Boolean)).toEqual([reminder!.id]);
    expect((await notificationsOf(owner.id, "INVOICE_OVERDUE")).map((n) => n.data.invoiceId).sort()).toEqual([late.id, noEmail.id].sort());

    // Within the interval nothing more; after it, one more per interval, never past the maximum.
    await Promise.all([run(new Date(now.getTime() + DAY)), run(new Date(now.getTime() + DAY))]);
    expect(await remindersOf(late.id)).toHaveLength(1);
    for (let i = 1; i <= config.maxReminders + 1; i++) {
      const at = new Date(now.getTime() + i * config.reminderIntervalDays * DAY);
      await Promise.all([run(at), run(at)]);
    }
    expect(await remindersOf(late.id)).toHaveLength(config.maxReminders);
    expect((await row(late.id)).reminderCount).toBe(config.maxReminders);
    // The invoice due on the first day became overdue on a later run, and was told about once too.
    expect((await notificationsOf(owner.id, "INVOICE_OVERDUE")).map((n) => n.data.invoiceId).sort()).toEqual([late.id, noEmail.id, dueToday.id].sort());
    expect(await remindersOf(dueToday.id)).toHaveLength(config.maxReminders);
  });

  it("reads through the partial indexes, never a scan", async () => {
    const now = new Date();
    const config = getConfig(env);
    expect(await planOf(expiringQuotesQuery(db, now))).toMatch(/SEARCH quotes USING INDEX quotes_expiry_idx \(valid_until<\?\)/);
    for (const query of [overdueInvoicesQuery(db, now), remindersDueQuery(db, now, config)]) {
      const plan = await planOf(query);
      expect(plan).toMatch(/SEARCH invoices USING INDEX invoices_due_idx \(due_date<\?\)/);
      expect(plan).not.toMatch(/SCAN (invoices|users|contacts)/);
    }
  });
});
