import { z } from "@hono/zod-openapi";
import { Temporal } from "temporal-polyfill";
import { bookingStatuses, invoiceStatuses, sessionStatuses } from "@shared/db/schema";
import { countPeriods, groupings } from "./periods";

/** Ranges are at most this long, and answers at most this many periods: the work per request stays bounded. */
export const MAX_RANGE_YEARS = 5;
export const MAX_PERIODS = 400;

function parseDate(value: unknown): Temporal.PlainDate | null {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  try {
    return Temporal.PlainDate.from(value, { overflow: "reject" });
  } catch {
    return null;
  }
}

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine((value) => parseDate(value) !== null, "is not a valid date");

const rangeFields = {
  from: localDate.openapi({ description: "First day, in the owner's time zone (inclusive)", example: "2026-01-01" }),
  to: localDate.openapi({ description: "Last day, in the owner's time zone (inclusive)", example: "2026-12-31" }),
};

type RangeShape = { from: string; to: string; groupBy?: (typeof groupings)[number] };

/** from ≤ to, at most MAX_RANGE_YEARS, at most MAX_PERIODS periods; each failure names its field. */
function checkRange(value: RangeShape, ctx: z.RefinementCtx) {
  const from = parseDate(value.from);
  const to = parseDate(value.to);
  // A missing or malformed date has its own issue already.
  if (!from || !to) return;
  if (Temporal.PlainDate.compare(from, to) > 0) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    return;
  }
  if (Temporal.PlainDate.compare(to, from.add({ years: MAX_RANGE_YEARS })) >= 0) {
    ctx.addIssue({ code: "custom", path: ["to"], message: `the range must be shorter than ${MAX_RANGE_YEARS} years` });
    return;
  }
  if (value.groupBy && countPeriods(value.from, value.to, value.groupBy) > MAX_PERIODS) {
    ctx.addIssue({ code: "custom", path: ["groupBy"], message: `the range has more than ${MAX_PERIODS} periods of a ${value.groupBy}: group by a longer period` });
  }
}

const groupBy = z.enum(groupings).default("month").openapi({ description: "Period length, in the owner's time zone (weeks start on Monday)" });

export const RangeQuery = z.object(rangeFields).superRefine(checkRange);
export const GroupedRangeQuery = z.object({ ...rangeFields, groupBy }).superRefine(checkRange);
export const ReportQuery = z
  .object({
    ...rangeFields,
    groupBy: z.enum(groupings).optional().openapi({ description: "Default: day up to 31 days, week up to 26 weeks, month beyond" }),
  })
  .superRefine(checkRange);

export const MoneySchema = z
  .array(z.object({ currency: z.string().openapi({ example: "EUR" }), amount: z.number().int().openapi({ description: "Minor units", example: 125000 }) }))
  .openapi("MoneyByCurrency", { description: "One amount per currency (never summed across currencies), by currency code" });

const ByStatus = <T extends readonly [string, ...string[]], V extends z.ZodType>(statuses: T, value: V) =>
  z.object(Object.fromEntries(statuses.map((s) => [s, value])) as { [K in T[number]]: V });

export const DashboardSchema = z
  .object({
    timezone: z.string(),
    asOf: z.iso.datetime(),
    revenue: z.object({
      thisMonth: MoneySchema.openapi({ description: "Payments received this calendar month" }),
      thisYear: MoneySchema.openapi({ description: "Payments received this calendar year" }),
    }),
    outstanding: MoneySchema.openapi({ description: "Σ (total − amountPaid) of SENT and OVERDUE invoices" }),
    overdue: MoneySchema.openapi({ description: "The part of outstanding on OVERDUE invoices or past their due date" }),
    quotes: z.object({
      sent: z.number().int(),
      accepted: z.number().int(),
      conversionRate: z.number().nullable().openapi({ description: "accepted ÷ sent among quotes sent this year; null when none was sent" }),
    }),
    sessionsByStatus: ByStatus(sessionStatuses, z.number().int()).openapi({ description: "Sessions starting this year" }),
    upcomingBookings: z.object({
      count: z.number().int(),
      next: z.array(z.object({ id: z.string(), startAt: z.iso.datetime(), guestName: z.string(), status: z.enum(bookingStatuses) })),
    }),
  })
  .openapi("AnalyticsDashboard");

const periodFields = { start: z.string().openapi({ example: "2026-03-01" }), end: z.string().openapi({ example: "2026-03-31" }) };
const rangeEcho = { timezone: z.string(), from: z.string(), to: z.string() };

const revenueFigures = {
  received: MoneySchema.openapi({ description: "Payments received (by payment date)" }),
  invoiced: MoneySchema.openapi({ description: "Totals of invoices issued (by issue date), DRAFT and CANCELLED excluded" }),
  byStatus: ByStatus(invoiceStatuses, MoneySchema).openapi({ description: "Totals of invoices issued, per current status" }),
};

export const RevenueSchema = z
  .object({
    ...rangeEcho,
    groupBy: z.enum(groupings),
    periods: z.array(z.object({ ...periodFields, ...revenueFigures })),
    totals: z.object(revenueFigures),
  })
  .openapi("AnalyticsRevenue");

export const ConversionSchema = z
  .object({
    ...rangeEcho,
    sent: z.number().int().openapi({ description: "Quotes sent in the range, whatever became of them" }),
    accepted: z.number().int(),
    rejected: z.number().int(),
    expired: z.number().int(),
    pending: z.number().int().openapi({ description: "Still SENT: no answer yet" }),
    convertedToInvoices: z.number().int(),
    conversionRate: z.number().nullable().openapi({ description: "accepted ÷ sent; null when none was sent" }),
    daysToAccept: z.object({ median: z.number().nullable(), average: z.number().nullable() }),
    value: z.object({ sent: MoneySchema, accepted: MoneySchema }),
  })
  .openapi("AnalyticsConversion");

const sessionCounts = { byStatus: ByStatus(sessionStatuses, z.number().int()), total: z.number().int() };

export const SessionsStatsSchema = z
  .object({
    ...rangeEcho,
    groupBy: z.enum(groupings),
    periods: z.array(z.object({ ...periodFields, ...sessionCounts })),
    totals: z.object(sessionCounts),
  })
  .openapi("AnalyticsSessions");

export type Money = z.infer<typeof MoneySchema>;
export type Dashboard = z.infer<typeof DashboardSchema>;
export type Revenue = z.infer<typeof RevenueSchema>;
export type Conversion = z.infer<typeof ConversionSchema>;
export type SessionsStats = z.infer<typeof SessionsStatsSchema>;
