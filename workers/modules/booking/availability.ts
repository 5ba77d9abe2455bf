// What a host offers between two instants: their rules expanded into slots, date exceptions applied, then every
// exclusion of the issue: past and minimum notice, maximum advance, active bookings with their buffers, days at
// the daily limit, other guests' holds, and busy times from Google Calendar. One D1 batch reads everything the
// range needs; the rest is arithmetic on sorted intervals. The BookingLock checks a requested start with this
// very function, so the page and the lock can never disagree about what is offered.
import { and, asc, eq, gt, gte, inArray, lt, lte } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { availabilityExceptions, availabilitySlots, bookingHolds, bookings, type AvailabilityException } from "@shared/db/schema";
import { validationFailed } from "@shared/lib/errors";
import type { ServiceDeps } from "../../router";
import { busyConnectionQuery, getBusyIntervals } from "../calendar/busy";
import { expandSlots, isolateCache, isTimeZone, type AvailabilityRule, type Slot } from "./expand";
import type { Host } from "./hosts";
import { ACTIVE } from "./schemas";

const MINUTE = 60_000;
/** Most candidate slots one request expands (a 62-day month view of 15-minute slots over 12 hours is ~3,000). */
export const MAX_CANDIDATE_SLOTS = 20_000;
const DAY = 24 * 60 * MINUTE;

export type AvailabilityDeps = Pick<ServiceDeps, "env" | "db" | "config">;

export interface OpenSlotOptions {
  now?: Date;
  /** The guest's own hold (SHA-256 of its token) does not block them. */
  holdTokenHash?: string;
  /** A booking being moved does not block its own new time. */
  ignoreBookingId?: string;
  /** Google busy times from the cache only (inside the lock; `warmBusyTimes` refreshed it just before). */
  cachedBusy?: boolean;
}

/**
 * Refreshes the host's Google busy times around `start` if they are stale, before a write enters the lock,
 * so the lock itself never waits on Google (a slow Google would otherwise stall every booking of the host).
 */
export async function warmBusyTimes(deps: AvailabilityDeps, hostId: string, start: Date): Promise<void> {
  await getBusyIntervals(deps, hostId, { from: new Date(start.getTime() - 2 * DAY), to: new Date(start.getTime() + 3 * DAY) });
}

export const hostZone = (host: Pick<Host, "timezone">) => (isTimeZone(host.timezone) ? host.timezone : "UTC");

/** GET /api/public/booking/:userId/availability: the range is checked, then `openSlots`. */
export async function getPublicAvailability(deps: AvailabilityDeps, host: Host, range: { from: Date; to: Date }) {
  if (range.to.getTime() <= range.from.getTime()) throw validationFailed([{ path: "query.to", message: "must be after from" }]);
  const maxDays = deps.config.booking.maxRangeDays;
  if (range.to.getTime() - range.from.getTime() > maxDays * DAY) {
    throw validationFailed([{ path: "query.to", message: `must be at most ${maxDays} days after from` }]);
  }
  return { timezone: hostZone(host), slots: await openSlots(deps, host, range) };
}

/** Slots starting in [from, to) that a guest may book now. */
export async function openSlots(deps: AvailabilityDeps, host: Host, range: { from: Date; to: Date }, options: OpenSlotOptions = {}): Promise<Slot[]> {
  const now = (options.now ?? new Date()).getTime();
  const { settings } = host;
  const from = Math.max(range.from.getTime(), now + settings.minNoticeMinutes * MINUTE);
  const to = Math.min(range.to.getTime(), now + settings.maxAdvanceDays * DAY + 1);
  if (from >= to) return [];

  const zone = hostZone(host);
  const days = localDays(zone, from, to);
  // Bookings and holds of every local day the range touches (the daily limit counts whole days), with a day
  // of margin on both sides for buffers and windows crossing midnight.
  const loadFrom = new Date(days.starts[0]! - DAY);
  const loadTo = new Date(days.starts.at(-1)! + 2 * DAY);
  const [rules, exceptions, booked, holds, connection] = await deps.db.batch([
    ...availabilityQueries(deps.db, host.id, { from, to, loadFrom, loadTo, now }),
    busyConnectionQuery(deps.db, host.id),
  ]);

  const candidates = candidateSlots(
    rules.map((r) => ({ timezone: r.timezone, startsAt: r.startsAt, endsAt: r.endsAt, recurrence: r.recurrence ?? undefined, slotMinutes: r.slotMinutes ?? undefined })),
    exceptions,
    new Date(from),
    new Date(to),
  ).filter((slot) => slot.start.getTime() >= from && slot.start.getTime() < to);
  if (candidates.length === 0) return [];

  const active = booked.filter((b) => b.id !== options.ignoreBookingId);
  const others = holds.filter((h) => h.tokenHash !== options.holdTokenHash);
  const buffer = settings.bufferMinutes * MINUTE;
  const busy = await getBusyIntervals(deps, host.id, { from: loadFrom, to: loadTo }, { cachedOnly: options.cachedBusy ?? false, connection });
  const blocked = mergeIntervals([
    ...active.map((b) => [b.startAt.getTime() - buffer, b.endAt.getTime() + buffer] as const),
    // A held slot is as good as booked for everyone else: its buffer applies and it counts toward the day.
    ...others.map((h) => [h.startAt.getTime() - buffer, h.endAt.getTime() + buffer] as const),
    ...busy.map((b) => [b.start, b.end] as const),
  ]);
  const fullDays = settings.dailyLimit ? daysAtLimit(days, [...active, ...others], settings.dailyLimit) : new Set<number>();

  const open: Slot[] = [];
  let i = 0;
  for (const slot of candidates) {
    const start = slot.start.getTime();
    const end = slot.end.getTime();
    while (i < blocked.length && blocked[i]![1] <= start) i++;
    if (i < blocked.length && blocked[i]![0] < end) continue;
    if (fullDays.size > 0 && fullDays.has(dayIndex(days, start))) continue;
    open.push(slot);
  }
  return open;
}

