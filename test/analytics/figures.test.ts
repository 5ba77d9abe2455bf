import { beforeAll, describe, expect, it } from "vitest";
import { getDashboard } from "../../workers/modules/analytics/service";
import { api } from "../support/http";
import { NOW, ZONE, depsFor, newStudio, seedStudio, type Studio } from "./fixture";

const EUR = (amount: number) => ({ currency: "EUR", amount });
const USD = (amount: number) => ({ currency: "USD", amount });
const none = { DRAFT: [], SENT: [], PAID: [], OVERDUE: [], CANCELLED: [] };

async function get(token: string, path: string) {
  const res = await api(path, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe("analytics figures, computed by hand from the fixture (owner in New York)", () => {
  let studio: Studio;
  let other: Studio;
  beforeAll(async () => {
    [studio, other] = await Promise.all([newStudio(), newStudio("Europe/Paris")]);
    await seedStudio(studio);
  });

  it("dashboard on 31 March 2026 at 23:45 NY: this month is March there, though April in UTC", async () => {
    const dashboard = await getDashboard(depsFor(studio.id), studio.id, NOW);
    expect(dashboard).toEqual({
      timezone: ZONE,
      asOf: "2026-04-01T03:45:00.000Z",
      // March: 400.00 on the 2nd and 200.00 at 23:30 on the 31st (already April in UTC).
      // The year: also 600.00 at 23:30 on 31 January; the 50.00 of 23:30 on 31 December 2025 is last year's.
      revenue: { thisMonth: [EUR(60_000)], thisYear: [EUR(120_000), USD(30_000)] },
      // SENT and OVERDUE only, net of partial payments; the CANCELLED 700.00 and the DRAFT are left out.
      outstanding: [EUR(30_000 + 25_000), USD(50_000 + 10_000)],
      // The OVERDUE invoice and the SENT one due on 20 March; the EUR ones are due on the 31st and in April.
      overdue: [USD(60_000)],
      // Sent in 2026 NY time: 6 (the one sent on 31 December NY time and the draft are not); accepted 3.
      quotes: { sent: 6, accepted: 3, conversionRate: 0.5 },
      sessionsByStatus: { LEAD: 1, CONFIRMED: 2, COMPLETED: 1, CANCELLED: 1 },
      upcomingBookings: {
        count: 6,
        next: [
          { id: expect.any(String), startAt: "2026-04-02T14:00:00.000Z", guestName: "Ada", status: "CONFIRMED" },
          { id: expect.any(String), startAt: "2026-04-03T14:00:00.000Z", guestName: "Grace", status: "PENDING" },
          { id: expect.any(String), startAt: "2026-04-05T14:00:00.000Z", guestName: "Edsger", status: "CONFIRMED" },
          { id: expect.any(String), startAt: "2026-04-06T14:00:00.000Z", guestName: "Barbara", status: "CONFIRMED" },
          { id: expect.any(String), startAt: "2026-04-07T14:00:00.000Z", guestName: "Donald", status: "CONFIRMED" },
        ],
      },
    });
  });

  it("GET /api/analytics/dashboard answers the same shape for today", async () => {
    const body = await get(studio.token, "/api/analytics/dashboard");
    expect(body.timezone).toBe(ZONE);
    expect(body.outstanding).toEqual([EUR(55_000), USD(60_000)]);
    expect(Object.keys(body.sessionsByStatus)).toEqual(["LEAD", "CONFIRMED", "COMPLETED", "CANCELLED"]);
  });

  it("revenue by month: payments by their NY date, invoices by issue date and status", async () => {
    const body = await get(studio.token, "/api/analytics/revenue?from=2026-01-01&to=2026-03-31&groupBy=month");
    expect(body).toEqual({
      timezone: ZONE,
      from: "2026-01-01",
      to: "2026-03-31",
      groupBy: "month",
      periods: [
        { start: "2026-01-01", end: "2026-01-31", received: [EUR(60_000)], invoiced: [EUR(100_000)], byStatus: { ...none, PAID: [EUR(100_000)] } },
        { start: "2026-02-01", end: "2026-02-28", received: [USD(30_000)], invoiced: [USD(80_000)], byStatus: { ...none, OVERDUE: [USD(80_000)], CANCELLED: [EUR(70_000)] } },
        {
          start: "2026-03-01",
          end: "2026-03-31",
          received: [EUR(60_000)],
          invoiced: [EUR(50_000), USD(10_000)],
          byStatus: { ...none, DRAFT: [EUR(25_000)], SENT: [EUR(50_000), USD(10_000)] },
        },
      ],
      totals: {
        received: [EUR(120_000), USD(30_000)],
        invoiced: [EUR(150_000), USD(90_000)],
        byStatus: { DRAFT: [EUR(25_000)], SENT: [EUR(50_000), USD(10_000)], PAID: [EUR(100_000)], OVERDUE: [USD(80_000)], CANCELLED: [EUR(70_000)] },
      },
    });
  });

  it("revenue by week: Monday to Sunday, the first and last weeks clipped to the range", async () => {
    const body = await get(studio.token, "/api/analytics/revenue?from=2026-03-01&to=2026-03-31&groupBy=week");
    expect(body.periods.map((p: any) => [p.start, p.end])).toEqual([
      ["2026-03-01", "2026-03-01"],
      ["2026-03-02", "2026-03-08"],
      ["2026-03-09", "2026-03-15"],
      ["2026-03-16", "2026-03-22"],
      ["2026-03-23", "2026-03-29"],
      ["2026-03-30", "2026-03-31"],
    ]);
    expect(body.periods.map((p: any) => p.received)).toEqual([[], [EUR(40_000)], [], [], [], [EUR(20_000)]]);
    expect(body.periods.map((p: any) => p.invoiced)).toEqual([[EUR(50_000)], [USD(10_000)], [], [], [], []]);
    expect(body.periods[3].byStatus.DRAFT).toEqual([EUR(25_000)]);
  });

  it("revenue by day and by year: the 23:30 payments stay on their NY day and year", async () => {
    const days = await get(studio.token, "/api/analytics/revenue?from=2026-03-31&to=2026-04-01&groupBy=day");
    expect(days.periods.map((p: any) => [p.start, p.received])).toEqual([
      ["2026-03-31", [EUR(20_000)]],
      ["2026-04-01", []],
    ]);
    const years = await get(studio.token, "/api/analytics/revenue?from=2025-01-01&to=2026-12-31&groupBy=year");
    expect(years.periods).toEqual([
      { start: "2025-01-01", end: "2025-12-31", received: [EUR(5_000)], invoiced: [EUR(30_000)], byStatus: { ...none, SENT: [EUR(30_000)] } },
      expect.objectContaining({ start: "2026-01-01", end: "2026-12-31", received: [EUR(120_000), USD(30_000)] }),
    ]);
  });

  it("conversion: outcomes of the quotes sent in the range, median and average days to acceptance", async () => {
    const q1 = await get(studio.token, "/api/analytics/conversion?from=2026-01-01&to=2026-03-31");
    expect(q1).toEqual({
      timezone: ZONE,
      from: "2026-01-01",
      to: "2026-03-31",
      sent: 6,
      accepted: 3,
      rejected: 1,
      expired: 1,
      pending: 1,
      convertedToInvoices: 1,
      conversionRate: 0.5,
      // 3, 10 and 0.5 days.
      daysToAccept: { median: 3, average: 4.5 },
      value: { sent: [EUR(220_000), USD(35_000)], accepted: [EUR(150_000), USD(15_000)] },
    });
    // An even count: the median is the mean of the middle two (3 and 10 days).
    const janFeb = await get(studio.token, "/api/analytics/conversion?from=2026-01-01&to=2026-02-28");
    expect(janFeb).toMatchObject({ sent: 4, accepted: 2, rejected: 1, expired: 1, pending: 0, daysToAccept: { median: 6.5, average: 6.5 } });
    const december = await get(studio.token, "/api/analytics/conversion?from=2025-12-01&to=2025-12-31");
    expect(december).toMatchObject({ sent: 1, accepted: 1, conversionRate: 1, daysToAccept: { median: 2, average: 2 } });
  });

  it("sessions per month and status by their NY start; undated ones are not counted", async () => {
    const body = await get(studio.token, "/api/analytics/sessions?from=2026-01-01&to=2026-03-31&groupBy=month");
    const zero = { LEAD: 0, CONFIRMED: 0, COMPLETED: 0, CANCELLED: 0 };
    expect(body.periods).toEqual([
      { start: "2026-01-01", end: "2026-01-31", byStatus: { ...zero, LEAD: 1 }, total: 1 },
      { start: "2026-02-01", end: "2026-02-28", byStatus: { ...zero, COMPLETED: 1, CANCELLED: 1 }, total: 2 },
      { start: "2026-03-01", end: "2026-03-31", byStatus: { ...zero, CONFIRMED: 1 }, total: 1 },
    ]);
    expect(body.totals).toEqual({ byStatus: { LEAD: 1, CONFIRMED: 1, COMPLETED: 1, CANCELLED: 1 }, total: 4 });
    const december = await get(studio.token, "/api/analytics/sessions?from=2025-12-31&to=2025-12-31&groupBy=day");
    expect(december.totals).toEqual({ byStatus: { ...zero, COMPLETED: 1 }, total: 1 });
  });

  it("another studio sees none of it: an empty dashboard, empty periods, no conversion", async () => {
    const dashboard = await getDashboard(depsFor(other.id), other.id, NOW);
    expect(dashboard).toEqual({
      timezone: "Europe/Paris",
      asOf: "2026-04-01T03:45:00.000Z",
      revenue: { thisMonth: [], thisYear: [] },
      outstanding: [],
      overdue: [],
      quotes: { sent: 0, accepted: 0, conversionRate: null },
      sessionsByStatus: { LEAD: 0, CONFIRMED: 0, COMPLETED: 0, CANCELLED: 0 },
      upcomingBookings: { count: 0, next: [] },
    });
    const live = await get(other.token, "/api/analytics/dashboard");
    expect(live).toMatchObject({ revenue: { thisMonth: [], thisYear: [] }, outstanding: [], overdue: [], quotes: { sent: 0, accepted: 0, conversionRate: null }, upcomingBookings: { count: 0, next: [] } });
    const revenue = await get(other.token, "/api/analytics/revenue?from=2025-01-01&to=2026-12-31&groupBy=month");
    expect(revenue.periods).toHaveLength(24);
    expect(revenue.totals).toEqual({ received: [], invoiced: [], byStatus: none });
    const conversion = await get(other.token, "/api/analytics/conversion?from=2025-01-01&to=2026-12-31");
    expect(conversion).toMatchObject({ sent: 0, accepted: 0, convertedToInvoices: 0, conversionRate: null, daysToAccept: { median: null, average: null }, value: { sent: [], accepted: [] } });
    const sessions = await get(other.token, "/api/analytics/sessions?from=2025-01-01&to=2026-12-31&groupBy=year");
    expect(sessions.totals.total).toBe(0);
  });

  it("a change of time zone is followed at once: the 23:30 NY payment moves to the next UTC day", async () => {
    const mover = await newStudio();
    await seedStudio(mover);
    const path = "/api/analytics/revenue?from=2026-01-31&to=2026-02-01&groupBy=day";
    const before = await get(mover.token, path);
    expect(before.periods.map((p: any) => p.received)).toEqual([[EUR(60_000)], []]);
    const patched = await api("/api/users/me", { method: "PATCH", token: mover.token, json: { timezone: "UTC" } });
    expect(patched.status, patched.text).toBe(200);
    const after = await get(mover.token, path);
    expect(after.timezone).toBe("UTC");
    expect(after.periods.map((p: any) => p.received)).toEqual([[], [EUR(60_000)]]);
  });
});
