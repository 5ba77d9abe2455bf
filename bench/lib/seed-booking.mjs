// The booking benchmark's data and load: hosts and their weekly availability, guests' bookings made through the
// public and host APIs as the app and the booking page would, guests booking in a closed loop, and what the
// bench reads around its load (is workerd idle again, how much CPU it and the machine used). Every simulated
// guest books from an address of its own (CF-Connecting-IP, which wrangler dev passes through): public booking
// writes are limited per address, and a crowd of guests is many addresses, not one.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { workerdPids } from "./memory.mjs";
import { cpuMs } from "./proc-stats.mjs";
import { request } from "./servers.mjs";

export const HOST_ZONE = "Europe/Paris";
const DAY = 86_400_000;
/** BOOKING_MAX_RANGE_DAYS: the longest range one availability request may ask for. */
export const MAX_RANGE_DAYS = 62;

/** MO–FR 09:00–18:00 and SA 09:00–12:00, Paris time, in 30-minute slots, repeating since January. */
export const WEEKLY_RULES = [
  { timezone: HOST_ZONE, startsAt: "2026-01-05T09:00", endsAt: "2026-01-05T18:00", recurrence: { frequency: "WEEKLY", byWeekday: ["MO", "TU", "WE", "TH", "FR"] }, slotMinutes: 30 },
  { timezone: HOST_ZONE, startsAt: "2026-01-10T09:00", endsAt: "2026-01-10T12:00", recurrence: { frequency: "WEEKLY", byWeekday: ["SA"] }, slotMinutes: 30 },
];

let guests = 0;
/** A fresh guest: its own address (10.0.0.0/8, one per guest for the whole run) and email. */
export function nextGuest() {
  const n = ++guests;
  return { n, ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, name: `Guest ${n}`, email: `guest-${n}@bench.example` };
}

/**
 * Registers a host (from an address of its own: registration is limited per address), sets their zone, opens
 * their booking page under `handle` and adds WEEKLY_RULES. Returns { id, token, handle }.
 */
export async function createHost(url, { handle, index, maxAdvanceDays = 365 }) {
  const body = { email: `${handle}-${randomUUID().slice(0, 8)}@bench.example`, password: "correct horse battery staple", firstName: "Host", lastName: `${index}` };
  const registered = await request(url, "POST", "/api/auth/register", { body, headers: { "cf-connecting-ip": `198.18.${index >> 8}.${index & 255}` }, expect: [201] });
  const headers = { authorization: `Bearer ${registered.accessToken}` };
  await request(url, "PATCH", "/api/users/me", { body: { timezone: HOST_ZONE }, headers });
  await request(url, "PUT", "/api/booking/settings", { body: { enabled: true, handle, maxAdvanceDays, minNoticeMinutes: 0, bufferMinutes: 0, dailyLimit: null }, headers });
  for (const rule of WEEKLY_RULES) await request(url, "POST", "/api/availability", { body: rule, headers, expect: [201] });
  return { id: registered.user.id, token: registered.accessToken, handle };
}

/** The public availability of [from, from + days), in requests of at most MAX_RANGE_DAYS: slot starts, ISO. */
export async function listOpenSlots(url, handle, from, days) {
  const starts = [];
  for (let offset = 0; offset < days; offset += MAX_RANGE_DAYS) {
    const chunkFrom = new Date(from.getTime() + offset * DAY);
    const chunkTo = new Date(from.getTime() + Math.min(days, offset + MAX_RANGE_DAYS) * DAY);
    const page = await getJson(url, `/api/public/booking/${handle}/availability?from=${chunkFrom.toISOString()}&to=${chunkTo.toISOString()}`);
    starts.push(...page.slots.map((s) => s.start));
  }
  return starts;
}

/** wrangler dev's proxy answers this when its pooled connection to the Worker runtime was closed under the
 *  request (kj's 5-second idle timeouts racing, cloudflare/workers-sdk#14641): the request never reached the
 *  Worker, and the answer asks for it to be sent again, as a browser's retry would. The same race happens one
 *  hop earlier, between this process and the proxy: a kept-alive connection closed by the proxy as the request
 *  goes out ("other side closed", nothing answered); a browser resends on a new connection then too. */
const DEV_PROXY_LOST = "Your worker restarted mid-request";
export const devProxyRetries = { count: 0, stalled: 0 };

/**
 * GET + JSON with a deadline, sent again when it passes. After a burst of lost requests, wrangler dev's proxy
 * has also been seen to leave a request unanswered for good (undici gave up after its 300-second headers
 * timeout); a GET changes nothing, so sending it again is safe. Counted in devProxyRetries.stalled.
 */
