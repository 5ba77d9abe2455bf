import { env, runDurableObjectAlarm } from "cloudflare:test";
import { loggablePath } from "@shared/lib/text";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { bookingHolds, bookings, contacts } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem, freshRateLimitWindow, register, uniqueIp } from "../support/http";
import { addSlot, book, dailyMorning, db, localDateIn, newHost } from "./helpers";

const at = (date: string, time: string) => `${date}T${time}:00.000Z`;
const bookingsOf = (hostId: string) => db.select().from(bookings).where(eq(bookings.ownerId, hostId));

describe("booking a slot", () => {
  it("books an offered slot, answers the token once, and files the guest as a contact (matched by email next time)", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    const res = await book(host.handle, at(day, "09:00"), { name: "Grace Brewster Hopper", email: "Grace@Example.com", phone: "+1 212 555 0100", message: "Headshots", timezone: "America/New_York" });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ booking: { id: expect.any(String), start: at(day, "09:00"), end: at(day, "10:00"), status: "CONFIRMED" }, cancelToken: expect.any(String) });
    const [stored] = await bookingsOf(host.id);
    expect(stored).toMatchObject({ guestName: "Grace Brewster Hopper", guestEmail: "grace@example.com", guestTimezone: "America/New_York", message: "Headshots", sequence: 0 });
    expect(stored!.cancelTokenHash).not.toContain(res.body.cancelToken);
    const [contact] = await db.select().from(contacts).where(eq(contacts.ownerId, host.id));
    expect(contact).toMatchObject({ id: stored!.contactId, firstName: "Grace", lastName: "Brewster Hopper", email: "grace@example.com", source: "BOOKING", phoneE164: "+12125550100" });

    const again = await book(host.handle, at(day, "10:00"), { name: "G. Hopper", email: "grace@example.com" });
    expect(again.status, again.text).toBe(201);
    const rows = await bookingsOf(host.id);
    expect(new Set(rows.map((b) => b.contactId))).toEqual(new Set([contact!.id]));
    expect(await db.select().from(contacts).where(eq(contacts.ownerId, host.id))).toHaveLength(1);

    const list = await api("/api/bookings", { token: host.token });
    expect(list.body.items.map((b: { start: string }) => b.start)).toEqual([at(day, "09:00"), at(day, "10:00")]);
    expect(list.body.items[0]).toMatchObject({ guest: { name: "Grace Brewster Hopper", email: "grace@example.com", phone: "+1 212 555 0100", timezone: "America/New_York" }, contactId: contact!.id });
  });

  it("answers 409 for a slot that is taken, not offered, or past, and 400 naming bad fields", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    expect((await book(host.handle, at(day, "09:00"))).status).toBe(201);
    expectProblem(await book(host.handle, at(day, "09:00")), 409, "CONFLICT");
    expectProblem(await book(host.handle, at(day, "09:30")), 409, "CONFLICT");
    expectProblem(await book(host.handle, at(day, "13:00")), 409, "CONFLICT");
    expectProblem(await book(host.handle, at(localDateIn(-1), "09:00")), 409, "CONFLICT");
    for (const [json, path] of [
      [{ start: "tomorrow", name: "A", email: "a@example.com" }, "body.start"],
      [{ start: at(day, "10:00"), name: "", email: "a@example.com" }, "body.name"],
      [{ start: at(day, "10:00"), name: "A", email: "not-an-email" }, "body.email"],
      [{ start: at(day, "10:00"), name: "A", email: "a@example.com", timezone: "Nowhere/City" }, "body.timezone"],
      [{ start: at(day, "10:00"), name: "A", email: "a@example.com", admin: true }, "body.admin"],
    ] as const) {
      const res = await api(`/api/public/booking/${host.handle}/book`, { json, ip: uniqueIp() });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toContain(path);
    }
    expectProblem(await api(`/api/public/booking/${host.handle}/book`, { method: "POST", body: "{oops", headers: { "content-type": "application/json" }, ip: uniqueIp() }), 400, "VALIDATION_FAILED");
    expect(await bookingsOf(host.id)).toHaveLength(1);
  });

  it("many simultaneous requests for one slot make exactly one booking", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const start = at(localDateIn(3), "10:00");
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => book(host.handle, start, { email: `racer-${i}@example.com` })));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(39);
    expect((await bookingsOf(host.id)).filter((b) => b.startAt.toISOString() === start)).toHaveLength(1);
  });

  it("D1 refuses a second active booking at the same start even without the lock", async () => {
    const host = await newHost();
    const now = new Date();
    const start = new Date(Date.now() + 5 * 86_400_000);
    const row = () => ({ id: newId(), ownerId: host.id, startAt: start, endAt: new Date(start.getTime() + 3_600_000), status: "CONFIRMED" as const, guestName: "X", guestEmail: "x@example.com", createdAt: now, updatedAt: now });
    await auditedBatch(db, systemActor("test"), [db.insert(bookings).values(row())]);
    await expect(auditedBatch(db, systemActor("test"), [db.insert(bookings).values(row())])).rejects.toThrow(/UNIQUE/);
    await auditedBatch(db, systemActor("test"), [db.insert(bookings).values({ ...row(), status: "CANCELLED" })]);
    expect(await bookingsOf(host.id)).toHaveLength(2);
  });

  it("a pending booking waits for the host, who confirms or declines it", async () => {
    const host = await newHost({ requiresConfirmation: true });
    await dailyMorning(host);
    const day = localDateIn(2);
    const first = await book(host.handle, at(day, "09:00"));
    const second = await book(host.handle, at(day, "10:00"));
    expect(first.body.booking.status).toBe("PENDING");
    expect((await api(`/api/public/booking/${host.handle}/availability?from=${day}T00:00:00Z&to=${day}T23:00:00Z`)).body.slots.map((s: { start: string }) => s.start)).toEqual([at(day, "11:00")]);
    const confirmed = await api(`/api/bookings/${first.body.booking.id}/confirm`, { method: "POST", token: host.token });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body.status).toBe("CONFIRMED");
    expectProblem(await api(`/api/bookings/${first.body.booking.id}/confirm`, { method: "POST", token: host.token }), 409, "CONFLICT");
    expectProblem(await api(`/api/bookings/${first.body.booking.id}/decline`, { method: "POST", token: host.token }), 409, "CONFLICT");
    const declined = await api(`/api/bookings/${second.body.booking.id}`, { method: "PATCH", token: host.token, json: { status: "DECLINED", reason: "Away that day" } });
    expect(declined.body).toMatchObject({ status: "DECLINED", cancelledBy: "HOST", cancelReason: "Away that day" });
    expectProblem(await api(`/api/bookings/${second.body.booking.id}`, { method: "PATCH", token: host.token, json: { status: "CONFIRMED" } }), 409, "CONFLICT");
    // The declined slot is offered again; the guest's token is spent.
    expect((await book(host.handle, at(day, "10:00"))).status).toBe(201);
    expectProblem(await api(`/api/public/booking/cancel/${second.body.cancelToken}`, { method: "POST", ip: uniqueIp() }), 410, "GONE");
  });
});

