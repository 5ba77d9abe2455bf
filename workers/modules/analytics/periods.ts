// Periods in the owner's time zone. Timestamps are stored as UTC milliseconds; a period is a range of local
// dates. SQLite knows no time zones, so a timestamp's local date is computed in SQL from the zone's UTC offset,
// which is constant between two transitions: the few transitions inside the range (about two a year) become a
// CASE over the column. Local text dates (issue_date) need no conversion.
import { sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { Temporal } from "temporal-polyfill";

export const groupings = ["day", "week", "month", "year"] as const;
export type GroupBy = (typeof groupings)[number];

/** An inclusive range of local dates, and the UTC instants it covers: [fromMs, toMs). */
export interface ZonedRange {
  zone: string;
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

export interface Period {
  /** The period's own first day (`YYYY-MM-DD`): the key rows are grouped by. */
  key: string;
  /** The part of the period inside the range, inclusive. */
  start: string;
  end: string;
}

/** A small map that forgets its oldest entry past `size`: for pure functions of a zone and a range or a date,
 *  which the polyfilled Temporal makes costly to recompute on every request. Values `keep` refuses are computed
 *  and not remembered. */
export function memo<T>(size: number, keep: (value: T) => boolean = () => true) {
  const entries = new Map<string, T>();
  return (key: string, compute: () => T): T => {
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (!keep(value)) return value;
    entries.set(key, value);
    if (entries.size > size) entries.delete(entries.keys().next().value!);
    return value;
  };
}

const plainDate = (value: string) => Temporal.PlainDate.from(value, { overflow: "reject" });

/** Epoch milliseconds of the first instant of a local date (DST-safe: a day starting in a gap starts later). */
export const startOfDay = (date: string | Temporal.PlainDate, zone: string): number =>
  (typeof date === "string" ? plainDate(date) : date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;

const rangeCache = memo<ZonedRange>(256);
// Any user can ask for ranges of up to 400 periods: only the short lists (a year by month, a quarter by week, a
// month by day) are remembered, so the cache holds at most 256 × 60 periods, well under a megabyte.
const CACHED_PERIODS_MAX = 60;
const periodsCache = memo<Period[]>(256, (periods) => periods.length <= CACHED_PERIODS_MAX);

export const zonedRange = (zone: string, from: string, to: string): ZonedRange =>
  rangeCache(`${zone}|${from}|${to}`, () => ({ zone, from, to, fromMs: startOfDay(from, zone), toMs: startOfDay(plainDate(to).add({ days: 1 }), zone) }));

export const localToday = (zone: string, now = Date.now()): Temporal.PlainDate =>
  Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(zone).toPlainDate();

/** The first day of the period of `groupBy` that contains `date`. */
export function periodStart(date: Temporal.PlainDate, groupBy: GroupBy): Temporal.PlainDate {
  switch (groupBy) {
    case "day":
      return date;
    case "week":
      return date.subtract({ days: date.dayOfWeek - 1 });
    case "month":
      return date.with({ day: 1 });
    case "year":
      return date.with({ month: 1, day: 1 });
  }
}

const step = { day: { days: 1 }, week: { weeks: 1 }, month: { months: 1 }, year: { years: 1 } } as const;

/** How many periods the range spans (without building them: the caller refuses ranges of too many). */
export function countPeriods(from: string, to: string, groupBy: GroupBy): number {
  const start = periodStart(plainDate(from), groupBy);
  const end = plainDate(to);
  const unit = groupBy === "day" ? "days" : groupBy === "week" ? "weeks" : groupBy === "month" ? "months" : "years";
  return Math.floor(start.until(end, { largestUnit: unit })[unit]) + 1;
}

/** Every period touching [from, to], in order, clipped to the range (shared: never modify the answer). */
export const listPeriods = (from: string, to: string, groupBy: GroupBy): readonly Period[] =>
  periodsCache(`${from}|${to}|${groupBy}`, () => buildPeriods(from, to, groupBy));

function buildPeriods(from: string, to: string, groupBy: GroupBy): Period[] {
  const first = plainDate(from);
  const last = plainDate(to);
  const periods: Period[] = [];
  for (let start = periodStart(first, groupBy); Temporal.PlainDate.compare(start, last) <= 0; start = start.add(step[groupBy])) {
    const end = start.add(step[groupBy]).subtract({ days: 1 });
    const clippedStart = Temporal.PlainDate.compare(start, first) < 0 ? first : start;
    const clippedEnd = Temporal.PlainDate.compare(end, last) > 0 ? last : end;
    periods.push({ key: start.toString(), start: clippedStart.toString(), end: clippedEnd.toString() });
  }
  return periods;
}

type Offsets = { initial: number; changes: { at: number; offset: number }[] };

// Each change binds two parameters in localSeconds' CASE (plus one, and the query's own few): 40 keeps every
// statement under D1's 100 bound parameters. Five years (the longest range) hold about ten changes in any zone.
const MAX_OFFSET_CHANGES = 40;

const offsetsCache = memo<Offsets>(256);

/** The zone's UTC offset at `fromMs` and every change of it before `toMs`. */
const offsets = (zone: string, fromMs: number, toMs: number): Offsets => offsetsCache(`${zone}|${fromMs}|${toMs}`, () => findOffsets(zone, fromMs, toMs));

function findOffsets(zone: string, fromMs: number, toMs: number): Offsets {
  let cursor = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(zone);
  const initial = cursor.offsetNanoseconds / 1e6;
  const changes: Offsets["changes"] = [];
  for (;;) {
    const next = cursor.getTimeZoneTransition("next");
    if (!next || next.epochMilliseconds >= toMs) break;
    if (changes.length === MAX_OFFSET_CHANGES) throw new Error(`${zone} changes its UTC offset more than ${MAX_OFFSET_CHANGES} times in the range`);
    changes.push({ at: next.epochMilliseconds, offset: next.offsetNanoseconds / 1e6 });
    cursor = next;
  }
  return { initial, changes };
}

/** Local time as seconds since the epoch for a UTC millisecond column, valid for instants in [fromMs, toMs). */
export function localSeconds(column: AnySQLiteColumn, range: Pick<ZonedRange, "zone" | "fromMs" | "toMs">): SQL {
  const { initial, changes } = offsets(range.zone, range.fromMs, range.toMs);
  if (changes.length === 0) return sql`(${column} + ${initial}) / 1000`;
  const whens = sql.join(
    changes.map((change, i) => sql`WHEN ${column} < ${change.at} THEN ${i === 0 ? initial : changes[i - 1]!.offset}`),
    sql` `,
  );
  return sql`(${column} + CASE ${whens} ELSE ${changes.at(-1)!.offset} END) / 1000`;
}

/** SQLite date functions' modifiers giving each period's first day. */
const periodFormat: Record<GroupBy, (date: SQL, modifiers: SQL) => SQL> = {
  day: (date, modifiers) => sql`date(${date}${modifiers})`,
  // Back six days, then forward to the next Monday: the Monday on or before the date.
  week: (date, modifiers) => sql`date(${date}${modifiers}, '-6 days', 'weekday 1')`,
  month: (date, modifiers) => sql`strftime('%Y-%m-01', ${date}${modifiers})`,
  year: (date, modifiers) => sql`strftime('%Y-01-01', ${date}${modifiers})`,
};

/** The period key (its first local day) of a UTC millisecond column. */
export const timestampPeriod = (column: AnySQLiteColumn, range: ZonedRange, groupBy: GroupBy): SQL =>
  periodFormat[groupBy](localSeconds(column, range), sql.raw(", 'unixepoch'"));

/** The period key of a local `YYYY-MM-DD` column. */
export const datePeriod = (column: AnySQLiteColumn, groupBy: GroupBy): SQL => periodFormat[groupBy](sql`${column}`, sql.raw(""));
