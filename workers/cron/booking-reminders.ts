import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { getConfig } from "@shared/config";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { bookings } from "@shared/db/schema";
import { enqueueJob } from "../jobs/enqueue";
import { guestZone, hostPublicName, partiesQuery } from "../modules/booking/parties";
import { notify } from "../modules/notifications/service";
import { bookingReminderEmail, formatBookingTime } from "../templates/emails/booking";
import type { CronContext } from "./index";

/** A reminder goes out once a confirmed booking starts within this long. */
export const REMINDER_LEAD_MS = 24 * 60 * 60 * 1000;
/** Bookings reminded per run, earliest first; more wait for the next run, fifteen minutes later. */
export const REMINDER_BATCH = 200;
/** Statements per audited batch. */
const MARK_CHUNK = 50;

export const reminderKey = (bookingId: string, startAt: Date) => `booking-reminder:${bookingId}:${startAt.getTime()}`;

/**
 * Confirmed bookings starting in (now, now + 24 h] whose reminder is not yet sent for their current start: a
 * range of the partial bookings_reminder_idx. A reschedule changes start_at, so the old reminder no longer counts.
 */
export const dueRemindersQuery = (db: Db, now: Date) =>
  partiesQuery(db)
    .where(
      and(
        // A literal, not a bound value: SQLite uses a partial index only when the query states its condition.
        sql`${bookings.status} = 'CONFIRMED'`,
        gt(bookings.startAt, now),
        lte(bookings.startAt, new Date(now.getTime() + REMINDER_LEAD_MS)),
        sql`${bookings.reminderSentFor} IS NOT ${bookings.startAt}`,
      ),
    )
    .orderBy(asc(bookings.startAt))
    .limit(REMINDER_BATCH);

/**
 * Sends each due reminder and then records the start it was sent for. Exactly once even when runs overlap:
 * the email job's key names the booking and its start, so a second enqueue of it never sends, and a run that
 * dies between sending and recording is repeated by the next one under the same key.
 */
export async function sendBookingReminders({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const config = getConfig(env);
  const due = await dueRemindersQuery(db, now);
  const outcomes = await Promise.allSettled(
    due.map(async (parties) => {
      const { booking, host, page } = parties;
      const key = reminderKey(booking.id, booking.startAt);
      const email = bookingReminderEmail({
        guestName: booking.guestName,
        hostName: hostPublicName(host),
        title: page?.title ?? null,
        when: formatBookingTime(booking.startAt, booking.endAt, guestZone(parties)),
      });
      await enqueueJob(env.JOBS, "email.send", key, { to: booking.guestEmail, ...email, replyTo: host.email });
      await notify({ env, db, config }, host.id, {
        type: "BOOKING_REMINDER",
        title: `Coming up: ${booking.guestName}`,
        body: formatBookingTime(booking.startAt, booking.endAt, host.timezone),
        data: { bookingId: booking.id, start: booking.startAt.toISOString() },
        key,
      });
    }),
  );
  const sent = due.filter((_, i) => outcomes[i]!.status === "fulfilled").map((parties) => parties.booking);
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "rejected") {
      console.error(JSON.stringify({ level: "error", msg: "booking reminder not sent", bookingId: due[i]!.booking.id, error: String(outcome.reason) }));
    }
  });

  // Only the start reminded about: a booking moved meanwhile keeps its reminder due for the new start.
  for (let i = 0; i < sent.length; i += MARK_CHUNK) {
    const marks = sent
      .slice(i, i + MARK_CHUNK)
      .map((booking) => db.update(bookings).set({ reminderSentFor: booking.startAt }).where(and(eq(bookings.id, booking.id), eq(bookings.startAt, booking.startAt))));
    await auditedBatch(db, systemActor("cron:booking-reminders"), marks as [(typeof marks)[0], ...typeof marks]);
  }
  return { bookingRemindersSent: sent.length, bookingRemindersFailed: due.length - sent.length };
}