describe("holds", () => {
  it("a held slot is not offered to others nor bookable by them, the holder books it, and it expires", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    const start = at(day, "10:00");
    const hold = await api(`/api/public/booking/${host.handle}/hold`, { json: { start }, ip: uniqueIp() });
    expect(hold.status, hold.text).toBe(201);
    expect(hold.body).toEqual({ holdToken: expect.any(String), start, end: at(day, "11:00"), expiresAt: expect.any(String) });
    expect(Date.parse(hold.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    expectProblem(await api(`/api/public/booking/${host.handle}/hold`, { json: { start }, ip: uniqueIp() }), 409, "CONFLICT");
    expectProblem(await book(host.handle, start), 409, "CONFLICT");
    const slots = (await api(`/api/public/booking/${host.handle}/availability?from=${day}T00:00:00Z&to=${day}T23:00:00Z`)).body.slots.map((s: { start: string }) => s.start);
    expect(slots).not.toContain(start);

    const booked = await book(host.handle, start, { holdToken: hold.body.holdToken });
    expect(booked.status, booked.text).toBe(201);
    expect(await db.select().from(bookingHolds).where(eq(bookingHolds.hostId, host.id))).toEqual([]);

    // Another hold, expired by the lock's alarm: the slot is offered again and the row is gone.
    const later = at(day, "11:00");
    const second = await api(`/api/public/booking/${host.handle}/hold`, { json: { start: later }, ip: uniqueIp() });
    expect(second.status).toBe(201);
    await db.update(bookingHolds).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(bookingHolds.hostId, host.id));
    const lock = env.BOOKING_LOCKS.get(env.BOOKING_LOCKS.idFromName(host.id));
    expect(await runDurableObjectAlarm(lock)).toBe(true);
    expect(await db.select().from(bookingHolds).where(eq(bookingHolds.hostId, host.id))).toEqual([]);
    expect((await book(host.handle, later)).status).toBe(201);
  });

  it("a released hold frees the slot at once; releasing twice is 404", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const start = at(localDateIn(2), "09:00");
    const hold = await api(`/api/public/booking/${host.handle}/hold`, { json: { start }, ip: uniqueIp() });
    expect((await api(`/api/public/booking/holds/${hold.body.holdToken}`, { method: "DELETE", ip: uniqueIp() })).status).toBe(204);
    expectProblem(await api(`/api/public/booking/holds/${hold.body.holdToken}`, { method: "DELETE", ip: uniqueIp() }), 404, "NOT_FOUND");
    expect((await book(host.handle, start)).status).toBe(201);
  });
});

