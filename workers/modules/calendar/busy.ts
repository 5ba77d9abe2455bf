// Busy times from the host's Google Calendar for public availability: read through free/busy, reused for
// CALENDAR_BUSY_CACHE_SECONDS from calendar_connections.busy_cache, and never a reason for a guest's page to fail.
import { eq, sql } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { calendarConnections } from "@shared/db/schema";
import { CalendarRevokedError, openGoogleCalendar, type CalendarDeps } from "./google-calendar";

/**
 * What busy_cache holds: the window read from Google and its busy intervals, plus `remembered` intervals
 * `[start, end, rememberedAt]` of events Lightbox itself just created. Free/busy may not show a new event for a
 * while, so those outlive refreshes of the window until Google has long caught up.
 */
interface BusyCache {
  from: number;
  to: number;
  busy: [number, number][];
  remembered?: [number, number, number][];
}

const DAY_MS = 86_400_000;
const REMEMBER_MS = 15 * 60_000;
/** A guest's page waits this long at most for Google. */
const FREEBUSY_TIMEOUT_MS = 5_000;

const log = (msg: string, fields: Record<string, unknown>) => console.error(JSON.stringify({ level: "warn", msg, ...fields }));

/**
 * The window actually read for a request: whole UTC days around it, a day wider on each side for time zones,
 * and at least as long as the longest availability range, so the month view and the next booking's check of
 * the same host are answered from the cache.
 */
function fetchWindow(from: number, to: number, maxRangeDays: number): { from: number; to: number } {
  const start = Math.floor(from / DAY_MS) * DAY_MS - DAY_MS;
  const end = Math.max(Math.ceil(to / DAY_MS) * DAY_MS, start + maxRangeDays * DAY_MS) + DAY_MS;
  return { from: start, to: end };
}

function intervalsIn(cache: BusyCache, from: number, to: number, now: number): { start: number; end: number }[] {
  const remembered = (cache.remembered ?? []).filter(([, , at]) => at > now - REMEMBER_MS).map(([start, end]) => [start, end] as [number, number]);
  return [...cache.busy, ...remembered]
    .filter(([start, end]) => start < to && end > from)
    .sort((a, b) => a[0] - b[0])
    .map(([start, end]) => ({ start, end }));
}

/** What getBusyIntervals needs of the host's connection: callers may put it in a batch of their own. */
export function busyConnectionQuery(db: Db, hostId: string) {
  return db
    .select({ status: calendarConnections.status, busyCache: calendarConnections.busyCache, busyFetchedAt: calendarConnections.busyFetchedAt })
    .from(calendarConnections)
    .where(eq(calendarConnections.userId, hostId))
    .limit(1);
}
export type BusyConnection = Awaited<ReturnType<typeof busyConnectionQuery>>[number];

/**
 * Busy intervals (epoch ms) of the host's Google Calendar overlapping the range: none unless the connection is
 * ACTIVE (not while PENDING its owner's confirmation, nor once REVOKED). When Google fails, the last known busy times (however old) answer,
 * or none: a guest can still book, and the booking itself is then a D1 row the availability respects anyway.
 */
export async function getBusyIntervals(
  deps: CalendarDeps,
  hostId: string,
  range: { from: Date; to: Date },
  options: {
    /** Inside a host's BookingLock: answer from the cache however old, never wait on Google while holding it. */
    cachedOnly?: boolean;
    /** The rows of `busyConnectionQuery`, when the caller read them in its own batch (one D1 round trip less). */
    connection?: BusyConnection[];
  } = {},
): Promise<{ start: number; end: number }[]> {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const [row] = options.connection ?? (await busyConnectionQuery(deps.db, hostId));
  if (!row || row.status !== "ACTIVE") return [];
  const cache = row.busyCache as BusyCache | null;
  const now = Date.now();
  const fresh = row.busyFetchedAt !== null && now - row.busyFetchedAt.getTime() < deps.config.google.calendarBusyCacheSeconds * 1000;
  if (cache && fresh && cache.from <= from && cache.to >= to) return intervalsIn(cache, from, to, now);
  if (options.cachedOnly) return cache ? intervalsIn(cache, from, to, now) : [];

  const window = fetchWindow(from, to, deps.config.booking.maxRangeDays);
  try {
    const calendar = await openGoogleCalendar(deps, hostId);
    if (!calendar) return [];
    const busy = await calendar.freeBusy(new Date(window.from), new Date(window.to), FREEBUSY_TIMEOUT_MS);
    const stored = await storeBusy(deps.db, hostId, { ...window, busy }, now);
    return intervalsIn(stored ?? { ...window, busy }, from, to, now);
  } catch (error) {
    if (error instanceof CalendarRevokedError) return [];
    log("calendar busy times unavailable", { hostId, stale: cache !== null, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return cache ? intervalsIn(cache, from, to, now) : [];
  }
}

/**
 * Replaces the window in one statement that keeps the recently remembered intervals, including one added
 * while Google was being asked. Answers what is stored (null when the connection went away meanwhile).
 */
async function storeBusy(db: Db, hostId: string, window: BusyCache, now: number): Promise<BusyCache | null> {
  const [row] = await db.all<{ cache: string }>(sql`
    UPDATE calendar_connections SET
      busy_cache = json_set(${JSON.stringify(window)}, '$.remembered', json((
        SELECT json_group_array(json(value)) FROM json_each(calendar_connections.busy_cache, '$.remembered')
        WHERE json_extract(value, '$[2]') > ${now - REMEMBER_MS}))),
      busy_fetched_at = ${now}
    WHERE user_id = ${hostId} AND status = 'ACTIVE'
    RETURNING busy_cache AS cache`);
  return row ? (JSON.parse(row.cache) as BusyCache) : null;
}

/**
 * Marks an interval busy right away: called once the host's calendar has an event Lightbox just created, so
 * availability respects it before Google's free/busy does. No effect without an active connection.
 */
export async function rememberBusy(deps: CalendarDeps, hostId: string, interval: { start: Date; end: Date }): Promise<void> {
  const entry = JSON.stringify([interval.start.getTime(), interval.end.getTime(), Date.now()]);
  await deps.db.run(sql`
    UPDATE calendar_connections SET busy_cache = json_set(
      coalesce(busy_cache, '{"from":0,"to":0,"busy":[]}'), '$.remembered',
      json_insert(coalesce(json_extract(busy_cache, '$.remembered'), json('[]')), '$[#]', json(${entry})))
    WHERE user_id = ${hostId} AND status = 'ACTIVE'`);
}

/**
 * The opposite, once Lightbox deleted its event: the interval stops counting as busy right away instead of
 * when the cached window is next read. Only exact matches go (Google merges adjacent busy times).
 */
export async function forgetBusy(deps: CalendarDeps, hostId: string, interval: { start: Date; end: Date }): Promise<void> {
  const start = interval.start.getTime();
  const end = interval.end.getTime();
  const without = (path: string) => sql`json((
    SELECT json_group_array(json(value)) FROM json_each(calendar_connections.busy_cache, ${path})
    WHERE NOT (json_extract(value, '$[0]') = ${start} AND json_extract(value, '$[1]') = ${end})))`;
  await deps.db.run(sql`
    UPDATE calendar_connections SET busy_cache = json_set(busy_cache, '$.busy', ${without("$.busy")}, '$.remembered', ${without("$.remembered")})
    WHERE user_id = ${hostId} AND busy_cache IS NOT NULL`);
}
