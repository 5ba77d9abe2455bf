import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { notificationPreferences, notifications, quotes } from "@shared/db/schema";
import { respondToQuote } from "../../workers/modules/portal/decisions";
import { resolveClientToken } from "../../workers/modules/portal/tokens";
import { mailsAfterJobs, recordingDeps } from "../support/jobs";
import { api, expectProblem, freshRateLimitWindow, uniqueIp } from "../support/http";
import { db, insertInvoice, insertQuote, newContact, newSession, portal, quoteLink, quoteScenario } from "./helpers";

const acceptedJob = (ownerId: string, quoteId: string) => `notification:${ownerId}:quote-accepted:${quoteId}`;

describe("the sanitized view", () => {
  it("shows the quote as the client sees it, the shoot, the studio's public profile and the client's name, and nothing else", async () => {
    const profile = { companyName: "Studio Lumière", vatNumber: "FR12345678901", phone: "+33 6 00 00 00 00", companyAddress: { line1: "1 rue des Arts", city: "Lyon", postalCode: "69001", country: "FR" }, paymentDetails: "IBAN FR76 SECRET" };
    const { studio, contact, quote: first } = await quoteScenario({}, profile);
    const sessionId = await newSession(studio, { title: "Wedding in Annecy", location: "Château de Menthon", startsAt: "2026-09-12T13:00:00.000Z", notes: "PRIVATE session note" });
    const quote = await insertQuote(studio.id, contact.id, { sessionId, notes: "Deposit of 30% on acceptance." });
    const link = await quoteLink(studio, quote.id);
    // Things of the same owner that must not leak through this link.
    const otherClient = await newContact(studio, { firstName: "Zoé", lastName: "Otherclient", notes: "PRIVATE contact note" });
    await insertQuote(studio.id, otherClient.id, { notes: "LEAKED quote notes" });
    await newSession(studio, { title: "LEAKED session" });

    const res = await portal("", link.token);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const view = res.body;
    expect(Object.keys(view).sort()).toEqual(["client", "invoice", "link", "quote", "session", "studio"]);
    expect(view.client).toEqual({ firstName: "Camille", lastName: "Durand" });
    expect(view.studio).toEqual({
      name: "Iris Vale",
      company: "Studio Lumière",
      address: { line1: "1 rue des Arts", line2: null, postalCode: "69001", city: "Lyon", region: null, country: "FR" },
      vatNumber: "FR12345678901",
      email: studio.email,
      phone: "+33 6 00 00 00 00",
      hasLogo: false,
    });
    expect(view.session).toEqual({ title: "Wedding in Annecy", type: "OTHER", startsAt: "2026-09-12T13:00:00.000Z", endsAt: null, location: "Château de Menthon" });
    expect(view.invoice).toBeNull();
    expect(view.quote).toMatchObject({
      id: quote.id,
      number: quote.number,
      status: "SENT",
      currency: "EUR",
      subtotal: 192_500,
      taxTotal: 36_688,
      total: 229_188,
      notes: "Deposit of 30% on acceptance.",
      canRespond: true,
      validUntil: quote.validUntil,
      taxes: [
        { rate: 5.5, base: 12_500, tax: 688 },
        { rate: 20, base: 180_000, tax: 36_000 },
      ],
    });
    expect(view.quote.lines[0]).toEqual({ description: "Full-day coverage", quantity: 1, unitPrice: 180_000, taxRate: 20, discount: null, net: 180_000, tax: 36_000, total: 216_000 });
    for (const secret of [studio.id, "ownerId", "version", "contactId", "sessionId", "PRIVATE", "LEAKED", "Otherclient", first.id, first.number, "IBAN", "passwordHash", "audit"]) {
      expect(res.text, secret).not.toContain(secret);
    }
    const one = await portal(`/quotes/${quote.id}`, link.token);
    expect(one.body).toEqual(view.quote);
  });

  it("shows an invoice through an invoice link, with what is left to pay and the payment details", async () => {
    const { studio, contact } = await quoteScenario({}, { paymentDetails: "IBAN FR76 0000" });
    const invoice = await insertInvoice(studio.id, contact.id, { amountPaid: 50_000 });
    const res = await api(`/api/invoices/${invoice.id}/client-link`, { method: "POST", token: studio.token });
    const token = res.body.token;
    const view = (await portal("", token)).body;
    expect(view.quote).toBeNull();
    expect(view.invoice).toMatchObject({ number: invoice.number, status: "SENT", amountPaid: 50_000, amountDue: invoice.total - 50_000, paymentDetails: "IBAN FR76 0000", issueDate: invoice.issueDate });
    expect((await portal(`/invoices/${invoice.id}`, token)).body).toEqual(view.invoice);
  });

  it("serves the link's quote as a PDF", async () => {
    const { quote, link } = await quoteScenario();
    const res = await portal(`/quotes/${quote.id}/pdf`, link.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/pdf/);
    expect(res.text.startsWith("%PDF-")).toBe(true);
  });
});

