import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { calendarConnections } from "@shared/db/schema";
import { api, expectProblem, uniqueIp } from "../support/http";
import { connectedHost, db, fake, requestsOf } from "./helpers";

const DAY = 86_400_000;

describe("Google busy times in public booking", () => {
  it("are left out of availability and refused at booking; the lock reads the cache warmed before it", async () => {
    const { account, identity } = await connectedHost();
    const handle = `busy-${crypto.randomUUID().slice(0, 8)}`;
    await api("/api/booking/settings", { method: "PUT", token: account.accessToken, json: { enabled: true, handle, maxAdvanceDays: 365 } });
    const day = new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10);
    const res = await api("/api/availability", { token: account.accessToken, json: { timezone: "UTC", startsAt: `${day}T09:00`, endsAt: `${day}T12:00`, slotMinutes: 60 } });
    expect(res.status, res.text).toBe(201);
    await fake("/__fake/calendar/events", { json: { email: identity.email, start: `${day}T10:15:00Z`, end: `${day}T10:45:00Z`, summary: "Dentist" } });

    const slots = await api(`/api/public/booking/${handle}/availability?from=${day}T00:00:00Z&to=${day}T23:00:00Z`);
    expect(slots.body.slots.map((s: { start: string }) => s.start)).toEqual([`${day}T09:00:00.000Z`, `${day}T11:00:00.000Z`]);
    expectProblem(await api(`/api/public/booking/${handle}/book`, { json: { start: `${day}T10:00:00.000Z`, name: "G", email: "g@example.com" }, ip: uniqueIp() }), 409, "CONFLICT");

    // A busy time added at Google after the cache was filled shows once the cache is stale: the request warms it
    // outside the lock, and the lock then refuses the slot from the cache alone.
    await fake("/__fake/calendar/events", { json: { email: identity.email, start: `${day}T11:00:00Z`, end: `${day}T12:00:00Z` } });
    await db.update(calendarConnections).set({ busyFetchedAt: new Date(Date.now() - 3_600_000) }).where(eq(calendarConnections.userId, account.user.id));
    const before = (await requestsOf(identity.email)).filter((r) => r.operation === "freebusy").length;
    expectProblem(await api(`/api/public/booking/${handle}/book`, { json: { start: `${day}T11:00:00.000Z`, name: "G", email: "g@example.com" }, ip: uniqueIp() }), 409, "CONFLICT");
    expect((await requestsOf(identity.email)).filter((r) => r.operation === "freebusy").length).toBe(before + 1);
    expect((await api(`/api/public/booking/${handle}/book`, { json: { start: `${day}T09:00:00.000Z`, name: "G", email: "g@example.com" }, ip: uniqueIp() })).status).toBe(201);
  });
});