describe("cancel and reschedule tokens", () => {
  it("cancel works once: 200, then 410 for the spent token, 404 for an unknown one; the slot is free again", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const start = at(localDateIn(2), "09:00");
    const { body } = await book(host.handle, start);
    const manage = await api(`/api/public/booking/manage/${body.cancelToken}`);
    expect(manage.body).toMatchObject({ booking: { id: body.booking.id, status: "CONFIRMED" }, host: { handle: host.handle } });
    const cancelled = await api(`/api/public/booking/cancel/${body.cancelToken}`, { json: { reason: "Sick" }, ip: uniqueIp() });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toEqual({ status: "CANCELLED" });
    expectProblem(await api(`/api/public/booking/cancel/${body.cancelToken}`, { method: "POST", ip: uniqueIp() }), 410, "GONE");
    expectProblem(await api(`/api/public/booking/cancel/${"x".repeat(43)}`, { method: "POST", ip: uniqueIp() }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/public/booking/cancel/short`, { method: "POST", ip: uniqueIp() }), 400, "VALIDATION_FAILED");
    const [row] = await bookingsOf(host.id);
    expect(row).toMatchObject({ status: "CANCELLED", cancelledBy: "GUEST", cancelReason: "Sick", sequence: 1 });
    expect((await book(host.handle, start)).status).toBe(201);
  });

  it("reschedule moves to another offered slot once, returns a new token, and the old one no longer works", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    const { body } = await book(host.handle, at(day, "09:00"));
    const other = await book(host.handle, at(day, "11:00"));
    const path = (token: string) => `/api/public/booking/reschedule/${token}`;
    expectProblem(await api(path(body.cancelToken), { json: { start: at(day, "11:00") }, ip: uniqueIp() }), 409, "CONFLICT");
    expectProblem(await api(path(body.cancelToken), { json: { start: at(day, "12:00") }, ip: uniqueIp() }), 409, "CONFLICT");
    const moved = await api(path(body.cancelToken), { json: { start: at(day, "10:00") }, ip: uniqueIp() });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toEqual({ booking: { id: body.booking.id, start: at(day, "10:00"), end: at(day, "11:00"), status: "CONFIRMED" }, cancelToken: expect.any(String) });
    expect(moved.body.cancelToken).not.toBe(body.cancelToken);
    expectProblem(await api(path(body.cancelToken), { json: { start: at(day, "09:00") }, ip: uniqueIp() }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/public/booking/cancel/${body.cancelToken}`, { method: "POST", ip: uniqueIp() }), 404, "NOT_FOUND");
    // Moving within its own old time is allowed (a booking never blocks itself).
    const back = await api(path(moved.body.cancelToken), { json: { start: at(day, "09:00") }, ip: uniqueIp() });
    expect(back.status, back.text).toBe(200);
    const [row] = await db.select().from(bookings).where(and(eq(bookings.ownerId, host.id), eq(bookings.id, body.booking.id)));
    expect(row).toMatchObject({ sequence: 2, startAt: new Date(at(day, "09:00")) });
    expect(other.status).toBe(201);
  });
});

