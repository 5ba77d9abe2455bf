import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { bookingHolds, bookings } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem } from "../support/http";
import { addSlot, book, dailyMorning, DAY, db, localDateIn, newHost, openStarts } from "./helpers";

const at = (date: string, time: string) => `${date}T${time}:00.000Z`;

describe("public info and availability", () => {
  it("shows the host by id or handle, never their email or phone; a disabled or unknown page is 404", async () => {
    const host = await newHost({ title: "Portrait sessions", description: "One hour in the studio" }, { companyName: "Studio Lumière", phone: "+33 6 12 34 56 78", timezone: "Europe/Paris" });
    for (const key of [host.id, host.handle, host.handle.toUpperCase()]) {
      const res = await api(`/api/public/booking/${key}/info`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: host.id, handle: host.handle, displayName: "Ada Lovelace", company: "Studio Lumière", timezone: "Europe/Paris", settings: { title: "Portrait sessions" } });
      expect(res.text).not.toContain(host.email);
      expect(res.text).not.toContain("612345678");
    }
    await api("/api/booking/settings", { method: "PUT", token: host.token, json: { enabled: false } });
    expectProblem(await api(`/api/public/booking/${host.handle}/info`), 404, "NOT_FOUND");
    expectProblem(await api(`/api/public/booking/${host.handle}/availability?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z`), 404, "NOT_FOUND");
    expectProblem(await api("/api/public/booking/nobody-here/info"), 404, "NOT_FOUND");
  });

  it("bounds the range: to after from, at most 62 days, both instants with an offset", async () => {
    const host = await newHost();
    const base = `/api/public/booking/${host.handle}/availability`;
    const cases: [string, string][] = [
      ["?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z", "query.to"],
      ["?from=2026-12-01T00:00:00Z&to=2027-02-02T00:00:01Z", "query.to"],
      ["?from=2026-12-01&to=2026-12-02T00:00:00Z", "query.from"],
      ["?from=2026-12-01T00:00:00Z", "query.to"],
      ["?from=yesterday&to=2026-12-02T00:00:00Z", "query.from"],
    ];
    for (const [query, path] of cases) {
      const res = await api(base + query);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), query).toContain(path);
    }
    expect((await api(`${base}?from=2026-12-01T00:00:00%2B01:00&to=2027-01-31T00:00:00Z`)).status).toBe(200);
  });

  it("expands rules into slots and leaves out the past, the minimum notice and beyond the maximum advance", async () => {
    const host = await newHost({ minNoticeMinutes: 48 * 60, maxAdvanceDays: 5 });
    const yesterday = localDateIn(-1);
    await addSlot(host.token, { timezone: "UTC", startsAt: `${yesterday}T09:00`, endsAt: `${yesterday}T12:00`, recurrence: { frequency: "DAILY" }, slotMinutes: 60 });
    const now = Date.now();
    const starts = await openStarts(host.handle, new Date(now - 3 * DAY), new Date(now + 10 * DAY));
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts) {
      const t = Date.parse(start);
      expect(t).toBeGreaterThanOrEqual(now + 2 * DAY - 60_000);
      expect(t).toBeLessThanOrEqual(now + 5 * DAY + 60_000);
    }
    // Every day strictly inside the window offers its three hours.
    const day = localDateIn(3);
    expect(starts.filter((s) => s.startsWith(day))).toEqual([at(day, "09:00"), at(day, "10:00"), at(day, "11:00")]);
  });

  it("keeps a 09:00 Paris slot at 09:00 Paris across the next DST change, and a New York one alike", async () => {
    for (const zone of ["Europe/Paris", "America/New_York", "Australia/Sydney"]) {
      const host = await newHost();
      const transition = Temporal.Now.zonedDateTimeISO(zone).getTimeZoneTransition("next")!;
      const first = transition.toPlainDate().subtract({ days: 3 });
      await addSlot(host.token, { timezone: zone, startsAt: `${first}T09:00`, endsAt: `${first}T10:00`, recurrence: { frequency: "DAILY" } });
      const starts = await openStarts(host.handle, new Date(transition.epochMilliseconds - 3 * DAY), new Date(transition.epochMilliseconds + 3 * DAY));
      expect(starts.length, zone).toBe(6);
      const localTimes = starts.map((s) => Temporal.Instant.from(s).toZonedDateTimeISO(zone).toPlainTime().toString());
      expect(new Set(localTimes), zone).toEqual(new Set(["09:00:00"]));
      const offsets = new Set(starts.map((s) => Temporal.Instant.from(s).toZonedDateTimeISO(zone).offset));
      expect(offsets.size, `${zone} changes offset`).toBe(2);
    }
  });

  it("applies date exceptions: a blocked date offers nothing, replaced hours offer only those", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const blocked = localDateIn(3);
    const replaced = localDateIn(4);
    await api("/api/availability/exceptions", { method: "PUT", token: host.token, json: { date: blocked, timezone: "UTC", kind: "BLOCKED" } });
    await api("/api/availability/exceptions", { method: "PUT", token: host.token, json: { date: replaced, timezone: "UTC", kind: "HOURS", windows: [{ start: "15:00", end: "16:00" }], slotMinutes: 30 } });
    const starts = await openStarts(host.handle, `${localDateIn(2)}T00:00:00Z`, `${localDateIn(6)}T00:00:00Z`);
    expect(starts.filter((s) => s.startsWith(blocked))).toEqual([]);
    expect(starts.filter((s) => s.startsWith(replaced))).toEqual([at(replaced, "15:00"), at(replaced, "15:30")]);
    expect(starts.filter((s) => s.startsWith(localDateIn(5)))).toHaveLength(3);
  });

  it("leaves out booked slots with their buffers, and days at the daily limit", async () => {
    const host = await newHost({ bufferMinutes: 30, dailyLimit: 2 });
    await dailyMorning(host, 30);
    const day = localDateIn(3);
    const range = [`${day}T00:00:00Z`, `${day}T23:59:00Z`] as const;
    expect(await openStarts(host.handle, ...range)).toHaveLength(6);
    expect((await book(host.handle, at(day, "10:00"))).status).toBe(201);
    // 10:00 with a 30-minute buffer on each side blocks 09:30–11:00: 09:30 and 10:30 go, 09:00 and 11:00 stay.
    expect(await openStarts(host.handle, ...range)).toEqual([at(day, "09:00"), at(day, "11:00"), at(day, "11:30")]);
    expect((await book(host.handle, at(day, "11:30"))).status).toBe(201);
    expect(await openStarts(host.handle, ...range)).toEqual([]);
    expect((await openStarts(host.handle, `${localDateIn(4)}T00:00:00Z`, `${localDateIn(4)}T23:59:00Z`)).length).toBe(6);
  });

  it("leaves out other guests' holds until they expire", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    const start = new Date(at(day, "10:00"));
    await db.insert(bookingHolds).values([
      { id: newId(), hostId: host.id, startAt: start, endAt: new Date(start.getTime() + 3_600_000), tokenHash: newId(), expiresAt: new Date(Date.now() + 60_000) },
      { id: newId(), hostId: host.id, startAt: new Date(at(day, "11:00")), endAt: new Date(at(day, "12:00")), tokenHash: newId(), expiresAt: new Date(Date.now() - 1) },
    ]);
    expect(await openStarts(host.handle, `${day}T00:00:00Z`, `${day}T23:00:00Z`)).toEqual([at(day, "09:00"), at(day, "11:00")]);
  });

  it("cancelled and declined bookings free their slot", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    const now = new Date();
    const row = (time: string, status: "CANCELLED" | "DECLINED") => ({
      id: newId(), ownerId: host.id, startAt: new Date(at(day, time)), endAt: new Date(Date.parse(at(day, time)) + 3_600_000), status, guestName: "X", guestEmail: "x@example.com", createdAt: now, updatedAt: now,
    });
    await auditedBatch(db, systemActor("test"), [db.insert(bookings).values([row("09:00", "CANCELLED"), row("10:00", "DECLINED")])]);
    expect(await openStarts(host.handle, `${day}T00:00:00Z`, `${day}T23:00:00Z`)).toEqual([at(day, "09:00"), at(day, "10:00"), at(day, "11:00")]);
  });
});
