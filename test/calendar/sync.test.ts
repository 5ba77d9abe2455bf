import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { calendarConnections } from "@shared/db/schema";
import { calendarEventId } from "../../workers/modules/calendar/sync";
import { bookingOf, connectedHost, db, eventsOf, fake, newBooking, requestsOf, runSync, updateBooking } from "./helpers";

const HOUR = 3_600_000;

describe("calendar.sync", () => {
  it("chooses event ids Google accepts, one per booking", () => {
    const a = calendarEventId("0190f3a4-7b2c-7d3e-8f40-123456789abc");
    expect(a).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(calendarEventId("0190f3a4-7b2c-7d3e-8f40-123456789abc")).toBe(a);
    expect(calendarEventId("0190f3a4-7b2c-7d3e-8f40-123456789abd")).not.toBe(a);
  });

  it("creates the event with a Meet link, moves it, and deletes it", async () => {
    const { account, identity } = await connectedHost();
    const booking = await newBooking(account.user.id, { guestName: "Grace Guest", guestPhone: "+33 6 12 34 56 78" });

    expect(await runSync(booking.id)).toEqual({ action: "ack" });
    const [event] = await eventsOf(identity.email);
    expect(event).toMatchObject({
      id: calendarEventId(booking.id),
      status: "confirmed",
      summary: "[MEETING] Grace Guest",
      start: { dateTime: booking.startAt.toISOString() },
      end: { dateTime: booking.endAt.toISOString() },
      attendees: [{ email: booking.guestEmail, displayName: "Grace Guest" }],
      conferenceData: { createRequest: { requestId: booking.id, conferenceSolutionKey: { type: "hangoutsMeet" }, status: { statusCode: "success" } } },
      hangoutLink: expect.stringMatching(/^https:\/\/meet\.google\.com\//),
    });
    expect(event.description).toContain("Family portraits in the garden, please.");
    expect(event.description).toContain("+33 6 12 34 56 78");
    // Stored through the audited path: a plain write to bookings would have been aborted by its trigger.
    expect((await bookingOf(booking.id))!.googleEventId).toBe(event.id);

    const start = new Date(booking.startAt.getTime() + 24 * HOUR);
    await updateBooking(booking.id, { startAt: start, endAt: new Date(start.getTime() + HOUR), sequence: 1 });
    expect(await runSync(booking.id, 1)).toEqual({ action: "ack" });
    const moved = await eventsOf(identity.email);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ id: event.id, start: { dateTime: start.toISOString() }, hangoutLink: event.hangoutLink });

    await updateBooking(booking.id, { status: "CANCELLED", sequence: 2 });
    expect(await runSync(booking.id, 2)).toEqual({ action: "ack" });
    expect((await eventsOf(identity.email)).map((e) => e.status)).toEqual(["cancelled"]);
    expect((await bookingOf(booking.id))!.googleEventId).toBeNull();
  });

  it("shows a booking awaiting confirmation as tentative, then confirmed", async () => {
    const { account, identity } = await connectedHost();
    const booking = await newBooking(account.user.id, { status: "PENDING" });
    await runSync(booking.id);
    expect((await eventsOf(identity.email))[0].status).toBe("tentative");
    await updateBooking(booking.id, { status: "CONFIRMED", sequence: 1 });
    await runSync(booking.id, 1);
    expect((await eventsOf(identity.email))[0].status).toBe("confirmed");
  });

  it("does not create a second event when an insert is retried after its answer was lost", async () => {
    const { account, identity } = await connectedHost();
    const booking = await newBooking(account.user.id);
    // Google stores the event but the answer never arrives (the job sees a 503).
    await fake("/__fake/calendar/failures", { json: { email: identity.email, operation: "insert", status: 503, commit: true } });
    expect((await runSync(booking.id)).action).toBe("retry");
    expect(await eventsOf(identity.email)).toHaveLength(1);
    expect((await bookingOf(booking.id))!.googleEventId).toBeNull();

    expect(await runSync(booking.id, 0, 2)).toEqual({ action: "ack" });
    expect(await eventsOf(identity.email)).toHaveLength(1);
    expect((await bookingOf(booking.id))!.googleEventId).toBe(calendarEventId(booking.id));
    expect((await requestsOf(identity.email)).map((r) => `${r.operation} ${r.status}`)).toEqual(["insert 503", "insert 409", "patch 200"]);
  });

  it("ends at the booking's current state whatever order its jobs run in", async () => {
    const { account, identity } = await connectedHost();
    const booking = await newBooking(account.user.id);
    await updateBooking(booking.id, { status: "CANCELLED", sequence: 1 });
    // The cancellation's job first, then the creation's: nothing must be left in the calendar.
    await runSync(booking.id, 1);
    await runSync(booking.id, 0);
    expect((await eventsOf(identity.email)).filter((e) => e.status !== "cancelled")).toEqual([]);

    const moved = await newBooking(account.user.id);
    const later = new Date(moved.startAt.getTime() + 48 * HOUR);
    await updateBooking(moved.id, { startAt: later, endAt: new Date(later.getTime() + HOUR), sequence: 1 });
    await runSync(moved.id, 1);
    await runSync(moved.id, 0);
    const live = (await eventsOf(identity.email)).filter((e) => e.status !== "cancelled");
    expect(live).toEqual([expect.objectContaining({ id: calendarEventId(moved.id), start: { dateTime: later.toISOString() } })]);
  });

  it("refreshes an expired access token and carries on", async () => {
    const { account, identity } = await connectedHost();
    const before = (await db.select().from(calendarConnections).where(eq(calendarConnections.userId, account.user.id)))[0]!;

    // Google expires the token early: the API answers 401, the client refreshes once and retries once.
    await fake("/__fake/tokens/expire", { json: { email: identity.email } });
    const first = await newBooking(account.user.id);
    expect(await runSync(first.id)).toEqual({ action: "ack" });
    expect((await requestsOf(identity.email)).map((r) => `${r.operation} ${r.status}`)).toEqual(["insert 401", "insert 200"]);
    const after = (await db.select().from(calendarConnections).where(eq(calendarConnections.userId, account.user.id)))[0]!;
    expect(after.accessTokenSealed).not.toBe(before.accessTokenSealed);
    expect(after.refreshTokenSealed).toBe(before.refreshTokenSealed);

    // Past its stated expiry, the token is refreshed before the call.
    await db.update(calendarConnections).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(calendarConnections.userId, account.user.id));
    await fake("/__fake/tokens/expire", { json: { email: identity.email } });
    const second = await newBooking(account.user.id);
    expect(await runSync(second.id)).toEqual({ action: "ack" });
    expect((await requestsOf(identity.email)).slice(2).map((r) => `${r.operation} ${r.status}`)).toEqual(["insert 200"]);
    expect((await eventsOf(identity.email)).map((e) => e.id).sort()).toEqual([calendarEventId(first.id), calendarEventId(second.id)].sort());
  });
});
