// The `calendar.sync` job: the host's Google Calendar follows each booking. Every run reconciles the event with
// the booking as it is now (not as it was when the job was enqueued), so jobs for one booking may run in any
// order, twice, or at the same time, and the calendar still ends up matching the last state.
import { eq } from "drizzle-orm";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { bookings, type Booking } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { enqueueJob } from "../../jobs/enqueue";
import { forgetBusy, rememberBusy } from "./busy";
import { CalendarRevokedError, openGoogleCalendar, type CalendarDeps, type CalendarEvent, type GoogleCalendar } from "./google-calendar";

/** After this many rounds of "the booking changed while its event was written", the job retries later instead. */
const ROUNDS = 3;
const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

export const calendarSyncKey = (bookingId: string, sequence: number) => `calendar:${bookingId}:${sequence}`;

/** Queues the reconciliation of this booking's calendar event; `sequence` is the booking's after the change. */
export async function enqueueCalendarSync(env: Env, bookingId: string, sequence: number): Promise<void> {
  await enqueueJob(env.JOBS, "calendar.sync", calendarSyncKey(bookingId, sequence), { bookingId });
}

/**
 * The event id Lightbox chooses for a booking, so that an insert retried after a lost answer meets the first
 * one (409) instead of adding a twin. Google allows base32hex characters (a-v, 0-9), 5 to 1024 of them.
 */
export function calendarEventId(bookingId: string): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of new TextEncoder().encode(bookingId)) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

const isActive = (booking: Booking) => booking.status === "PENDING" || booking.status === "CONFIRMED";
const version = (booking: Booking) => `${booking.status}|${booking.startAt.getTime()}|${booking.endAt.getTime()}|${booking.sequence}`;

function describe(booking: Booking): string {
  const contact = [booking.guestEmail, booking.guestPhone].filter(Boolean).join(", ");
  const lines = [`Booked on your Lightbox booking page by ${booking.guestName} (${contact}).`];
  if (booking.message) lines.push("", `Their message:`, booking.message);
  return lines.join("\n");
}

function eventFor(booking: Booking): CalendarEvent {
  return {
    id: calendarEventId(booking.id),
    summary: `[MEETING] ${booking.guestName}`,
    description: describe(booking),
    start: { dateTime: booking.startAt.toISOString() },
    end: { dateTime: booking.endAt.toISOString() },
    // A booking awaiting the host's confirmation shows as tentative.
    status: booking.status === "PENDING" ? "tentative" : "confirmed",
    attendees: [{ email: booking.guestEmail, displayName: booking.guestName }],
    conferenceData: { createRequest: { requestId: booking.id, conferenceSolutionKey: { type: "hangoutsMeet" } } },
    extendedProperties: { private: { lightboxBookingId: booking.id } },
  };
}

async function loadBooking(db: Db, bookingId: string): Promise<Booking | undefined> {
  const [booking] = await db.select().from(bookings).where(eq(bookings.id, bookingId)).limit(1);
  return booking;
}

/** bookings is audited: the job is the actor of this write. */
async function storeEventId(db: Db, bookingId: string, eventId: string | null, jobKey: string): Promise<void> {
  await auditedBatch(db, systemActor(jobKey), [db.update(bookings).set({ googleEventId: eventId }).where(eq(bookings.id, bookingId))]);
}

/** One pass: make the calendar show this state of the booking. */
async function reconcile(deps: CalendarDeps, calendar: GoogleCalendar, booking: Booking, jobKey: string): Promise<void> {
  // Also without a stored id: an insert whose answer was lost may have left an event under the chosen id.
  const eventId = booking.googleEventId ?? calendarEventId(booking.id);
  if (!isActive(booking)) {
    await calendar.deleteEvent(eventId);
    await forgetBusy(deps, booking.ownerId, { start: booking.startAt, end: booking.endAt });
    if (booking.googleEventId) await storeEventId(deps.db, booking.id, null, jobKey);
    return;
  }
  const event = { ...eventFor(booking), id: eventId };
  const move = { start: event.start, end: event.end, status: event.status };
  const moved = booking.googleEventId ? await calendar.patchEvent(eventId, move) : "gone";
  if (moved === "gone") {
    const inserted = await calendar.insertEvent(event);
    // The id is taken: an earlier attempt created the event, perhaps at the booking's previous times.
    if (inserted === "exists" && (await calendar.patchEvent(eventId, move)) === "gone") {
      throw new Error(`event ${eventId} of booking ${booking.id} is neither in the calendar nor insertable`);
    }
    if (inserted === "created") await rememberBusy(deps, booking.ownerId, { start: booking.startAt, end: booking.endAt });
  }
  if (booking.googleEventId !== eventId) await storeEventId(deps.db, booking.id, eventId, jobKey);
}

/**
 * The job handler. Without an active connection there is nothing to do; a grant Google revokes meanwhile ends
 * the job too (the host was told, and retrying cannot help). If the booking changed while its event was being
 * written, the new state is reconciled as well, so a job that read an older state never has the last word.
 */
export async function syncBookingCalendar(deps: CalendarDeps, bookingId: string, jobKey: string): Promise<void> {
  let booking = await loadBooking(deps.db, bookingId);
  for (let round = 0; booking && round < ROUNDS; round++) {
    const calendar = await openGoogleCalendar(deps, booking.ownerId);
    if (!calendar) return;
    try {
      await reconcile(deps, calendar, booking, jobKey);
    } catch (error) {
      if (error instanceof CalendarRevokedError) return;
      throw error;
    }
    const now = await loadBooking(deps.db, bookingId);
    if (!now || version(now) === version(booking)) return;
    booking = now;
  }
  if (booking) throw new Error(`booking ${bookingId} kept changing while its calendar event was written`);
}
