import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { EmailJobPayload, INLINE_ATTACHMENT_MAX_BYTES } from "@shared/contracts/jobs";
import { notifications } from "@shared/db/schema";
import { enqueueJob } from "../../workers/jobs/enqueue";
import { announceBookingChange, announcementKey, enqueueBookingAnnouncement, type BookingAnnouncement } from "../../workers/modules/booking/announce";
import { changeBooking, db, guestActor, hostActor, icsOf, newBooking, newHost, plain, recordingDeps, runJob, settledMails, type SentJob } from "./announce-helpers";

const START = new Date("2026-12-05T14:00:00.000Z");
const LATER = new Date("2026-12-07T09:30:00.000Z");
const HOUR = 3_600_000;

/** Enqueues the announcement as the core does and runs it once through the real consumer. */
async function announce(recording: ReturnType<typeof recordingDeps>, payload: BookingAnnouncement): Promise<SentJob> {
  await enqueueBookingAnnouncement(recording.deps.env, payload);
  const job = recording.ofType("booking.announce").find((j) => j.body.key === announcementKey(payload))!;
  expect(await runJob(recording.deps, job)).toEqual({ action: "ack" });
  return job;
}

const hostNotifications = (hostId: string) => db.select().from(notifications).where(eq(notifications.userId, hostId));

const manageLink = (token: string) => `http://lightbox.test/book/manage/${token}`;