export async function getJson(url, path, { headers = {}, timeoutMs = 20_000, attempts = 3 } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${url}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text);
    } catch (error) {
      if (error.name !== "TimeoutError" || attempt >= attempts) throw error;
      devProxyRetries.stalled++;
    }
  }
}

/**
 * POST /api/public/booking/:handle/book for `start` as a new guest. Never throws on a status: returns
 * { status, ms, body } (ms from the first send to the whole answer read, retries of DEV_PROXY_LOST included;
 * status "timeout" when no answer came within `timeoutMs`).
 */
export async function bookAsGuest(url, handle, start, guest = nextGuest(), { timeoutMs = 60_000 } = {}) {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await fetch(`${url}/api/public/booking/${handle}/book`, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": guest.ip },
        body: JSON.stringify({ start, name: guest.name, email: guest.email, timezone: "America/New_York" }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error.name === "TimeoutError") return { status: "timeout", ms: performance.now() - started, body: `no answer in ${timeoutMs} ms` };
      // The dev proxy drops connections now and then (a socket error or a reset before any answer).
      if (["UND_ERR_SOCKET", "ECONNRESET"].includes(error.cause?.code) && attempt < 3) {
        devProxyRetries.count++;
        continue;
      }
      throw error;
    }
    const text = await res.text();
    if (res.status === 503 && text.startsWith(DEV_PROXY_LOST) && attempt < 3) {
      devProxyRetries.count++;
      continue;
    }
    return { status: res.status, ms: performance.now() - started, body: text };
  }
}

/** Books `count` of the host's open slots in [from, from + days), evenly spread, `concurrency` at a time. */
export async function seedBookings(url, host, { count, from, days, concurrency = 4 }) {
  const open = await listOpenSlots(url, host.handle, from, days);
  if (open.length < count) throw new Error(`only ${open.length} open slots in ${days} days, ${count} bookings asked`);
  const chosen = Array.from({ length: count }, (_, i) => open[Math.floor((i * open.length) / count)]);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chosen.length) {
        const start = chosen[next++];
        const res = await bookAsGuest(url, host.handle, start);
        if (res.status !== 201) throw new Error(`seeding: booking ${start} answered ${res.status}: ${res.body.slice(0, 300)}`);
      }
    }),
  );
  return { openBefore: open.length, booked: chosen };
}

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

/**
 * `guests` in a closed loop for `seconds`, each booking the next slot `next()` hands out ({ host, start }, or
 * undefined when none is left: `exhausted`). Counts each host's 201s in `host.booked`.
 */
export async function closedLoop(url, { guests, seconds, next }) {
  const latencies = [];
  const statuses = {};
  const unexpected = [];
  const retriesBefore = devProxyRetries.count;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let exhausted = false;
  await Promise.all(
    Array.from({ length: guests }, async () => {
      while (performance.now() < deadline) {
        const slot = next();
        if (!slot) {
          exhausted = true;
          return;
        }
        const res = await bookAsGuest(url, slot.host.handle, slot.start);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 201) {
          slot.host.booked++;
          latencies.push(res.ms);
        } else if (unexpected.length < 3) unexpected.push(`${res.status} ${slot.start}: ${res.body.slice(0, 200)}`);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000; // includes the requests still in flight at the deadline
  latencies.sort((a, b) => a - b);
  return {
    perSec: latencies.length / elapsed,
    booked: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    unexpected,
    elapsed,
    exhausted,
    retries: devProxyRetries.count - retriesBefore,
  };
}

// ─── measuring around the load ───────────────────────────────────────────────────────────────────────────────

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the Worker's workerd processes are nearly idle (under 10 % of a core for two 1-second windows in
 * a row), at most `maxMs`: every booking enqueues a `booking.announce` job (emails, notification, calendar),
 * and a measurement should not start while the previous step's jobs still run. Returns { ms waited, settled }.
 */
export async function settle(app, maxMs) {
  const started = performance.now();
  let quiet = 0;
  while (performance.now() - started < maxMs) {
    const before = workerdCpu(app);
    await sleep(1000);
    quiet = workerdCpu(app) - before < 100 ? quiet + 1 : 0;
    if (quiet >= 2) return { ms: performance.now() - started, settled: true };
  }
  return { ms: performance.now() - started, settled: false };
}

/** CPU ms used so far by the Worker's workerd processes (the dev proxy and the runtime with its objects). */
export const workerdCpu = (app) => workerdPids(app.pid).reduce((sum, pid) => sum + cpuMs(pid), 0);

/** Busy and total jiffies of the whole machine (/proc/stat), to show how much of its cores was in use. */
export function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3] - fields[4], total };
}
