import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { rateLimited } from "../../middleware/rate-limit";
import { bearerAuth, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { renderReportPdf } from "./report";
import { ConversionSchema, DashboardSchema, GroupedRangeQuery, RangeQuery, ReportQuery, RevenueSchema, SessionsStatsSchema } from "./schemas";
import { getConversion, getDashboard, getRevenue, getSessionStats } from "./service";

const tags = ["Analytics"];
const description =
  "Periods are calendar days, weeks (Monday to Sunday), months and years in the owner's time zone (users.timezone); " +
  "`from` and `to` are local dates, both included. Money is one amount per currency, never summed across currencies.";
const receivedMeaning = "Received: payments by payment date, whatever the invoice's status now (a payment on an invoice cancelled later still counts as received).";
const convertedMeaning = "convertedToInvoices: the quotes that have an invoice made from them, whatever that invoice's status (DRAFT and CANCELLED included).";

/** wrangler.toml's REPORTS_PER_USER limit. */
const REPORTS_PER_MINUTE = 10;

export const analyticsRoutes = createRouter();
analyticsRoutes.use("*", requireAuth);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/dashboard",
    tags,
    security: bearerAuth,
    summary: "This month's and year's revenue, what clients owe, quotes, sessions and the next bookings",
    description:
      "Revenue: payments received (by payment date) this calendar month and year, whatever the invoice's status now (a payment " +
      "on an invoice cancelled later still counts). Outstanding: Σ (total − amountPaid) of " +
      "SENT and OVERDUE invoices; overdue: the part of it on OVERDUE invoices or past their due date. Quotes: sent this year " +
      "(whatever their status now: SENT, ACCEPTED, REJECTED or EXPIRED) and how many of those were accepted. Sessions: " +
      "those starting this year, per status. Upcoming bookings: PENDING and CONFIRMED ones from now on.",
    responses: { 200: jsonResponse(DashboardSchema, "The dashboard figures"), 401: problems[401] },
  }),
  async (c) => c.json(await getDashboard(depsOf(c), c.get("auth").sub), 200),
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/revenue",
    tags,
    security: bearerAuth,
    summary: "Money received and invoiced per period, invoices per status",
    description: `${description} ${receivedMeaning} Invoiced: invoice totals by issue date (DRAFT and CANCELLED left out; every status in byStatus).`,
    request: { query: GroupedRangeQuery },
    responses: { 200: jsonResponse(RevenueSchema, "One entry per period"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await getRevenue(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/conversion",
    tags,
    security: bearerAuth,
    summary: "What became of the quotes sent in a range",
    description: `${description} A quote counts as sent in the range by its sent date, whatever its status now; conversionRate is accepted ÷ sent (null when none was sent). ${convertedMeaning}`,
    request: { query: RangeQuery },
    responses: { 200: jsonResponse(ConversionSchema, "The quotes' outcomes"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await getConversion(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/sessions",
    tags,
    security: bearerAuth,
    summary: "Sessions per period (by start) and status",
    description: `${description} Sessions without a start time are not counted.`,
    request: { query: GroupedRangeQuery },
    responses: { 200: jsonResponse(SessionsStatsSchema, "One entry per period"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await getSessionStats(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/report.pdf",
    tags,
    security: bearerAuth,
    summary: "The revenue, conversion and sessions figures of a range as a PDF",
    description: `${description} The figures of /revenue, /conversion and /sessions: ${receivedMeaning} ${convertedMeaning} At most ${REPORTS_PER_MINUTE} reports a minute per user (429 past it).`,
    request: { query: ReportQuery },
    responses: {
      200: { description: "The report", content: { "application/pdf": { schema: { type: "string", format: "binary" } } } },
      400: problems[400],
      401: problems[401],
      429: problems[429],
    },
  }),
  async (c) => {
    const userId = c.get("auth").sub;
    // Every call prints a new PDF on the one browser all users share (PdfRenderer): a user's reports are counted.
    if (!(await c.env.REPORTS_PER_USER.limit({ key: userId })).success) throw rateLimited(`At most ${REPORTS_PER_MINUTE} reports a minute, try again later`);
    const { bytes, filename } = await renderReportPdf(depsOf(c), userId, c.req.valid("query"));
    return new Response(bytes, {
      headers: { "content-type": "application/pdf", "content-disposition": `inline; filename="${filename}"`, "cache-control": "private, no-store" },
    });
  },
);
