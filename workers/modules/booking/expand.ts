// Availability rules → bookable slots, DST-correct. A rule is a window of local wall-clock time in an IANA
// zone (`2026-12-05T09:00`–`12:00`, Europe/Paris), optionally repeating; each occurrence is converted to UTC
// with that day's offset, so a 09:00 Paris slot stays 09:00 Paris across the changes. Pure functions, no I/O:
// the booking service and the public availability route call them. Date arithmetic is Temporal's (polyfill).
import { Temporal } from "temporal-polyfill";

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Recurrence {
  frequency: "DAILY" | "WEEKLY";
  /** Every n days or weeks (default 1). */
  interval?: number;
  /** Last local date an occurrence may start on, inclusive (`YYYY-MM-DD`). */
  until?: string;
  /** WEEKLY only: the days of each repeating week (default: the weekday of `startsAt`). */
  byWeekday?: Weekday[];
}

export interface AvailabilityRule {
  timezone: string;
  /** Local date-times in `timezone`, e.g. `2026-12-05T09:00`; the end may fall on a later date. */
  startsAt: string;
  endsAt: string;
  recurrence?: Recurrence;
  /** Splits each window into consecutive slots of this many minutes (default: one slot per window). */
  slotMinutes?: number;
}

export interface Slot {
  start: Date;
  end: Date;
}

/** Whether the runtime knows this IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    Temporal.Now.zonedDateTimeISO(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant of a local wall-clock time. A time skipped by a spring-forward change moves forward by the gap
 * (02:30 on a 02:00→03:00 day is 03:30); a time that occurs twice in autumn is the first, as RFC 5545 does.
 */
export function localToInstant(local: Temporal.PlainDateTime, timeZone: string): Date {
  return new Date(local.toZonedDateTime(timeZone, { disambiguation: "compatible" }).epochMilliseconds);
}

const weekdayOf = (date: Temporal.PlainDate): Weekday => WEEKDAYS[date.dayOfWeek - 1]!;

/** Local dates on which occurrences start, from the first that can reach `from` up to `lastDate`. */
function* occurrenceDates(rule: AvailabilityRule, first: Temporal.PlainDate, earliest: Temporal.PlainDate, lastDate: Temporal.PlainDate) {
  const interval = rule.recurrence?.interval ?? 1;
  const until = rule.recurrence?.until ? Temporal.PlainDate.from(rule.recurrence.until) : undefined;
  const last = until && Temporal.PlainDate.compare(until, lastDate) < 0 ? until : lastDate;
  if (!rule.recurrence) {
    if (Temporal.PlainDate.compare(first, last) <= 0) yield first;
    return;
  }
  if (rule.recurrence.frequency === "DAILY") {
    // Skip straight to the period containing `earliest` instead of walking from a rule created years ago.
    const skip = Math.max(0, Math.floor(first.until(earliest, { largestUnit: "days" }).days / interval));
    for (let date = first.add({ days: skip * interval }); Temporal.PlainDate.compare(date, last) <= 0; date = date.add({ days: interval })) {
      yield date;
    }
    return;
  }
  const days = new Set(rule.recurrence.byWeekday?.length ? rule.recurrence.byWeekday : [weekdayOf(first)]);
  const firstMonday = first.subtract({ days: first.dayOfWeek - 1 });
  const skip = Math.max(0, Math.floor(firstMonday.until(earliest, { largestUnit: "days" }).days / 7 / interval));
  for (let monday = firstMonday.add({ weeks: skip * interval }); Temporal.PlainDate.compare(monday, last) <= 0; monday = monday.add({ weeks: interval })) {
    for (let i = 0; i < 7; i++) {
      const date = monday.add({ days: i });
      if (Temporal.PlainDate.compare(date, first) < 0 || Temporal.PlainDate.compare(date, last) > 0) continue;
      if (days.has(weekdayOf(date))) yield date;
    }
  }
}

/**
 * Every slot of `rule` that overlaps [from, to), in order. Windows are split by real elapsed minutes from
 * their start; a last piece shorter than `slotMinutes` is not offered.
 */
export function expandSlots(rule: AvailabilityRule, from: Date, to: Date): Slot[] {
  const start = Temporal.PlainDateTime.from(rule.startsAt);
  const end = Temporal.PlainDateTime.from(rule.endsAt);
  const span = start.until(end, { largestUnit: "days" }); // wall-clock length, possibly across midnight
  if (span.sign <= 0) return [];
  const zone = rule.timezone;
  const localOf = (at: Date) => Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(zone).toPlainDate();
  // An occurrence starting up to `span` before `from` can still overlap it; one day of margin covers offsets.
  const earliest = localOf(from).subtract({ days: span.days + 1 });
  const lastDate = localOf(to).add({ days: 1 });
  const slots: Slot[] = [];
  for (const date of occurrenceDates(rule, start.toPlainDate(), earliest, lastDate)) {
    const [windowStart, windowEnd] = windowInstants(rule, date, () => {
      const local = date.toPlainDateTime(start.toPlainTime());
      return [localToInstant(local, zone).getTime(), localToInstant(local.add(span), zone).getTime()];
    });
    // A window inside a spring-forward gap (02:00–03:00 on the change day) has no real length: nothing to offer.
    if (windowEnd <= windowStart) continue;
    const step = (rule.slotMinutes ?? 0) * 60_000 || windowEnd - windowStart;
    for (let t = windowStart; t + step <= windowEnd; t += step) {
      if (t + step > from.getTime() && t < to.getTime()) slots.push({ start: new Date(t), end: new Date(t + step) });
    }
  }
  return slots;
}

/**
 * A bounded cache of a pure function's answers, kept for the isolate's life: a host's rules are expanded again
 * on every request of their page, and converting local times through the zone database is most of an
 * availability answer's CPU. The answer is a function of the key alone, so a kept one is always right.
 */
export function isolateCache<V>(limit = 50_000) {
  const answers = new Map<string, V>();
  return (key: string, compute: () => V): V => {
    const known = answers.get(key);
    if (known !== undefined) return known;
    if (answers.size >= limit) answers.clear();
    const value = compute();
    answers.set(key, value);
    return value;
  };
}

/** Converted windows (start and end instants) of a rule's occurrence on a date. */
const windowCache = isolateCache<readonly [number, number]>();
const windowInstants = (rule: AvailabilityRule, date: Temporal.PlainDate, convert: () => [number, number]) =>
  windowCache(`${rule.timezone}|${rule.startsAt}|${rule.endsAt}|${date.toString()}`, convert);