describe("accepting and rejecting", () => {
  it("accepts a SENT quote once and notifies the owner in-app and by email, with a dashboard link", async () => {
    const { studio, quote, link } = await quoteScenario();
    const res = await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: "ACCEPTED" });
    const [stored] = await db.select().from(quotes).where(eq(quotes.id, quote.id));
    expect(stored).toMatchObject({ status: "ACCEPTED", acceptedAt: expect.any(Date) });

    const again = expectProblem(await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" }), 409, "CONFLICT");
    expect(again.detail).toMatch(/already accepted/);
    expectProblem(await portal(`/quotes/${quote.id}/reject`, link.token, { method: "POST", json: { reason: "late" } }), 409, "CONFLICT");

    const rows = await db.select().from(notifications).where(and(eq(notifications.userId, studio.id), eq(notifications.type, "QUOTE_ACCEPTED")));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ title: `Quote ${quote.number} accepted`, data: { quoteId: quote.id, contactId: quote.contactId, number: quote.number } });
    expect(rows[0]!.body).toContain("Camille Durand");
    // The owner's own inbox also holds the address verification of their sign-up.
    const mails = (await mailsAfterJobs(studio.email, [acceptedJob(studio.id, quote.id)])).filter((mail) => mail.subject.includes(quote.number));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Quote ${quote.number} accepted`);
    expect(mails[0]!.text).toContain(`http://app.lightbox.test/quotes/${quote.id}`);
  });

  it("answers a race of accepts once", async () => {
    const { studio, quote, link } = await quoteScenario();
    const answers = await Promise.all(Array.from({ length: 5 }, () => portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const rows = await db.select().from(notifications).where(and(eq(notifications.userId, studio.id), eq(notifications.type, "QUOTE_ACCEPTED")));
    expect(rows).toHaveLength(1);
  });

  it("rejects with a reason; the owner's preference decides the email", async () => {
    const { studio, quote, link } = await quoteScenario();
    await db.insert(notificationPreferences).values({ userId: studio.id, type: "QUOTE_REJECTED", inApp: true, email: false, updatedAt: new Date() });
    // Through the service with a recording queue: an email that is not sent leaves no job to wait for.
    const { deps, ofType } = recordingDeps(() => true);
    const access = await resolveClientToken(deps, link.token, null);
    const res = await respondToQuote(deps, access, quote.id, { status: "REJECTED", reason: "We found another photographer." }, null);
    expect(res).toEqual({ status: "REJECTED" });
    expect(ofType("email.send")).toEqual([]);
    const [stored] = await db.select().from(quotes).where(eq(quotes.id, quote.id));
    expect(stored).toMatchObject({ status: "REJECTED", rejectionReason: "We found another photographer.", rejectedAt: expect.any(Date) });
    const [note] = await db.select().from(notifications).where(and(eq(notifications.userId, studio.id), eq(notifications.type, "QUOTE_REJECTED")));
    expect(note!.body).toContain("We found another photographer.");
    expect(note!.data).toMatchObject({ reason: "We found another photographer." });

    const { quote: q2, link: l2 } = await quoteScenario();
    const trimmed = await portal(`/quotes/${q2.id}/reject`, l2.token, { method: "POST", json: { reason: "  Too far.  " } });
    expect(trimmed.body).toEqual({ status: "REJECTED" });
    expect((await db.select().from(quotes).where(eq(quotes.id, q2.id)))[0]!.rejectionReason).toBe("Too far.");
    const { quote: q3, link: l3 } = await quoteScenario();
    expect((await portal(`/quotes/${q3.id}/reject`, l3.token, { method: "POST" })).body).toEqual({ status: "REJECTED" });
    const tooLong = expectProblem(await portal(`/quotes/${q2.id}/reject`, l2.token, { method: "POST", json: { reason: "x".repeat(1001) } }), 400, "VALIDATION_FAILED");
    expect(tooLong.errors!.map((e) => e.path)).toEqual(["body.reason"]);
    expectProblem(await portal(`/quotes/${q2.id}/reject`, l2.token, { method: "POST", json: { reason: "x", status: "ACCEPTED" } }), 400, "VALIDATION_FAILED");
  });

  it("refuses a quote past its validity, a draft and an expired one with 409 and a clear detail", async () => {
    const yesterday = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const late = await quoteScenario({ validUntil: yesterday });
    expect((await portal("", late.link.token)).body.quote.canRespond).toBe(false);
    const lateAnswer = expectProblem(await portal(`/quotes/${late.quote.id}/accept`, late.link.token, { method: "POST" }), 409, "CONFLICT");
    expect(lateAnswer.detail).toContain(`valid until ${yesterday}`);
    for (const status of ["DRAFT", "EXPIRED"] as const) {
      // A link is made while the quote is SENT (a draft gets none); it went back to draft or expired since.
      const { quote, link } = await quoteScenario();
      await auditedBatch(db, systemActor("test"), [db.update(quotes).set({ status }).where(eq(quotes.id, quote.id))]);
      const refused = expectProblem(await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" }), 409, "CONFLICT");
      expect(refused.detail).toMatch(status === "DRAFT" ? /not been sent/ : /expired/);
      const [stored] = await db.select().from(quotes).where(eq(quotes.id, quote.id));
      expect(stored!.status).toBe(status);
    }
  });
});

describe("limits and origins", () => {
  it("rate limits per token and address with 429 and Retry-After", async () => {
    const { link, studio, quote } = await quoteScenario();
    const ip = uniqueIp();
    await freshRateLimitWindow(20_000);
    let limited: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 80 && !limited; i++) {
      const res = await portal("", link.token, { ip });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expectProblem(limited!, 429, "RATE_LIMITED");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address with the same link, and the same address with another link, are not affected.
    expect((await portal("", link.token, { ip: uniqueIp() })).status).toBe(200);
    const other = await quoteLink(studio, (await insertQuote(studio.id, quote.contactId)).id);
    expect((await portal("", other.token, { ip })).status).toBe(200);
  });

  it("limits failed token lookups per address: past 30 a minute the address is refused every token, good ones too", async () => {
    const { link } = await quoteScenario();
    const ip = uniqueIp();
    await freshRateLimitWindow(20_000);
    let limited: Awaited<ReturnType<typeof api>> | undefined;
    let failures = 0;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await portal("", `guess${i}${"A".repeat(38)}`, { ip });
      if (res.status === 429) {
        limited = res;
      } else {
        expect(res.status).toBe(401);
        failures++;
      }
    }
    expect(failures).toBe(30);
    expectProblem(limited!, 429, "RATE_LIMITED");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Guessing right now would tell the address nothing: the real link is refused too, from there only.
    expectProblem(await portal("", link.token, { ip }), 429, "RATE_LIMITED");
    expect((await portal("", link.token, { ip: uniqueIp() })).status).toBe(200);
  });

  it("answers CORS for the portal's origin and the configured ones, not for others", async () => {
    const preflight = (origin: string, path = "/api/client-access/messages") =>
      api(path, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect((await preflight("http://lightbox.test")).headers.get("access-control-allow-origin")).toBe("http://lightbox.test");
    expect((await preflight("http://app.lightbox.test")).headers.get("access-control-allow-origin")).toBe("http://app.lightbox.test");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    // The portal's origin is not thereby allowed on the owner's API.
    expect((await preflight("http://lightbox.test", "/api/quotes")).headers.get("access-control-allow-origin")).toBeNull();
  });
});