/** What one availability answer reads, as one batch: rules, exceptions, active bookings and live holds. */
export function availabilityQueries(db: AvailabilityDeps["db"], hostId: string, at: { from: number; to: number; loadFrom: Date; loadTo: Date; now: number }) {
  return [
    db.select().from(availabilitySlots).where(eq(availabilitySlots.ownerId, hostId)),
    db
      .select()
      .from(availabilityExceptions)
      .where(and(eq(availabilityExceptions.ownerId, hostId), gte(availabilityExceptions.date, isoDate(at.from - DAY)), lte(availabilityExceptions.date, isoDate(at.to + DAY)))),
    db
      .select({ id: bookings.id, startAt: bookings.startAt, endAt: bookings.endAt })
      .from(bookings)
      .where(and(eq(bookings.ownerId, hostId), gte(bookings.startAt, at.loadFrom), lt(bookings.startAt, at.loadTo), inArray(bookings.status, [...ACTIVE])))
      .orderBy(asc(bookings.startAt)),
    db
      .select({ startAt: bookingHolds.startAt, endAt: bookingHolds.endAt, tokenHash: bookingHolds.tokenHash })
      .from(bookingHolds)
      .where(and(eq(bookingHolds.hostId, hostId), gte(bookingHolds.startAt, at.loadFrom), lt(bookingHolds.startAt, at.loadTo), gt(bookingHolds.expiresAt, new Date(at.now)))),
  ] as const;
}

/** Every rule's slots over [from, to), sorted by start, one per start; exception dates replaced. */
export function candidateSlots(rules: AvailabilityRule[], exceptions: AvailabilityException[], from: Date, to: Date): Slot[] {
  const exceptionDays = exceptions.map((e) => {
    const start = Temporal.PlainDate.from(e.date).toZonedDateTime({ timeZone: e.timezone }).epochMilliseconds;
    const next = Temporal.PlainDate.from(e.date).add({ days: 1 }).toZonedDateTime({ timeZone: e.timezone }).epochMilliseconds;
    return { start, next, exception: e };
  });
  const excluded = (slot: Slot) => exceptionDays.some((d) => slot.start.getTime() >= d.start && slot.start.getTime() < d.next);
  const slots: Slot[] = [];
  const add = (more: Slot[]) => {
    slots.push(...more);
    // Rules with tiny slots over a long range could cost more CPU than a request may use: refuse, clearly.
    if (slots.length > MAX_CANDIDATE_SLOTS) {
      throw validationFailed([{ path: "query.to", message: `this range holds more than ${MAX_CANDIDATE_SLOTS} slots: ask for a shorter one` }]);
    }
  };
  for (const rule of rules) add(expandSlots(rule, from, to).filter((slot) => !excluded(slot)));
  for (const { exception } of exceptionDays) {
    if (exception.kind !== "HOURS") continue;
    for (const window of exception.windows ?? []) {
      const end = window.end === "00:00" ? `${Temporal.PlainDate.from(exception.date).add({ days: 1 })}T00:00` : `${exception.date}T${window.end}`;
      const rule = { timezone: exception.timezone, startsAt: `${exception.date}T${window.start}`, endsAt: end, slotMinutes: exception.slotMinutes ?? undefined };
      add(expandSlots(rule, from, to));
    }
  }
  slots.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
  return slots.filter((slot, index) => index === 0 || slot.start.getTime() !== slots[index - 1]!.start.getTime());
}

/** Sorted, non-overlapping union of [start, end) intervals. */
function mergeIntervals(intervals: (readonly [number, number])[]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

interface LocalDays {
  /** Instant at which each local date of the range starts, ascending, plus the start of the day after. */
  starts: number[];
}

/** The host's local days covering [from, to): their starting instants (DST days are 23 or 25 hours). */
function localDays(zone: string, from: number, to: number): LocalDays {
  const toDate = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
  const starts: number[] = [];
  for (let date = toDate(from); ; date = date.add({ days: 1 })) {
    const start = startOfDay(zone, date);
    starts.push(start);
    if (start >= to) break;
  }
  return { starts };
}

/** When a local date starts in a zone (cached like expand.ts's windows). */
const dayStartCache = isolateCache<number>();
const startOfDay = (zone: string, date: Temporal.PlainDate) =>
  dayStartCache(`${zone}|${date.toString()}`, () => date.toZonedDateTime({ timeZone: zone }).epochMilliseconds);

/** Index of the local day containing `at`, or -1 outside the range. */
function dayIndex(days: LocalDays, at: number): number {
  let lo = 0;
  let hi = days.starts.length - 1;
  if (at < days.starts[0]! || at >= days.starts[hi]!) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (days.starts[mid]! <= at) lo = mid;
    else hi = mid;
  }
  return lo;
}

function daysAtLimit(days: LocalDays, active: { startAt: Date }[], limit: number): Set<number> {
  const counts = new Map<number, number>();
  for (const b of active) {
    const index = dayIndex(days, b.startAt.getTime());
    if (index >= 0) counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= limit).map(([index]) => index));
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
