// Dates as the guest sees them: which zone the page shows, which four weeks of days, and how an instant
// reads in that zone and the guest's language. Pure functions over Temporal and Intl, no I/O.
import { Temporal } from "temporal-polyfill";
import { isTimeZone } from "../expand";

/** Days shown per page of the day list. */
export const PAGE_DAYS = 28;

/**
 * The zone the page shows times in: the guest's when it names a real IANA zone, else the host's. A bad
 * `?tz=` is a typo or an old link, so it falls back quietly instead of failing the page.
 */
export function displayZone(requested: string | undefined, hostZone: string): string {
  for (const zone of [requested, hostZone]) {
    if (zone && zone.length <= 64 && isTimeZone(zone)) {
      // "europe/paris" works but reads badly: show and link the canonical spelling.
      return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    }
  }
  return "UTC";
}

/** A `YYYY-MM-DD` query value as a date, or undefined when it is not a real one. */
export function parseDate(value: string | undefined): Temporal.PlainDate | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  try {
    return Temporal.PlainDate.from(value, { overflow: "reject" });
  } catch {
    return undefined;
  }
}

const startOfDay = (date: Temporal.PlainDate, zone: string) => new Date(date.toZonedDateTime({ timeZone: zone }).epochMilliseconds);

export const localDate = (at: Date, zone: string): Temporal.PlainDate =>
  Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(zone).toPlainDate();

export interface DayWindow {
  /** First day of this page of days. */
  from: Temporal.PlainDate;
  /** What to ask the availability for: from now (or the page's first midnight) to the page's end. */
  range: { from: Date; to: Date };
  /** First day of the previous and next pages, when there is anything to see there. */
  earlier: Temporal.PlainDate | null;
  later: Temporal.PlainDate | null;
}

/**
 * The page of days to show. Without `from`, the page starts today, or on `date` when that lies beyond the
 * first page (a link to a day weeks ahead). Pages never start before today nor after the host's horizon.
 */
export function dayWindow(zone: string, now: Date, maxAdvanceDays: number, wanted: { from?: Temporal.PlainDate; date?: Temporal.PlainDate }): DayWindow {
  const today = localDate(now, zone);
  // The host counts maxAdvanceDays in their own zone: one day of margin covers any zone difference.
  const horizon = today.add({ days: maxAdvanceDays + 1 });
  const firstPageEnd = today.add({ days: PAGE_DAYS });
  let from = wanted.from ?? (wanted.date && Temporal.PlainDate.compare(wanted.date, firstPageEnd) >= 0 ? wanted.date : today);
  if (Temporal.PlainDate.compare(from, today) < 0) from = today;
  if (Temporal.PlainDate.compare(from, horizon) > 0) from = horizon;
  const end = from.add({ days: PAGE_DAYS });
  const pageStart = startOfDay(from, zone);
  return {
    from,
    range: { from: pageStart.getTime() < now.getTime() ? now : pageStart, to: startOfDay(end, zone) },
    earlier: Temporal.PlainDate.compare(from, today) > 0 ? maxDate(today, from.subtract({ days: PAGE_DAYS })) : null,
    later: Temporal.PlainDate.compare(end, horizon) <= 0 ? end : null,
  };
}

const maxDate = (a: Temporal.PlainDate, b: Temporal.PlainDate) => (Temporal.PlainDate.compare(a, b) >= 0 ? a : b);

export interface Slot {
  start: Date;
  end: Date;
}

export interface Day {
  date: string;
  slots: Slot[];
}

/** Slots grouped by the guest's local date, in order. */
export function groupByDay(slots: Slot[], zone: string): Day[] {
  const days = new Map<string, Slot[]>();
  for (const slot of slots) {
    const key = localDate(slot.start, zone).toString();
    const list = days.get(key);
    if (list) list.push(slot);
    else days.set(key, [slot]);
  }
  return [...days].map(([date, list]) => ({ date, slots: list }));
}

/**
 * The guest's language for dates and times, from Accept-Language when the runtime knows it: the page's words
 * stay English, but "14:00" or "2:00 PM" follows the reader's habit.
 */
export function pickLocale(acceptLanguage: string | undefined): string {
  const wanted = (acceptLanguage ?? "")
    .split(",")
    .slice(0, 8)
    .map((part) => {
      const [tag = "", q] = part.trim().split(";q=");
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) || 0 };
    })
    .filter((entry) => entry.tag && entry.tag !== "*" && entry.q > 0 && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(entry.tag))
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(wanted)[0] ?? "en-GB";
  } catch {
    return "en-GB";
  }
}

/** Formatters for one page: the zone and locale are fixed, so each is built once. */
export function formatters(zone: string, locale: string) {
  const time = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "numeric", minute: "2-digit" });
  const dayLong = new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const dayShort = new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" });
  // A plain date is formatted at its UTC noon, so no zone can move it to another day.
  const atNoon = (date: string) => new Date(`${date}T12:00:00Z`);
  return {
    zone,
    time: (at: Date) => time.format(at),
    range: (slot: Slot) => time.formatRange(slot.start, slot.end),
    day: (date: string) => dayLong.format(atNoon(date)),
    dayShort: (date: string) => dayShort.format(atNoon(date)),
    dayOf: (at: Date) => localDate(at, zone).toString(),
  };
}
export type Formatters = ReturnType<typeof formatters>;
