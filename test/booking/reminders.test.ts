import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { systemActor } from "@shared/db/audited";
import { bookings, notifications, type Booking } from "@shared/db/schema";
import worker from "../../workers/index";
import { dueRemindersQuery, reminderKey, sendBookingReminders } from "../../workers/cron/booking-reminders";
import { changeBooking, db, hostActor, mailsAfterJobs, newBooking, newHost, plain } from "./announce-helpers";
import { planOf } from "../support/query-plan";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Quarter-hour aligned, as the schedule fires. */
const NOW = Math.ceil(Date.now() / (15 * MINUTE)) * 15 * MINUTE;
const at = (offsetMs: number, from = NOW) => new Date(from + offsetMs);

/** One firing of the quarter-hourly schedule, through the Worker's scheduled handler. */
async function fire(scheduledTime = NOW): Promise<void> {
  const controller = createScheduledController({ cron: "*/15 * * * *", scheduledTime });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

const reminderSentFor = async (id: string) => (await db.select({ value: bookings.reminderSentFor }).from(bookings).where(eq(bookings.id, id)))[0]!.value;

const hostReminders = (hostId: string) =>
  db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, hostId), eq(notifications.type, "BOOKING_REMINDER")));

describe("booking reminders (cron */15)", () => {
  it("reminds each confirmed booking of the next 24 hours once, in the guest's time zone, and nothing else", async () => {
    const host = await newHost({ timezone: "Europe/Paris", title: "Portrait session" });
    const booking = (offsetMs: number, values: Partial<Booking> = {}) => newBooking(host.id, { startAt: at(offsetMs), ...values });
    const due = [await booking(2 * HOUR, { guestTimezone: "America/New_York" }), await booking(24 * HOUR)];
    const rescheduled = await booking(6 * HOUR, { reminderSentFor: at(30 * HOUR) });
    const notDue = [
      await booking(24 * HOUR + 15 * MINUTE),
      await booking(-HOUR),
      await booking(0),
      await booking(3 * HOUR, { status: "PENDING" }),
      await booking(4 * HOUR, { status: "CANCELLED" }),
      await booking(5 * HOUR, { status: "DECLINED" }),
    ];
    const alreadySent = await booking(7 * HOUR);
    await changeBooking(systemActor("test"), alreadySent.id, { reminderSentFor: alreadySent.startAt });

    await fire();
    await fire();

    for (const b of [...due, rescheduled]) {
      const mails = await mailsAfterJobs(b.guestEmail, [reminderKey(b.id, b.startAt)]);
      expect(mails, b.guestEmail).toHaveLength(1);
      expect(mails[0]!.subject).toBe("Reminder: Portrait session with Zoé Martin");
      expect(await reminderSentFor(b.id)).toEqual(b.startAt);
    }
    const [newYork] = await mailsAfterJobs(due[0]!.guestEmail, []);
    expect(plain(newYork!.text)).toContain("(America/New_York, GMT-");
    const [paris] = await mailsAfterJobs(due[1]!.guestEmail, []);
    expect(plain(paris!.text)).toContain("(Europe/Paris, GMT+");
    expect(paris!.text).toContain("use the link in your confirmation email");

    for (const b of [...notDue, alreadySent]) {
      expect(await mailsAfterJobs(b.guestEmail, []), b.guestEmail).toHaveLength(0);
    }
    expect(await reminderSentFor(notDue[0]!.id)).toBeNull();

    // The host sees each coming booking once in the app.
    const inApp = await hostReminders(host.id);
    expect(inApp.map((n) => n.data.bookingId).sort()).toEqual([...due, rescheduled].map((b) => b.id).sort());
  });

  it("sends one reminder when two runs overlap", async () => {
    const host = await newHost();
    const b = await newBooking(host.id, { startAt: at(3 * HOUR) });

    const scheduled = { env, db, now: at(0) };
    const results = await Promise.all([sendBookingReminders(scheduled), sendBookingReminders(scheduled)]);
    expect(results.map((r) => r.bookingRemindersFailed)).toEqual([0, 0]);

    expect(await mailsAfterJobs(b.guestEmail, [reminderKey(b.id, b.startAt)])).toHaveLength(1);
    expect(await hostReminders(host.id)).toHaveLength(1);
    expect(await reminderSentFor(b.id)).toEqual(b.startAt);
  });

  it("sends one reminder when a run stopped after sending and before recording it", async () => {
    const host = await newHost();
    const b = await newBooking(host.id, { startAt: at(5 * HOUR) });
    await fire();
    expect(await mailsAfterJobs(b.guestEmail, [reminderKey(b.id, b.startAt)])).toHaveLength(1);

    // As if the record had never been written: the next run finds the booking due again.
    await changeBooking(systemActor("test"), b.id, { reminderSentFor: null });
    await fire(NOW + 15 * MINUTE);
    expect(await reminderSentFor(b.id)).toEqual(b.startAt);
    expect(await mailsAfterJobs(b.guestEmail, [reminderKey(b.id, b.startAt)])).toHaveLength(1);
    expect(await hostReminders(host.id)).toHaveLength(1);
  });

  it("reminds again for the new time after a reschedule", async () => {
    const host = await newHost();
    const b = await newBooking(host.id, { startAt: at(20 * HOUR) });
    await fire();
    const moved = await changeBooking(hostActor(host.id), b.id, { startAt: at(22 * HOUR), endAt: at(23 * HOUR), sequence: 1 });
    await fire(NOW + 15 * MINUTE);

    const mails = await mailsAfterJobs(b.guestEmail, [reminderKey(b.id, b.startAt), reminderKey(b.id, moved.startAt)]);
    expect(mails).toHaveLength(2);
    expect(await reminderSentFor(b.id)).toEqual(moved.startAt);
    expect(await hostReminders(host.id)).toHaveLength(2);
  });

  it("finds due bookings through the partial bookings_reminder_idx", async () => {
    const plan = await planOf(dueRemindersQuery(db, at(0)));
    expect(plan.split("\n")[0]).toBe("SEARCH bookings USING INDEX bookings_reminder_idx (start_at>? AND start_at<?)");
    expect(plan).not.toMatch(/SCAN bookings/);
    expect(plan).not.toContain("TEMP B-TREE");
  });
});
