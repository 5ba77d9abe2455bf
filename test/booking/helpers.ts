import { env } from "cloudflare:test";
import { Temporal } from "temporal-polyfill";
import { expect } from "vitest";
import { createDb } from "@shared/db/client";
import { api, register, uniqueIp } from "../support/http";

export const db = createDb(env.DB);
export const DAY = 86_400_000;

export interface TestHost {
  id: string;
  token: string;
  handle: string;
  email: string;
}

/** A registered host with booking enabled under a fresh handle; `settings` override the defaults. */
export async function newHost(settings: Record<string, unknown> = {}, profile: Record<string, unknown> = {}): Promise<TestHost> {
  const account = await register();
  if (Object.keys(profile).length > 0) {
    const res = await api("/api/users/me", { method: "PATCH", token: account.accessToken, json: profile });
    expect(res.status, res.text).toBe(200);
  }
  const handle = `host-${crypto.randomUUID().slice(0, 8)}`;
  const res = await api("/api/booking/settings", { method: "PUT", token: account.accessToken, json: { enabled: true, handle, maxAdvanceDays: 730, ...settings } });
  expect(res.status, res.text).toBe(200);
  return { id: account.user.id, token: account.accessToken, handle, email: account.email };
}

export async function addSlot(token: string, json: Record<string, unknown>) {
  const res = await api("/api/availability", { token, json });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; [key: string]: unknown };
}

/** The local date `days` from today in `zone` (`YYYY-MM-DD`). */
export const localDateIn = (days: number, zone = "UTC") => Temporal.Now.plainDateISO(zone).add({ days }).toString();

/** Open slots of `host` in [from, to) as ISO start strings. */
export async function openStarts(hostKey: string, from: Date | string, to: Date | string): Promise<string[]> {
  const iso = (v: Date | string) => (typeof v === "string" ? v : v.toISOString());
  const res = await api(`/api/public/booking/${hostKey}/availability?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}`);
  expect(res.status, res.text).toBe(200);
  return (res.body.slots as { start: string }[]).map((s) => s.start);
}

export const guest = (overrides: Record<string, unknown> = {}) => ({ name: "Grace Hopper", email: `guest-${crypto.randomUUID().slice(0, 8)}@example.com`, ...overrides });

/** Books `start` for a guest; each call from its own address so the per-IP limiter never interferes. */
export function book(hostKey: string, start: string, overrides: Record<string, unknown> = {}) {
  return api(`/api/public/booking/${hostKey}/book`, { json: { start, ...guest(overrides) }, ip: uniqueIp() });
}

/** A daily 09:00–12:00 UTC window split in hour slots, from tomorrow on. */
export async function dailyMorning(host: TestHost, slotMinutes = 60) {
  const first = localDateIn(1);
  await addSlot(host.token, { timezone: "UTC", startsAt: `${first}T09:00`, endsAt: `${first}T12:00`, recurrence: { frequency: "DAILY" }, slotMinutes });
  return first;
}
