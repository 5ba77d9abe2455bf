import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { calendarConnections } from "@shared/db/schema";
import { getBusyIntervals, rememberBusy } from "../../workers/modules/calendar/busy";
import { register } from "../support/http";
import { connectedHost, db, deps, fake, newBooking, requestsOf, runSync, updateBooking } from "./helpers";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);
const freeBusyCalls = async (email: string) => (await requestsOf(email)).filter((r) => r.operation === "freebusy").length;
/** As if the cache were older than CALENDAR_BUSY_CACHE_SECONDS. */
const ageCache = (userId: string) => db.update(calendarConnections).set({ busyFetchedAt: new Date(Date.now() - 3_600_000) }).where(eq(calendarConnections.userId, userId));

describe("busy times from Google Calendar", () => {
  it("are none for a host without a connected calendar", async () => {
    const account = await register();
    expect(await getBusyIntervals(deps, account.user.id, { from: at("2031-03-01T00:00:00Z"), to: at("2031-03-08T00:00:00Z") })).toEqual([]);
  });

  it("come from free/busy and are cached for the requests that follow", async () => {
    const { account, identity } = await connectedHost();
    await fake("/__fake/calendar/events", { json: { email: identity.email, start: "2031-03-03T10:00:00Z", end: "2031-03-03T11:30:00Z", summary: "Dentist" } });
    await fake("/__fake/calendar/events", { json: { email: identity.email, start: "2031-03-20T14:00:00Z", end: "2031-03-20T15:00:00Z" } });

    const week = { from: at("2031-03-01T00:00:00Z"), to: at("2031-03-08T00:00:00Z") };
    const dentist = { start: Date.parse("2031-03-03T10:00:00Z"), end: Date.parse("2031-03-03T11:30:00Z") };
    expect(await getBusyIntervals(deps, account.user.id, week)).toEqual([dentist]);
    expect(await freeBusyCalls(identity.email)).toBe(1);

    // The same week, a day of it, and the rest of the month come from the cache: the window read was generous.
    expect(await getBusyIntervals(deps, account.user.id, week)).toEqual([dentist]);
    expect(await getBusyIntervals(deps, account.user.id, { from: at("2031-03-03T00:00:00Z"), to: at("2031-03-04T00:00:00Z") })).toEqual([dentist]);
    expect(await getBusyIntervals(deps, account.user.id, { from: at("2031-03-15T00:00:00Z"), to: at("2031-03-31T00:00:00Z") })).toEqual([
      { start: Date.parse("2031-03-20T14:00:00Z"), end: Date.parse("2031-03-20T15:00:00Z") },
    ]);
    expect(await freeBusyCalls(identity.email)).toBe(1);

    // Past its window, or once stale, Google is asked again.
    await getBusyIntervals(deps, account.user.id, { from: at("2031-09-01T00:00:00Z"), to: at("2031-09-08T00:00:00Z") });
    expect(await freeBusyCalls(identity.email)).toBe(2);
    await ageCache(account.user.id);
    await getBusyIntervals(deps, account.user.id, { from: at("2031-09-01T00:00:00Z"), to: at("2031-09-08T00:00:00Z") });
    expect(await freeBusyCalls(identity.email)).toBe(3);
  });

  it("respect an event just created before Google's free/busy shows it", async () => {
    const { account, identity } = await connectedHost();
    const range = { from: at("2031-04-01T00:00:00Z"), to: at("2031-04-30T00:00:00Z") };
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual([]);

    const interval = { start: at("2031-04-10T09:00:00Z"), end: at("2031-04-10T10:00:00Z") };
    await rememberBusy(deps, account.user.id, interval);
    const expected = [{ start: interval.start.getTime(), end: interval.end.getTime() }];
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual(expected);
    expect(await freeBusyCalls(identity.email)).toBe(1);
    // A refresh of the window from Google (which does not know the event yet) keeps it.
    await ageCache(account.user.id);
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual(expected);
    expect(await freeBusyCalls(identity.email)).toBe(2);
  });

  it("follow the sync job: a created event counts at once, a cancelled one stops counting", async () => {
    const { account } = await connectedHost();
    const booking = await newBooking(account.user.id);
    const range = { from: new Date(booking.startAt.getTime() - DAY), to: new Date(booking.startAt.getTime() + DAY) };
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual([]);
    await runSync(booking.id);
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual([{ start: booking.startAt.getTime(), end: booking.endAt.getTime() }]);
    await updateBooking(booking.id, { status: "CANCELLED", sequence: 1 });
    await runSync(booking.id, 1);
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual([]);
  });

  it("never fail a page when Google does: the last known times answer, or none", async () => {
    const { account, identity } = await connectedHost();
    await fake("/__fake/calendar/events", { json: { email: identity.email, start: "2031-05-05T10:00:00Z", end: "2031-05-05T11:00:00Z" } });
    const range = { from: at("2031-05-01T00:00:00Z"), to: at("2031-05-08T00:00:00Z") };

    await fake("/__fake/calendar/failures", { json: { email: identity.email, operation: "freebusy", status: 503 } });
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual([]);

    const known = [{ start: Date.parse("2031-05-05T10:00:00Z"), end: Date.parse("2031-05-05T11:00:00Z") }];
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual(known);
    await ageCache(account.user.id);
    await fake("/__fake/calendar/failures", { json: { email: identity.email, operation: "freebusy", status: 500 } });
    expect(await getBusyIntervals(deps, account.user.id, range)).toEqual(known);
    expect((await requestsOf(identity.email)).map((r) => `${r.operation} ${r.status}`)).toEqual(["freebusy 503", "freebusy 200", "freebusy 500"]);
  });
});
