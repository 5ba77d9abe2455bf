import { describe, expect, it } from "vitest";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { addSlot, localDateIn, newHost } from "./helpers";

const slot = (overrides: Record<string, unknown> = {}) => ({ timezone: "Europe/Paris", startsAt: "2026-12-07T09:00", endsAt: "2026-12-07T12:00", ...overrides });

describe("availability slots", () => {
  it("creates, reads, lists, updates and deletes a slot with its recurrence", async () => {
    const { accessToken: token } = await register();
    const created = await api("/api/availability", { token, json: slot({ recurrence: { frequency: "WEEKLY", byWeekday: ["MO", "WE"], until: "2027-06-30" }, slotMinutes: 60 }) });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      timezone: "Europe/Paris",
      startsAt: "2026-12-07T09:00",
      endsAt: "2026-12-07T12:00",
      recurrence: { frequency: "WEEKLY", byWeekday: ["MO", "WE"], until: "2027-06-30" },
      slotMinutes: 60,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const { id } = created.body;
    expect((await api(`/api/availability/${id}`, { token })).body).toEqual(created.body);
    expect((await api("/api/availability", { token })).body).toEqual({ items: [created.body], nextCursor: null });

    const updated = await api(`/api/availability/${id}`, { method: "PATCH", token, json: { endsAt: "2026-12-07T13:00", recurrence: null } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toMatchObject({ id, endsAt: "2026-12-07T13:00", recurrence: null, slotMinutes: 60 });

    expect((await api(`/api/availability/${id}`, { method: "DELETE", token })).status).toBe(204);
    expectProblem(await api(`/api/availability/${id}`, { token }), 404, "NOT_FOUND");
  });

  it("pages the list by creation order, every slot exactly once", async () => {
    const { accessToken: token } = await register();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await addSlot(token, slot({ startsAt: `2026-12-0${i + 1}T09:00`, endsAt: `2026-12-0${i + 1}T10:00` }))).id);
    const first = await api("/api/availability?limit=2", { token });
    const second = await api(`/api/availability?limit=2&cursor=${first.body.nextCursor}`, { token });
    const third = await api(`/api/availability?limit=2&cursor=${second.body.nextCursor}`, { token });
    expect([...first.body.items, ...second.body.items, ...third.body.items].map((s: { id: string }) => s.id)).toEqual(ids);
    expect(third.body.nextCursor).toBeNull();
  });

  it("refuses bad slots with the field named", async () => {
    const { accessToken: token } = await register();
    const cases: [Record<string, unknown>, string][] = [
      [slot({ timezone: "Mars/Olympus" }), "body.timezone"],
      [slot({ startsAt: "2026-12-07 09:00" }), "body.startsAt"],
      [slot({ startsAt: "2026-02-30T09:00" }), "body.startsAt"],
      [slot({ startsAt: "2026-12-07T09:00+01:00" }), "body.startsAt"],
      [slot({ endsAt: "2026-12-07T08:00" }), "body.endsAt"],
      [slot({ endsAt: "2026-12-09T08:00" }), "body.endsAt"],
      [slot({ slotMinutes: 240 }), "body.slotMinutes"],
      [slot({ slotMinutes: 2 }), "body.slotMinutes"],
      [slot({ recurrence: { frequency: "MONTHLY" } }), "body.recurrence.frequency"],
      [slot({ recurrence: { frequency: "DAILY", byWeekday: ["MO"] } }), "body.recurrence.byWeekday"],
      [slot({ recurrence: { frequency: "WEEKLY", byWeekday: ["XX"] } }), "body.recurrence.byWeekday.0"],
      [slot({ recurrence: { frequency: "WEEKLY", byWeekday: ["MO", "MO"] } }), "body.recurrence.byWeekday"],
      [slot({ recurrence: { frequency: "DAILY", until: "2026-12-01" } }), "body.recurrence.until"],
      [slot({ recurrence: { frequency: "DAILY", interval: 0 } }), "body.recurrence.interval"],
      [slot({ color: "red" }), "body.color"],
    ];
    for (const [json, path] of cases) {
      const res = await api("/api/availability", { token, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), JSON.stringify(json)).toContain(path);
    }
    const created = await addSlot(token, slot());
    const res = await api(`/api/availability/${created.id}`, { method: "PATCH", token, json: { startsAt: "2026-12-07T13:00" } });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.endsAt"]);
    expectProblem(await api(`/api/availability/${created.id}`, { method: "PATCH", token, json: {} }), 400, "VALIDATION_FAILED");
    expectProblem(await api("/api/availability", { json: slot() }), 401, "UNAUTHORIZED");
  });
});

