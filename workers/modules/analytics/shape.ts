// From the rows of the aggregate queries to the answers: money per currency, periods listed even when empty,
// counts per status, rates and durations.
import { invoiceStatuses, sessionStatuses, type InvoiceStatus, type SessionStatus } from "@shared/db/schema";
import { listPeriods, type GroupBy, type ZonedRange } from "./periods";
import type { conversionQuery, invoicedByPeriodQuery, medianAcceptQuery, receivedByPeriodQuery, sessionsByPeriodQuery } from "./queries";
import type { Conversion, Money, Revenue, SessionsStats } from "./schemas";

const DAY_MS = 86_400_000;

/** Amounts per currency, in currency order; zero amounts left out. */
export class Tally {
  private readonly amounts = new Map<string, number>();
  add(currency: string, amount: number) {
    this.amounts.set(currency, (this.amounts.get(currency) ?? 0) + amount);
  }
  list(): Money {
    return [...this.amounts]
      .filter(([, amount]) => amount !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, amount]) => ({ currency, amount }));
  }
}

export const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const days = (ms: number | null) => (ms === null ? null : Math.round((ms / DAY_MS) * 100) / 100);
export const zeroByStatus = <S extends string>(statuses: readonly S[]) => Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;

type Rows<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type RevenueRows = [Rows<typeof receivedByPeriodQuery>, Rows<typeof invoicedByPeriodQuery>];
type ConversionRows = [Rows<typeof conversionQuery>, Rows<typeof medianAcceptQuery>];
type SessionRows = Rows<typeof sessionsByPeriodQuery>;

function revenueFigures() {
  const byStatus = Object.fromEntries(invoiceStatuses.map((s) => [s, new Tally()])) as Record<InvoiceStatus, Tally>;
  return { received: new Tally(), invoiced: new Tally(), byStatus };
}
const listFigures = (f: ReturnType<typeof revenueFigures>) => ({
  received: f.received.list(),
  invoiced: f.invoiced.list(),
  byStatus: Object.fromEntries(invoiceStatuses.map((s) => [s, f.byStatus[s].list()])) as Record<InvoiceStatus, Money>,
});

export function shapeRevenue(range: ZonedRange, groupBy: GroupBy, [received, invoiced]: RevenueRows): Revenue {
  const periods = listPeriods(range.from, range.to, groupBy).map((p) => ({ ...p, figures: revenueFigures() }));
  const index = new Map(periods.map((p, i) => [p.key, i]));
  const totals = revenueFigures();
  for (const row of received) {
    periods[index.get(row.period)!]?.figures.received.add(row.currency, row.amount);
    totals.received.add(row.currency, row.amount);
  }
  for (const row of invoiced) {
    const figures = periods[index.get(row.period)!]?.figures;
    for (const f of figures ? [figures, totals] : [totals]) {
      f.byStatus[row.status].add(row.currency, row.amount);
      if (row.status !== "DRAFT" && row.status !== "CANCELLED") f.invoiced.add(row.currency, row.amount);
    }
  }
  return {
    timezone: range.zone,
    from: range.from,
    to: range.to,
    groupBy,
    periods: periods.map((p) => ({ start: p.start, end: p.end, ...listFigures(p.figures) })),
    totals: listFigures(totals),
  };
}

export function shapeConversion(range: ZonedRange, [rows, middle]: ConversionRows): Conversion {
  const sum = (key: "sent" | "accepted" | "rejected" | "expired" | "pending" | "converted" | "timedAccepted" | "acceptMsTotal") =>
    rows.reduce((total, row) => total + row[key], 0);
  const sentValue = new Tally();
  const acceptedValue = new Tally();
  for (const row of rows) {
    sentValue.add(row.currency, row.sentValue);
    acceptedValue.add(row.currency, row.acceptedValue);
  }
  const timed = sum("timedAccepted");
  return {
    timezone: range.zone,
    from: range.from,
    to: range.to,
    sent: sum("sent"),
    accepted: sum("accepted"),
    rejected: sum("rejected"),
    expired: sum("expired"),
    pending: sum("pending"),
    convertedToInvoices: sum("converted"),
    conversionRate: ratio(sum("accepted"), sum("sent")),
    daysToAccept: {
      median: days(middle.length ? middle.reduce((total, row) => total + row.ms, 0) / middle.length : null),
      average: days(timed ? sum("acceptMsTotal") / timed : null),
    },
    value: { sent: sentValue.list(), accepted: acceptedValue.list() },
  };
}

export function shapeSessions(range: ZonedRange, groupBy: GroupBy, rows: SessionRows): SessionsStats {
  const counts = () => ({ byStatus: zeroByStatus(sessionStatuses), total: 0 });
  const periods = listPeriods(range.from, range.to, groupBy).map((p) => ({ start: p.start, end: p.end, key: p.key, ...counts() }));
  const index = new Map(periods.map((p, i) => [p.key, i]));
  const totals = counts();
  for (const row of rows) {
    const status = row.status as SessionStatus;
    const period = periods[index.get(row.period)!];
    for (const target of period ? [period, totals] : [totals]) {
      target.byStatus[status] += row.count;
      target.total += row.count;
    }
  }
  return { timezone: range.zone, from: range.from, to: range.to, groupBy, periods: periods.map(({ key: _key, ...p }) => p), totals };
}

