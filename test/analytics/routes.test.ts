import { SELF, env } from "cloudflare:test";
import type { BatchItem } from "drizzle-orm/batch";
import { beforeAll, describe, expect, it } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { invoices, payments, sessions } from "@shared/db/schema";
import { zonedRange } from "../../workers/modules/analytics/periods";
import { receivedByPeriodQuery } from "../../workers/modules/analytics/queries";
import { reportDocument } from "../../workers/modules/analytics/report";
import { chartCurrency } from "../../workers/templates/documents/analytics-report";
import { ORIGIN, api, errorPaths, expectProblem, freshRateLimitWindow } from "../support/http";
import { db, depsFor, invoiceRow, newStudio, paymentRow, seedStudio, sessionRow, type Studio } from "./fixture";

const EUR = (amount: number) => ({ currency: "EUR", amount });
/** fr-FR money: a narrow no-break space between thousands, a no-break space before the symbol. */
const fr = (text: string) => text.replace(/_/g, "\u202f").replace(/ /g, "\u00a0");

async function get(token: string, path: string) {
  const res = await api(path, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const insert = (statements: unknown[]) => auditedBatch(db, systemActor("analytics-ranges"), statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);

describe("analytics routes: validation, auth and the PDF report", () => {
  let studio: Studio;
  beforeAll(async () => {
    studio = await newStudio("America/New_York", "fr-FR");
    await seedStudio(studio);
  });

  it("refuses bad ranges and groupings with the field that is wrong", async () => {
    const cases: [string, string][] = [
      ["/api/analytics/revenue?from=2026-03-01&to=2026-02-01", "query.to"],
      ["/api/analytics/revenue?from=2020-01-01&to=2025-01-01", "query.to"],
      ["/api/analytics/revenue?from=2026-01-01&to=2026-12-31&groupBy=hour", "query.groupBy"],
      ["/api/analytics/revenue?from=2025-01-01&to=2026-12-31&groupBy=day", "query.groupBy"],
      ["/api/analytics/revenue?from=2026-02-30&to=2026-03-01", "query.from"],
      ["/api/analytics/revenue?to=2026-03-01", "query.from"],
      ["/api/analytics/sessions?from=2026-01-01&to=2026-13-01", "query.to"],
      ["/api/analytics/sessions?from=2026-01-01&to=2026-12-31&groupBy=weekly", "query.groupBy"],
      ["/api/analytics/conversion?from=2026-01-01", "query.to"],
      ["/api/analytics/conversion?from=01/01/2026&to=2026-02-01", "query.from"],
      ["/api/analytics/report.pdf?from=2026-03-01&to=2026-01-01", "query.to"],
    ];
    for (const [path, field] of cases) {
      const res = await api(path, { token: studio.token });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), path).toContain(field);
    }
  });

  it("accepts the longest range (5 years less a day) by month, and 400 days by day", async () => {
    const long = await api("/api/analytics/revenue?from=2021-01-01&to=2025-12-31&groupBy=month", { token: studio.token });
    expect(long.status, long.text).toBe(200);
    expect(long.body.periods).toHaveLength(60);
    const days = await api("/api/analytics/sessions?from=2026-01-01&to=2027-02-04&groupBy=day", { token: studio.token });
    expect(days.status, days.text).toBe(200);
    expect(days.body.periods).toHaveLength(400);
  });

  it("answers 401 without a token", async () => {
    for (const path of ["/api/analytics/dashboard", "/api/analytics/revenue?from=2026-01-01&to=2026-01-31", "/api/analytics/report.pdf?from=2026-01-01&to=2026-01-31"]) {
      expectProblem(await api(path), 401, "UNAUTHORIZED");
    }
  });

  it("prints the report of a range as a real PDF", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/analytics/report.pdf?from=2026-01-01&to=2026-03-31`, { headers: { authorization: `Bearer ${studio.token}` } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder("latin1").decode(bytes);
    expect(res.status, text.slice(0, 300)).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe('inline; filename="report-2026-01-01-2026-03-31.pdf"');
    expect(text.startsWith("%PDF-")).toBe(true);
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    expect(bytes.byteLength).toBeGreaterThan(1000);
  });

  it("the report's HTML shows the fixture's figures in the owner's locale (fr-FR)", async () => {
    const { html } = await reportDocument(depsFor(studio.id), studio.id, { from: "2026-01-01", to: "2026-03-31", groupBy: "month" });
    // As test/analytics/figures.test.ts: received 1,200.00 EUR and 300.00 USD, invoiced 1,500.00 EUR and 900.00 USD,
    // 6 quotes sent, 3 accepted: 50 %.
    for (const text of ["1_200,00 €", "300,00 $US", "1_500,00 €", "900,00 $US", "50 %"]) expect(html, text).toContain(fr(text));
    for (const text of [">janvier 2026<", ">février 2026<", ">mars 2026<", ">6<", "America/New_York"]) expect(html, text).toContain(text);
    // The bars are in euros (received in January and March; dollars only in February): 600.00 each month, the peak.
    expect(html.match(/class="bar" style="width:[\d.]+%"/g)).toEqual(['class="bar" style="width:100.0%"', 'class="bar" style="width:0.0%"', 'class="bar" style="width:100.0%"']);
  });

  it("the report labels clipped months by their first and last days, whole ones by name", async () => {
    const { html } = await reportDocument(depsFor(studio.id), studio.id, { from: "2026-01-15", to: "2026-03-10", groupBy: "month" });
    expect(html).toContain(">15 janv. 2026 – 31 janv. 2026<");
    expect(html).toContain(">février 2026<");
    expect(html).toContain(">1 mars 2026 – 10 mars 2026<");
    expect(html).not.toContain(">janvier 2026<");
    expect(html).not.toContain(">mars 2026<");
    // 600.00 on 31 January (NY) and 400.00 on 2 March: 1,000.00 EUR; the 200.00 of 31 March is past the range.
    expect(html).toContain(fr("1_000,00 €"));
  });

  it("draws the bars in the currency received in the most periods, not the largest number", () => {
    const JPY = (amount: number) => ({ currency: "JPY", amount });
    const USD = (amount: number) => ({ currency: "USD", amount });
    expect(chartCurrency([{ received: [JPY(900_000)] }, { received: [EUR(100)] }, { received: [EUR(100)] }])).toBe("EUR");
    expect(chartCurrency([{ received: [EUR(100), USD(500_000)] }, { received: [] }])).toBe("EUR");
    expect(chartCurrency([{ received: [] }])).toBeUndefined();
  });

  it("prints at most 10 reports a minute per user, then answers 429 with Retry-After", async () => {
    const busy = await newStudio();
    await freshRateLimitWindow(15_000);
    // The user's ten reports of the minute, counted on the route's own limiter without printing ten PDFs.
    for (let i = 0; i < 10; i++) expect((await env.REPORTS_PER_USER.limit({ key: busy.id })).success).toBe(true);
    const res = await api("/api/analytics/report.pdf?from=2026-01-01&to=2026-01-31", { token: busy.token });
    expectProblem(res, 429, "RATE_LIMITED");
    expect(res.headers.get("retry-after")).toBe("60");
  });
});

describe("ranges across a clock change and a year boundary (owner in New York)", () => {
  it("by day over 1 November 2026, the 25-hour day the clocks go back: each payment on its New York day", async () => {
    const studio = await newStudio();
    const invoice = invoiceRow(studio, { currency: "EUR", total: 6_300, status: "PAID", issueDate: "2026-10-30", amountPaid: 6_300 });
    const pay = (amount: number, paidAt: string) => db.insert(payments).values(paymentRow(studio, invoice.id, "EUR", amount, paidAt));
    await insert([
      db.insert(invoices).values(invoice),
      pay(100, "2026-11-01T03:30:00Z"), // 31 October, 23:30 EDT (UTC−4)
      pay(200, "2026-11-01T04:30:00Z"), // 1 November, 00:30 EDT
      pay(400, "2026-11-01T05:30:00Z"), // 01:30 EDT, the first one
      pay(800, "2026-11-01T06:30:00Z"), // 01:30 EST (UTC−5), the second: the clocks went back at 06:00 UTC
      pay(1_600, "2026-11-02T04:30:00Z"), // 1 November, 23:30 EST (already the 2nd in UTC)
      pay(3_200, "2026-11-02T05:30:00Z"), // 2 November, 00:30 EST
      db.insert(sessions).values(sessionRow(studio, "LEAD", "2026-11-01T03:30:00Z")), // 31 October, 23:30 EDT
      db.insert(sessions).values(sessionRow(studio, "CONFIRMED", "2026-11-02T04:30:00Z")), // 1 November, 23:30 EST
    ]);
    const days = await get(studio.token, "/api/analytics/revenue?from=2026-10-31&to=2026-11-02&groupBy=day");
    expect(days.periods.map((p: any) => [p.start, p.end, p.received])).toEqual([
      ["2026-10-31", "2026-10-31", [EUR(100)]],
      ["2026-11-01", "2026-11-01", [EUR(200 + 400 + 800 + 1_600)]],
      ["2026-11-02", "2026-11-02", [EUR(3_200)]],
    ]);
    // The day alone: 00:00 EDT (04:00 UTC) to 00:00 EST the next day (05:00 UTC), 25 hours.
    const sunday = await get(studio.token, "/api/analytics/revenue?from=2026-11-01&to=2026-11-01&groupBy=day");
    expect(sunday.totals.received).toEqual([EUR(3_000)]);
    const sessionDays = await get(studio.token, "/api/analytics/sessions?from=2026-10-31&to=2026-11-02&groupBy=day");
    expect(sessionDays.periods.map((p: any) => [p.start, p.total])).toEqual([
      ["2026-10-31", 1],
      ["2026-11-01", 1],
      ["2026-11-02", 0],
    ]);
  });

  it("by week from Sunday 20 December 2026 to Sunday 10 January 2027: the week of 28 December runs into 2027", async () => {
    const studio = await newStudio();
    const invoice = invoiceRow(studio, { currency: "EUR", total: 25_700, status: "PAID", issueDate: "2027-01-02", amountPaid: 25_700 });
    const pay = (amount: number, paidAt: string) => db.insert(payments).values(paymentRow(studio, invoice.id, "EUR", amount, paidAt));
    await insert([
      db.insert(invoices).values(invoice), // issued Saturday 2 January 2027: the week of 28 December
      pay(100, "2026-12-21T04:30:00Z"), // Sunday 20 December, 23:30 EST (UTC−5): the first week, clipped to one day
      pay(200, "2026-12-21T05:30:00Z"), // Monday 21 December, 00:30
      pay(400, "2026-12-31T12:00:00Z"), // Thursday 31 December, 07:00
      pay(800, "2027-01-01T04:30:00Z"), // Thursday 31 December, 23:30 (2027 in UTC)
      pay(1_600, "2027-01-04T04:30:00Z"), // Sunday 3 January, 23:30: still the week of 28 December
      pay(3_200, "2027-01-04T05:30:00Z"), // Monday 4 January, 00:30
      pay(6_400, "2027-01-11T04:30:00Z"), // Sunday 10 January, 23:30: the range's last day
      pay(12_800, "2027-01-11T05:30:00Z"), // Monday 11 January: after the range
    ]);
    const weeks = await get(studio.token, "/api/analytics/revenue?from=2026-12-20&to=2027-01-10&groupBy=week");
    expect(weeks.periods.map((p: any) => [p.start, p.end, p.received, p.invoiced])).toEqual([
      ["2026-12-20", "2026-12-20", [EUR(100)], []],
      ["2026-12-21", "2026-12-27", [EUR(200)], []],
      ["2026-12-28", "2027-01-03", [EUR(400 + 800 + 1_600)], [EUR(25_700)]],
      ["2027-01-04", "2027-01-10", [EUR(3_200 + 6_400)], []],
    ]);
    expect(weeks.totals.received).toEqual([EUR(100 + 200 + 2_800 + 9_600)]);
    const years = await get(studio.token, "/api/analytics/revenue?from=2026-12-20&to=2027-01-10&groupBy=year");
    expect(years.periods.map((p: any) => [p.start, p.end, p.received])).toEqual([
      // The 23:30 payment of 31 December stays in 2026, though 2027 in UTC.
      ["2026-12-20", "2026-12-31", [EUR(100 + 200 + 400 + 800)]],
      ["2027-01-01", "2027-01-10", [EUR(1_600 + 3_200 + 6_400)]],
    ]);
  });

  it("a five-year range by day keeps its statement under D1's 100 bound parameters, clock changes and all", () => {
    const range = zonedRange("America/New_York", "2021-01-01", "2025-12-31");
    expect(receivedByPeriodQuery(db, "owner", range, "day").toSQL().params.length).toBeLessThan(100);
  });
});
