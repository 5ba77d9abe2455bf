// A studio's figures, computed in D1: each answer is one batch of aggregate queries (plus the owner's row, whose
// time zone decides where days, months and years begin). Money is summed per currency, never across currencies.
import { eq } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Db } from "@shared/db/client";
import { sessionStatuses, users, type User } from "@shared/db/schema";
import { unauthorized } from "@shared/lib/errors";
import type { ServiceDeps } from "../../router";
import { localToday, memo, startOfDay, zonedRange, type GroupBy, type ZonedRange } from "./periods";
import {
  conversionQuery,
  invoicedByPeriodQuery,
  medianAcceptQuery,
  outstandingQuery,
  ownerZoneQuery,
  quotesSentQuery,
  receivedByPeriodQuery,
  receivedSplitQuery,
  sessionsByPeriodQuery,
  sessionsByStatusQuery,
  upcomingCountQuery,
  upcomingNextQuery,
} from "./queries";
import type { Conversion, Dashboard, Revenue, SessionsStats } from "./schemas";
import { ratio, shapeConversion, shapeRevenue, shapeSessions, Tally, zeroByStatus } from "./shape";

const UPCOMING_SHOWN = 5;

export type Owner = { timezone: string; locale: string };

// The owner's zone decides the bounds every query of the batch uses. Remembering it per isolate lets the
// owner's row travel in the same batch as the figures: one D1 round trip. The row read with them tells whether
// the zone assumed was still right; when it changed, the batch runs again with the new one.
const zoneCache = new Map<string, string>();
const ZONE_CACHE_SIZE = 1000;

function rememberZone(ownerId: string, zone: string) {
  zoneCache.delete(ownerId);
  zoneCache.set(ownerId, zone);
  if (zoneCache.size > ZONE_CACHE_SIZE) zoneCache.delete(zoneCache.keys().next().value!);
}

/** Runs `build(zone)` in one batch after the owner's row (`ownerQuery`: its zone and locale by default, the
 *  whole row when the caller needs more of it). */