describe("date exceptions", () => {
  it("blocks a date or replaces its hours, one per date, in the host's zone by default", async () => {
    const host = await newHost({}, { timezone: "Europe/Paris" });
    const date = localDateIn(10, "Europe/Paris");
    const blocked = await api("/api/availability/exceptions", { method: "PUT", token: host.token, json: { date, kind: "BLOCKED" } });
    expect(blocked.status, blocked.text).toBe(200);
    expect(blocked.body).toMatchObject({ date, kind: "BLOCKED", timezone: "Europe/Paris", windows: null });
    const hours = await api("/api/availability/exceptions", { method: "PUT", token: host.token, json: { date, kind: "HOURS", windows: [{ start: "14:00", end: "16:00" }], slotMinutes: 30 } });
    expect(hours.body).toMatchObject({ id: blocked.body.id, kind: "HOURS", windows: [{ start: "14:00", end: "16:00" }], slotMinutes: 30 });
    const later = localDateIn(20, "Europe/Paris");
    await api("/api/availability/exceptions", { method: "PUT", token: host.token, json: { date: later, kind: "BLOCKED" } });
    const list = await api(`/api/availability/exceptions?from=${localDateIn(15, "Europe/Paris")}`, { token: host.token });
    expect(list.body.items.map((e: { date: string }) => e.date)).toEqual([later]);
    expect((await api(`/api/availability/exceptions/${blocked.body.id}`, { method: "DELETE", token: host.token })).status).toBe(204);
    expect((await api("/api/availability/exceptions", { token: host.token })).body.items.map((e: { date: string }) => e.date)).toEqual([later]);
  });

  it("refuses bad exceptions with the field named", async () => {
    const { accessToken: token } = await register();
    const cases: [Record<string, unknown>, string][] = [
      [{ date: "2026-13-01", kind: "BLOCKED" }, "body.date"],
      [{ date: "2026-12-01", kind: "CLOSED" }, "body.kind"],
      [{ date: "2026-12-01", kind: "HOURS" }, "body.windows"],
      [{ date: "2026-12-01", kind: "BLOCKED", windows: [{ start: "09:00", end: "10:00" }] }, "body.windows"],
      [{ date: "2026-12-01", kind: "HOURS", windows: [{ start: "10:00", end: "09:00" }] }, "body.windows.0.end"],
      [{ date: "2026-12-01", kind: "HOURS", windows: [{ start: "25:00", end: "26:00" }] }, "body.windows.0.start"],
    ];
    for (const [json, path] of cases) {
      const res = await api("/api/availability/exceptions", { method: "PUT", token, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), JSON.stringify(json)).toContain(path);
    }
  });
});

describe("booking settings", () => {
  it("answers defaults until saved, keeps omitted fields, and refuses a taken or reserved handle", async () => {
    const { accessToken: token } = await register();
    expect((await api("/api/booking/settings", { token })).body).toEqual({
      enabled: false,
      handle: null,
      title: null,
      description: null,
      minNoticeMinutes: 0,
      maxAdvanceDays: 60,
      bufferMinutes: 0,
      dailyLimit: null,
      requiresConfirmation: false,
    });
    const handle = `Studio-${crypto.randomUUID().slice(0, 6)}`;
    const saved = await api("/api/booking/settings", { method: "PUT", token, json: { enabled: true, handle, title: "Portraits", bufferMinutes: 15, dailyLimit: 3 } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ enabled: true, handle: handle.toLowerCase(), title: "Portraits", bufferMinutes: 15, dailyLimit: 3 });
    const again = await api("/api/booking/settings", { method: "PUT", token, json: { enabled: false } });
    expect(again.body).toMatchObject({ enabled: false, handle: handle.toLowerCase(), title: "Portraits", bufferMinutes: 15 });

    const other = await register();
    expectProblem(await api("/api/booking/settings", { method: "PUT", token: other.accessToken, json: { enabled: true, handle: handle.toUpperCase() } }), 409, "CONFLICT");
    for (const [bad, path] of [
      [{ enabled: true, handle: "manage" }, "body.handle"],
      [{ enabled: true, handle: "a" }, "body.handle"],
      [{ enabled: true, handle: "bad handle" }, "body.handle"],
      [{ handle: "fine-handle" }, "body.enabled"],
      [{ enabled: true, bufferMinutes: -5 }, "body.bufferMinutes"],
      [{ enabled: true, dailyLimit: 0 }, "body.dailyLimit"],
      [{ enabled: true, maxAdvanceDays: 0 }, "body.maxAdvanceDays"],
      [{ enabled: true, extra: 1 }, "body.extra"],
    ] as const) {
      const res = await api("/api/booking/settings", { method: "PUT", token: other.accessToken, json: bad });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), JSON.stringify(bad)).toContain(path);
    }
  });
});

describe("another host's availability", () => {
  it("is 404 on every route and never listed", async () => {
    const owner = await newHost();
    const created = await addSlot(owner.token, slot());
    const exception = await api("/api/availability/exceptions", { method: "PUT", token: owner.token, json: { date: "2026-12-24", kind: "BLOCKED" } });
    const intruder = await register();
    const token = intruder.accessToken;
    expectProblem(await api(`/api/availability/${created.id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/availability/${created.id}`, { method: "PATCH", token, json: { endsAt: "2026-12-07T13:00" } }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/availability/${created.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/availability/exceptions/${exception.body.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect((await api("/api/availability", { token })).body.items).toEqual([]);
    expect((await api("/api/availability/exceptions", { token })).body.items).toEqual([]);
    expect((await api(`/api/availability/${created.id}`, { token: owner.token })).status).toBe(200);
  });
});