describe("the host's bookings", () => {
  it("lists by start with filters and pages, counts stats, moves, cancels and deletes", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const [d2, d3] = [localDateIn(2), localDateIn(3)];
    const a = (await book(host.handle, at(d2, "09:00"))).body;
    const b = (await book(host.handle, at(d2, "10:00"))).body;
    const c = (await book(host.handle, at(d3, "09:00"))).body;
    await api(`/api/public/booking/cancel/${b.cancelToken}`, { method: "POST", ip: uniqueIp() });

    const page1 = await api("/api/bookings?limit=2", { token: host.token });
    const page2 = await api(`/api/bookings?limit=2&cursor=${page1.body.nextCursor}`, { token: host.token });
    expect([...page1.body.items, ...page2.body.items].map((x: { id: string }) => x.id)).toEqual([a.booking.id, b.booking.id, c.booking.id]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await api("/api/bookings?status=CANCELLED", { token: host.token })).body.items.map((x: { id: string }) => x.id)).toEqual([b.booking.id]);
    expect((await api(`/api/bookings?from=${d3}T00:00:00Z`, { token: host.token })).body.items.map((x: { id: string }) => x.id)).toEqual([c.booking.id]);
    expectProblem(await api("/api/bookings?status=DONE", { token: host.token }), 400, "VALIDATION_FAILED");

    const stats = await api("/api/bookings/stats", { token: host.token });
    expect(stats.body).toEqual({ total: 3, upcoming: 2, past: 0, pending: 0, confirmed: 2, cancelled: 1, declined: 0, next: { id: a.booking.id, start: at(d2, "09:00"), end: at(d2, "10:00"), status: "CONFIRMED" } });

    // The host may move a booking to any time free of other bookings, even outside the rules.
    const moved = await api(`/api/bookings/${a.booking.id}`, { method: "PATCH", token: host.token, json: { start: at(d2, "14:00") } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ start: at(d2, "14:00"), end: at(d2, "15:00") });
    expectProblem(await api(`/api/bookings/${a.booking.id}`, { method: "PATCH", token: host.token, json: { start: at(d3, "08:30") } }), 409, "CONFLICT");
    expectProblem(await api(`/api/bookings/${a.booking.id}`, { method: "PATCH", token: host.token, json: {} }), 400, "VALIDATION_FAILED");

    expectProblem(await api(`/api/bookings/${c.booking.id}`, { method: "DELETE", token: host.token }), 409, "CONFLICT");
    expect((await api(`/api/bookings/${c.booking.id}`, { method: "PATCH", token: host.token, json: { status: "CANCELLED" } })).body.status).toBe("CANCELLED");
    expect((await api(`/api/bookings/${c.booking.id}`, { method: "DELETE", token: host.token })).status).toBe(204);
    expectProblem(await api(`/api/bookings/${c.booking.id}`, { token: host.token }), 404, "NOT_FOUND");
  });

  it("another host's bookings are 404 on every route and never listed or counted", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const { body } = await book(host.handle, at(localDateIn(2), "09:00"));
    const id = body.booking.id;
    const { accessToken: token } = await register();
    expectProblem(await api(`/api/bookings/${id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/bookings/${id}`, { method: "PATCH", token, json: { status: "CANCELLED" } }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/bookings/${id}`, { method: "PATCH", token, json: { start: at(localDateIn(4), "09:00") } }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/bookings/${id}/confirm`, { method: "POST", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/bookings/${id}/decline`, { method: "POST", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/bookings/${id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect((await api("/api/bookings", { token })).body.items).toEqual([]);
    expect((await api("/api/bookings/stats", { token })).body).toMatchObject({ total: 0, next: null });
    expect((await api(`/api/bookings/${id}`, { token: host.token })).body.status).toBe("CONFIRMED");
    expectProblem(await api("/api/bookings"), 401, "UNAUTHORIZED");
  });
});


describe("public booking limits and origins", () => {
  it("limits public writes per address (429 with Retry-After) and answers CORS from any origin", async () => {
    const host = await newHost();
    const ip = uniqueIp();
    await freshRateLimitWindow(20_000);
    const hold = () => api(`/api/public/booking/${host.handle}/hold`, { json: { start: at(localDateIn(2), "09:00") }, ip });
    let limited: Awaited<ReturnType<typeof hold>> | undefined;
    for (let i = 0; i < 130 && !limited; i++) {
      const res = await hold();
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(409);
    }
    expectProblem(limited!, 429, "RATE_LIMITED");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not affected.
    expectProblem(await api(`/api/public/booking/${host.handle}/hold`, { json: { start: at(localDateIn(2), "09:00") }, ip: uniqueIp() }), 409, "CONFLICT");

    const preflight = await api(`/api/public/booking/${host.handle}/book`, { method: "OPTIONS", headers: { origin: "https://studio-site.example", "access-control-request-method": "POST" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://studio-site.example");
    const private_ = await api("/api/bookings", { method: "OPTIONS", headers: { origin: "https://studio-site.example", "access-control-request-method": "GET" } });
    expect(private_.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("what review found", () => {
  it("refuses a handle shaped like a user id, so nobody can shadow another host's id", async () => {
    const victim = await newHost();
    const { accessToken: token } = await register();
    const res = await api("/api/booking/settings", { method: "PUT", token, json: { enabled: true, handle: victim.id } });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.handle"]);
    expect((await api(`/api/public/booking/${victim.id}/info`)).body.id).toBe(victim.id);
  });

  it("a new guest's unreadable phone is a 400 on body.phone, and nothing is stored", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const res = await book(host.handle, at(localDateIn(2), "09:00"), { phone: "123" });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.phone"]);
    expect(await bookingsOf(host.id)).toEqual([]);
  });

  it("a hold keeps its buffer and counts toward the daily limit, so its holder can always book it", async () => {
    const host = await newHost({ bufferMinutes: 15, dailyLimit: 2 });
    await dailyMorning(host);
    const day = localDateIn(2);
    const hold = await api(`/api/public/booking/${host.handle}/hold`, { json: { start: at(day, "10:00") }, ip: uniqueIp() });
    expectProblem(await book(host.handle, at(day, "11:00")), 409, "CONFLICT");
    expect((await book(host.handle, at(day, "09:00"))).status).toBe(409);
    const other = localDateIn(3);
    await api(`/api/public/booking/${host.handle}/hold`, { json: { start: at(other, "09:00") }, ip: uniqueIp() });
    expect((await book(host.handle, at(other, "11:00"))).status).toBe(201);
    // One booking and one hold: the day is at its limit for everyone but the holder.
    expect((await api(`/api/public/booking/${host.handle}/availability?from=${other}T00:00:00Z&to=${other}T23:00:00Z`)).body.slots).toEqual([]);
    expect((await book(host.handle, at(day, "10:00"), { holdToken: hold.body.holdToken })).status).toBe(201);
  });

  it("at most 10 live holds per host", async () => {
    const host = await newHost();
    const first = localDateIn(1);
    await addSlot(host.token, { timezone: "UTC", startsAt: `${first}T08:00`, endsAt: `${first}T20:00`, recurrence: { frequency: "DAILY" }, slotMinutes: 60 });
    const day = localDateIn(2);
    const hours = ["08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18"];
    const answers = [];
    for (const h of hours) answers.push((await api(`/api/public/booking/${host.handle}/hold`, { json: { start: at(day, `${h}:00`) }, ip: uniqueIp() })).status);
    expect(answers).toEqual([...Array(10).fill(201), 409]);
    expect((await book(host.handle, at(day, "19:00"))).status).toBe(201);
  });

  it("a booking that has started can no longer be cancelled or moved by the guest (410)", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const { body } = await book(host.handle, at(localDateIn(2), "09:00"));
    await auditedBatch(db, systemActor("test"), [
      db.update(bookings).set({ startAt: new Date(Date.now() - 60_000), endAt: new Date(Date.now() + 3_540_000) }).where(eq(bookings.id, body.booking.id)),
    ]);
    expectProblem(await api(`/api/public/booking/cancel/${body.cancelToken}`, { method: "POST", ip: uniqueIp() }), 410, "GONE");
    expectProblem(await api(`/api/public/booking/reschedule/${body.cancelToken}`, { json: { start: at(localDateIn(2), "10:00") }, ip: uniqueIp() }), 410, "GONE");
  });

  it("refuses a range holding more slots than one request may expand, and a 101st availability slot", async () => {
    const host = await newHost();
    const first = localDateIn(1);
    const dense = { timezone: "UTC", startsAt: `${first}T00:00`, endsAt: `${localDateIn(2)}T00:00`, recurrence: { frequency: "DAILY" }, slotMinutes: 5 };
    await addSlot(host.token, dense);
    await addSlot(host.token, { ...dense, startsAt: `${first}T00:01`, endsAt: `${localDateIn(2)}T00:01` });
    const from = new Date(`${first}T00:00:00Z`);
    const res = await api(`/api/public/booking/${host.handle}/availability?from=${from.toISOString()}&to=${new Date(from.getTime() + 62 * 86_400_000).toISOString()}`);
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["query.to"]);
    expect((await api(`/api/public/booking/${host.handle}/availability?from=${from.toISOString()}&to=${new Date(from.getTime() + 7 * 86_400_000).toISOString()}`)).status).toBe(200);

    const { accessToken: token } = await register();
    await Promise.all(Array.from({ length: 100 }, (_, i) => addSlot(token, { timezone: "UTC", startsAt: `2027-01-01T${String(i % 24).padStart(2, "0")}:00`, endsAt: `2027-01-01T${String(i % 24).padStart(2, "0")}:30` })));
    expectProblem(await api("/api/availability", { token, json: { timezone: "UTC", startsAt: "2027-01-02T09:00", endsAt: "2027-01-02T10:00" } }), 409, "CONFLICT");
  });
});

describe("log lines", () => {
  it("never carry a guest's token", () => {
    expect(loggablePath("/api/public/booking/cancel/abcDEF123_-x")).toBe("/api/public/booking/cancel/[token]");
    expect(loggablePath("/book/manage/abcDEF123/reschedule")).toBe("/book/manage/[token]/reschedule");
    expect(loggablePath("/api/public/booking/holds/tok")).toBe("/api/public/booking/holds/[token]");
    expect(loggablePath("/api/bookings/0190a000")).toBe("/api/bookings/0190a000");
  });
});

describe("guests as contacts", () => {
  it("a merge of two contacts keeps their bookings on the contact that stays", async () => {
    const host = await newHost();
    await dailyMorning(host);
    const day = localDateIn(2);
    const first = await book(host.handle, at(day, "09:00"), { name: "Grace Hopper", email: "grace@navy.example" });
    const second = await book(host.handle, at(day, "10:00"), { name: "Grace Hopper", email: "grace@yale.example" });
    const rows = await bookingsOf(host.id);
    const [keep, gone] = [rows.find((b) => b.id === first.body.booking.id)!.contactId!, rows.find((b) => b.id === second.body.booking.id)!.contactId!];
    expect(keep).not.toBe(gone);
    const pairs = await api("/api/duplicates", { token: host.token });
    expect(pairs.body.items).toHaveLength(1);
    const merged = await api(`/api/duplicates/${pairs.body.items[0].id}/merge`, { token: host.token, json: { keepId: keep } });
    expect(merged.status, merged.text).toBe(200);
    expect(new Set((await bookingsOf(host.id)).map((b) => b.contactId))).toEqual(new Set([keep]));
  });
});