async function inOwnerZone<T extends [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]>(
  db: Db,
  ownerId: string,
  build: (zone: string) => T,
  ownerQuery: BatchItem<"sqlite"> = ownerZoneQuery(db, ownerId),
): Promise<{ owner: Owner; row: Owner | undefined; results: BatchResponse<T> }> {
  let zone = zoneCache.get(ownerId) ?? "UTC";
  for (let attempt = 1; ; attempt++) {
    const all = (await db.batch([ownerQuery, ...build(zone)] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[];
    const row = (all[0] as Owner[])[0];
    const timezone = row?.timezone ?? "UTC";
    rememberZone(ownerId, timezone);
    // A second mismatch means the zone changed between two reads: answer in the zone these figures used.
    if (timezone === zone || attempt === 2) return { owner: { timezone: zone, locale: row?.locale ?? "en" }, row, results: all.slice(1) as BatchResponse<T> };
    zone = timezone;
  }
}

const QUARTER_HOUR_MS = 900_000;
const boundsCache = memo<ReturnType<typeof computeBounds>>(256);

/**
 * The calendar month and year around `now` in the zone, as UTC instants, and today's date. Every zone's offset
 * is a whole number of quarter hours, so local midnight falls on a quarter hour of UTC: the bounds cannot change
 * within one, and are kept per zone and quarter hour.
 */
export const dashboardBounds = (zone: string, now: number) =>
  boundsCache(`${zone}|${Math.floor(now / QUARTER_HOUR_MS)}`, () => computeBounds(zone, now));

function computeBounds(zone: string, now: number) {
  const today = localToday(zone, now);
  const month = today.with({ day: 1 });
  const year = today.with({ month: 1, day: 1 });
  return {
    today: today.toString(),
    monthMs: startOfDay(month, zone),
    nextMonthMs: startOfDay(month.add({ months: 1 }), zone),
    yearMs: startOfDay(year, zone),
    nextYearMs: startOfDay(year.add({ years: 1 }), zone),
  };
}

export async function getDashboard(deps: ServiceDeps, ownerId: string, now = Date.now()): Promise<Dashboard> {
  const { db } = deps;
  const { owner, results } = await inOwnerZone(db, ownerId, (zone) => {
    const b = dashboardBounds(zone, now);
    return [
      receivedSplitQuery(db, ownerId, b.yearMs, b.nextYearMs, b.monthMs, b.nextMonthMs),
      outstandingQuery(db, ownerId, b.today),
      quotesSentQuery(db, ownerId, b.yearMs, b.nextYearMs),
      sessionsByStatusQuery(db, ownerId, b.yearMs, b.nextYearMs),
      upcomingCountQuery(db, ownerId, now),
      upcomingNextQuery(db, ownerId, now, UPCOMING_SHOWN),
    ];
  });
  const [received, outstanding, quotesSent, sessionRows, upcomingCount, next] = results;
  const thisMonth = new Tally();
  const thisYear = new Tally();
  for (const row of received) {
    thisMonth.add(row.currency, row.recent);
    thisYear.add(row.currency, row.total);
  }
  const owed = new Tally();
  const overdue = new Tally();
  for (const row of outstanding) {
    owed.add(row.currency, row.outstanding);
    overdue.add(row.currency, row.overdue);
  }
  const sessionsByStatus = zeroByStatus(sessionStatuses);
  for (const row of sessionRows) sessionsByStatus[row.status] = row.count;
  const sent = quotesSent[0]?.sent ?? 0;
  const accepted = quotesSent[0]?.accepted ?? 0;
  return {
    timezone: owner.timezone,
    asOf: new Date(now).toISOString(),
    revenue: { thisMonth: thisMonth.list(), thisYear: thisYear.list() },
    outstanding: owed.list(),
    overdue: overdue.list(),
    quotes: { sent, accepted, conversionRate: ratio(accepted, sent) },
    sessionsByStatus,
    upcomingBookings: {
      count: upcomingCount[0]?.count ?? 0,
      next: next.map((b) => ({ id: b.id, startAt: b.startAt.toISOString(), guestName: b.guestName, status: b.status })),
    },
  };
}

export interface RangeInput {
  from: string;
  to: string;
}

/** The queries of one range report, for the routes and for the PDF (which runs all three in one batch). */
const revenueQueries = (db: Db, ownerId: string, range: ZonedRange, groupBy: GroupBy) =>
  [receivedByPeriodQuery(db, ownerId, range, groupBy), invoicedByPeriodQuery(db, ownerId, range, groupBy)] as const;
const conversionQueries = (db: Db, ownerId: string, range: ZonedRange) => [conversionQuery(db, ownerId, range), medianAcceptQuery(db, ownerId, range)] as const;

export async function getRevenue(deps: ServiceDeps, ownerId: string, input: RangeInput & { groupBy: GroupBy }): Promise<Revenue> {
  let range!: ZonedRange;
  const { results } = await inOwnerZone(deps.db, ownerId, (zone) => {
    range = zonedRange(zone, input.from, input.to);
    return [...revenueQueries(deps.db, ownerId, range, input.groupBy)];
  });
  return shapeRevenue(range, input.groupBy, results);
}

export async function getConversion(deps: ServiceDeps, ownerId: string, input: RangeInput): Promise<Conversion> {
  let range!: ZonedRange;
  const { results } = await inOwnerZone(deps.db, ownerId, (zone) => {
    range = zonedRange(zone, input.from, input.to);
    return [...conversionQueries(deps.db, ownerId, range)];
  });
  return shapeConversion(range, results);
}

export async function getSessionStats(deps: ServiceDeps, ownerId: string, input: RangeInput & { groupBy: GroupBy }): Promise<SessionsStats> {
  let range!: ZonedRange;
  const { results } = await inOwnerZone(deps.db, ownerId, (zone) => {
    range = zonedRange(zone, input.from, input.to);
    return [sessionsByPeriodQuery(deps.db, ownerId, range, input.groupBy)];
  });
  return shapeSessions(range, input.groupBy, results[0]);
}

export interface ReportData {
  owner: Owner;
  /** The full row, for the report's letterhead. */
  user: User;
  revenue: Revenue;
  conversion: Conversion;
  sessions: SessionsStats;
}

/** Everything the PDF report shows, in one batch. */
export async function getReportData(deps: ServiceDeps, ownerId: string, input: RangeInput & { groupBy: GroupBy }): Promise<ReportData> {
  let range!: ZonedRange;
  const { owner, row, results } = await inOwnerZone(
    deps.db,
    ownerId,
    (zone) => {
      range = zonedRange(zone, input.from, input.to);
      return [
        ...revenueQueries(deps.db, ownerId, range, input.groupBy),
        ...conversionQueries(deps.db, ownerId, range),
        sessionsByPeriodQuery(deps.db, ownerId, range, input.groupBy),
      ];
    },
    deps.db.select().from(users).where(eq(users.id, ownerId)).limit(1),
  );
  // The access token outlives a deleted account by its few minutes: as GET /api/users/me answers then.
  if (!row) throw unauthorized("The account of this token no longer exists");
  const [received, invoiced, conversion, middle, sessionRows] = results;
  return {
    owner,
    user: row as User,
    revenue: shapeRevenue(range, input.groupBy, [received, invoiced]),
    conversion: shapeConversion(range, [conversion, middle]),
    sessions: shapeSessions(range, input.groupBy, sessionRows),
  };
}