describe("booking.announce", () => {
  it("tells the guest (confirmation with an .ics and the cancel link) and the host (in-app and email), once however often it runs", async () => {
    const host = await newHost({ timezone: "Europe/Paris", companyName: "Studio Lumière" });
    const booking = await newBooking(host.id, { startAt: START, guestTimezone: "America/New_York", message: "Bring the dog?" });
    const recording = recordingDeps();
    const payload: BookingAnnouncement = { bookingId: booking.id, kind: "CREATED", by: "GUEST", sequence: 0, cancelToken: "tok-created" };

    const job = await announce(recording, payload);
    expect(job.body.key).toBe(`booking:${booking.id}:0:CREATED`);
    // Delivered again, and run again by hand as a retry after a crash would: nothing more goes out.
    expect(await runJob(recording.deps, job, 2)).toEqual({ action: "ack" });
    await announceBookingChange(recording.deps, payload, job.body.key);

    const [mail, ...more] = await settledMails(booking.guestEmail, recording.sent);
    expect(more).toHaveLength(0);
    expect(mail!.subject).toBe("Booking confirmed: Portrait session with Zoé Martin (Studio Lumière)");
    const text = plain(mail!.text);
    expect(text).toContain("Saturday, December 5, 2026, 9:00 – 10:00 AM (America/New_York, GMT-05:00)");
    expect(text).toContain(manageLink("tok-created"));
    expect(mail!.html).toContain(`href="${manageLink("tok-created")}"`);

    const ics = await icsOf(mail!);
    expect(ics.raw).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics.contentType).toBe("text/calendar; charset=utf-8; method=REQUEST");
    expect(ics).toMatchObject({
      method: "REQUEST",
      uid: `${booking.id}@lightbox`,
      sequence: 0,
      status: "CONFIRMED",
      start: START.toISOString(),
      end: new Date(START.getTime() + HOUR).toISOString(),
      organizer: `mailto:${host.email}`,
      attendee: `mailto:${booking.guestEmail}`,
      url: manageLink("tok-created"),
    });

    const stored = await hostNotifications(host.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: "BOOKING_CREATED", title: "New booking: Sam Guest", data: { bookingId: booking.id, start: START.toISOString() } });
    expect(plain(stored[0]!.body)).toContain("(Europe/Paris, GMT+01:00)");
    const hostMails = await settledMails(host.email, recording.sent);
    expect(hostMails).toHaveLength(1);
    expect(hostMails[0]!.subject).toBe("New booking: Sam Guest");
    expect(hostMails[0]!.text).toContain("Bring the dog?");
    expect(hostMails[0]!.text).toContain(`http://app.lightbox.test/bookings/${booking.id}`);

    // The host's calendar follows the booking.
    const syncs = recording.ofType("calendar.sync");
    expect(new Set(syncs.map((j) => j.body.key))).toEqual(new Set([`calendar:${booking.id}:0`]));
    expect(syncs[0]!.body.payload).toEqual({ bookingId: booking.id });
  });

  it("keeps one UID with a growing SEQUENCE from booking through reschedule to cancellation", async () => {
    const host = await newHost({ timezone: "Europe/Paris" });
    let booking = await newBooking(host.id, { startAt: START });
    const recording = recordingDeps();
    await announce(recording, { bookingId: booking.id, kind: "CREATED", by: "GUEST", sequence: 0, cancelToken: "tok-0" });

    booking = await changeBooking(guestActor, booking.id, { startAt: LATER, endAt: new Date(LATER.getTime() + HOUR), sequence: 1 });
    await announce(recording, { bookingId: booking.id, kind: "RESCHEDULED", by: "GUEST", sequence: 1, cancelToken: "tok-1", previousStartAt: START.toISOString() });

    booking = await changeBooking(guestActor, booking.id, { status: "CANCELLED", sequence: 2, cancelledAt: new Date(), cancelledBy: "GUEST", cancelReason: "Sick; sorry" });
    await announce(recording, { bookingId: booking.id, kind: "CANCELLED", by: "GUEST", sequence: 2 });

    // The consumer may send them in any order: the calendar file's SEQUENCE is what orders them.
    const received = await Promise.all((await settledMails(booking.guestEmail, recording.sent)).map(async (mail) => ({ mail, ics: await icsOf(mail) })));
    received.sort((a, b) => a.ics.sequence - b.ics.sequence);
    const mails = received.map((r) => r.mail);
    const files = received.map((r) => r.ics);
    expect(mails.map((m) => m.subject)).toEqual([
      "Booking confirmed: Portrait session with Zoé Martin",
      "Booking moved: Portrait session with Zoé Martin",
      "Booking cancelled: Portrait session with Zoé Martin",
    ]);
    expect(new Set(files.map((f) => f.uid))).toEqual(new Set([`${booking.id}@lightbox`]));
    expect(files.map((f) => f.sequence)).toEqual([0, 1, 2]);
    expect(files.map((f) => f.method)).toEqual(["REQUEST", "REQUEST", "CANCEL"]);
    expect(files.map((f) => f.status)).toEqual(["CONFIRMED", "CONFIRMED", "CANCELLED"]);
    expect(files[1]!.start).toBe(LATER.toISOString());
    expect(files[2]!.contentType).toBe("text/calendar; charset=utf-8; method=CANCEL");

    // Guest without a zone of their own: the host's, named.
    const moved = plain(mails[1]!.text);
    expect(moved).toContain("Monday, December 7, 2026, 10:30 – 11:30 AM (Europe/Paris, GMT+01:00)");
    expect(moved).toContain("(it was Saturday, December 5, 2026, 3:00 – 4:00 PM (Europe/Paris, GMT+01:00))");
    expect(moved).toContain(manageLink("tok-1"));
    expect(moved).not.toContain(manageLink("tok-0"));
    const cancelled = plain(mails[2]!.text);
    expect(cancelled).toContain("As you asked");
    expect(cancelled).toContain("Reason: Sick; sorry");
    expect(cancelled).not.toContain("/book/manage/");
    expect(cancelled).toContain(`http://lightbox.test/book/${host.handle}`);

    const stored = await hostNotifications(host.id);
    expect(stored.map((n) => n.type).sort()).toEqual(["BOOKING_CANCELLED", "BOOKING_CREATED", "BOOKING_RESCHEDULED"]);
    expect(plain(stored.find((n) => n.type === "BOOKING_RESCHEDULED")!.body)).toBe("Saturday, December 5, 2026, 3:00 – 4:00 PM (Europe/Paris, GMT+01:00) → Monday, December 7, 2026, 10:30 – 11:30 AM (Europe/Paris, GMT+01:00)");
    expect(await settledMails(host.email, recording.sent)).toHaveLength(3);
  });

  it("tells a guest waiting for confirmation with a tentative event, then the host's answer, without notifying the host of their own acts", async () => {
    const host = await newHost({ title: null });
    const recording = recordingDeps();
    let accepted = await newBooking(host.id, { startAt: START, status: "PENDING", guestName: "<b>Eve</b> & Co" });
    await announce(recording, { bookingId: accepted.id, kind: "CREATED", by: "GUEST", sequence: 0, cancelToken: "tok-p" });
    accepted = await changeBooking(hostActor(host.id), accepted.id, { status: "CONFIRMED", sequence: 1 });
    await announce(recording, { bookingId: accepted.id, kind: "CONFIRMED", by: "HOST", sequence: 1 });

    let declined = await newBooking(host.id, { startAt: LATER, status: "PENDING" });
    await announce(recording, { bookingId: declined.id, kind: "CREATED", by: "GUEST", sequence: 0, cancelToken: "tok-d" });
    declined = await changeBooking(hostActor(host.id), declined.id, { status: "DECLINED", sequence: 1 });
    await announce(recording, { bookingId: declined.id, kind: "DECLINED", by: "HOST", sequence: 1 });

    const bySubject = async (to: string, subject: string) => {
      const found = (await settledMails(to, recording.sent)).filter((mail) => mail.subject === subject);
      expect(found, subject).toHaveLength(1);
      return found[0]!;
    };
    const request = await bySubject(accepted.guestEmail, "Booking request received: Zoé Martin");
    const confirmed = await bySubject(accepted.guestEmail, "Booking confirmed: Zoé Martin");
    expect(await settledMails(accepted.guestEmail, recording.sent)).toHaveLength(2);
    expect(plain(request.text)).toContain("They will confirm it soon");
    expect(request.html).toContain("&lt;b&gt;Eve&lt;/b&gt; &amp; Co");
    expect(request.html).not.toContain("<b>Eve</b>");
    expect(await icsOf(request)).toMatchObject({ method: "REQUEST", status: "TENTATIVE", sequence: 0 });
    expect(await icsOf(confirmed)).toMatchObject({ method: "REQUEST", status: "CONFIRMED", sequence: 1, uid: `${accepted.id}@lightbox` });

    const declinedMail = await bySubject(declined.guestEmail, "Booking request declined: Zoé Martin");
    expect(await icsOf(declinedMail)).toMatchObject({ method: "CANCEL", status: "CANCELLED", sequence: 1, uid: `${declined.id}@lightbox` });

    const stored = await hostNotifications(host.id);
    expect(stored.map((n) => [n.type, n.title]).sort()).toEqual([
      ["BOOKING_CREATED", "Booking request: <b>Eve</b> & Co"],
      ["BOOKING_CREATED", "Booking request: Sam Guest"],
    ]);
    expect(stored[0]!.body).toContain("waiting for your confirmation");
  });

  it("spares the guest an announcement a later change overtook, and retries one whose change it cannot see yet", async () => {
    const host = await newHost();
    const recording = recordingDeps();
    const booking = await newBooking(host.id, { startAt: START });
    await changeBooking(guestActor, booking.id, { startAt: LATER, endAt: new Date(LATER.getTime() + HOUR), sequence: 1 });
    await announce(recording, { bookingId: booking.id, kind: "CREATED", by: "GUEST", sequence: 0, cancelToken: "tok-old" });
    expect(recording.ofType("email.send").filter((j) => (j.body.payload as { to: string }).to === booking.guestEmail)).toHaveLength(0);
    expect(await hostNotifications(host.id)).toHaveLength(1);
    expect(recording.ofType("calendar.sync")).toHaveLength(0);

    await enqueueBookingAnnouncement(recording.deps.env, { bookingId: booking.id, kind: "CANCELLED", by: "HOST", sequence: 2 });
    const ahead = recording.ofType("booking.announce").at(-1)!;
    expect(await runJob(recording.deps, ahead)).toMatchObject({ action: "retry" });
    expect(await settledMails(booking.guestEmail, recording.sent)).toHaveLength(0);
  });

  it("does nothing for a booking that no longer exists", async () => {
    const recording = recordingDeps();
    await announce(recording, { bookingId: "0190a000-0000-7000-8000-00000000dead", kind: "CANCELLED", by: "HOST", sequence: 3 });
    expect(recording.sent.filter((j) => j.body.type !== "booking.announce")).toHaveLength(0);
  });
});

describe("inline email attachments", () => {
  it("carries small text in the message and refuses what belongs in R2", async () => {
    const ok = EmailJobPayload.parse({ to: "a@b.test", subject: "s", text: "t", attachments: [{ filename: "a.ics", contentType: "text/calendar", content: "é".repeat(INLINE_ATTACHMENT_MAX_BYTES / 2) }] });
    expect(ok.attachments).toHaveLength(1);
    // Counted in UTF-8 bytes, not characters.
    const tooBig = { filename: "a.ics", contentType: "text/calendar", content: "é".repeat(INLINE_ATTACHMENT_MAX_BYTES / 2 + 1) };
    await expect(enqueueJob(env.JOBS, "email.send", "inline-too-big", { to: "a@b.test", subject: "s", text: "t", attachments: [tooBig] })).rejects.toThrow(/R2/);
  });
});
