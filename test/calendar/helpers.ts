// Google Calendar tests run against the fake Google (test/support/node/fake-google*.ts): vitest.config.ts routes
// the Worker's requests to Google's hosts to it, and its control endpoints answer at http://fake-google.test.
import { createMessageBatch, env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { bookings, calendarConnections, type Booking } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { processMessage } from "../../workers/jobs";
import { calendarSyncKey } from "../../workers/modules/calendar/sync";
import { api, register, type Account } from "../support/http";

export const db = createDb(env.DB);
export const config = getConfig(env);
export const deps = { env, db, config };
export const FAKE_GOOGLE = "http://fake-google.test";

export interface Identity {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

export function googleIdentity(): Identity {
  const n = crypto.randomUUID().slice(0, 8);
  return { sub: `1${Date.now()}${n.replace(/\D/g, "")}`, email: `studio.${n}@gmail.example`, email_verified: true, name: "Studio Owner" };
}

/** A control call to the fake Google; answers its JSON. */
export async function fake<T = any>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${FAKE_GOOGLE}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: init.json === undefined ? {} : { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  expect(res.ok, text).toBe(true);
  return JSON.parse(text) as T;
}

/** A browser signed in at Google as `identity`: the Cookie header for the authorization request. */
export async function googleCookie(identity: Identity, consent: "allow" | "deny" = "allow"): Promise<string> {
  return (await fake<{ cookie: string }>("/__fake/sessions", { json: { identity, consent } })).cookie;
}

/** Google's consent page, as the browser signed in there sees it: answers where Google sends the browser back. */
export async function atGoogle(url: string, cookie: string): Promise<URL> {
  const res = await fetch(url, { redirect: "manual", headers: { cookie } });
  const body = await res.text();
  expect(res.status, body).toBe(302);
  return new URL(res.headers.get("location")!);
}

/** The dashboard's start: Google's consent URL for this account. */
export async function startConnect(account: Account): Promise<URL> {
  const res = await api<{ url: string }>("/api/calendar/google/connect", { method: "POST", token: account.accessToken });
  expect(res.status, res.text).toBe(200);
  return new URL(res.body.url);
}

/** Where the Worker's callback sends the browser, as a URL. */
export async function callback(url: URL | string) {
  const res = await api(url.toString());
  expect(res.status, res.text).toBe(302);
  return new URL(res.headers.get("location")!);
}

/** The single-use code of a successful callback's redirect to the dashboard. */
export function codeOf(redirect: URL): string {
  expect(`${redirect.origin}${redirect.pathname}`, redirect.toString()).toBe(`${config.appUrl}/settings/calendar`);
  expect([...redirect.searchParams.keys()], redirect.toString()).toEqual(["code"]);
  return redirect.searchParams.get("code")!;
}

/** The dashboard, signed in as `account`, redeems the callback's code. */
export function complete(account: Account, code: string) {
  return api("/api/calendar/google/complete", { method: "POST", token: account.accessToken, json: { code } });
}

/** Start, consent at Google as `identity`, callback: answers the code the dashboard receives. */
export async function consentCode(account: Account, identity: Identity): Promise<string> {
  return codeOf(await callback(await atGoogle((await startConnect(account)).toString(), await googleCookie(identity))));
}

/** The whole connect flow for `account` (a new one by default) and a Google account (a new one by default). */
export async function connectedHost(account?: Account, identity = googleIdentity()): Promise<{ account: Account; identity: Identity }> {
  const host = account ?? (await register());
  const done = await complete(host, await consentCode(host, identity));
  expect(done.status, done.text).toBe(200);
  expect(done.body).toMatchObject({ connected: true, status: "ACTIVE", accountEmail: identity.email });
  return { account: host, identity };
}

export async function connectionOf(userId: string) {
  const [row] = await db.select().from(calendarConnections).where(eq(calendarConnections.userId, userId)).limit(1);
  return row;
}

let slot = 0;

/** A booking stored as the booking core stores one (bookings is audited); a distinct future hour per call. */
export async function newBooking(hostId: string, overrides: Partial<Booking> = {}): Promise<Booking> {
  const startAt = new Date(Date.UTC(2031, 0, 6, 9) + ++slot * 3_600_000);
  const now = new Date();
  const row = {
    id: newId(),
    ownerId: hostId,
    startAt,
    endAt: new Date(startAt.getTime() + 3_600_000),
    status: "CONFIRMED" as const,
    guestName: "Grace Guest",
    guestEmail: `guest-${crypto.randomUUID().slice(0, 8)}@client.example`,
    message: "Family portraits in the garden, please.",
    sequence: 0,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await auditedBatch(db, systemActor("test"), [db.insert(bookings).values(row)]);
  return (await bookingOf(row.id))!;
}

export async function updateBooking(id: string, changes: Partial<Booking>): Promise<Booking> {
  await auditedBatch(db, systemActor("test"), [db.update(bookings).set(changes).where(eq(bookings.id, id))]);
  return (await bookingOf(id))!;
}

export async function bookingOf(id: string) {
  const [row] = await db.select().from(bookings).where(eq(bookings.id, id)).limit(1);
  return row;
}

let delivery = 0;

/** One delivery of the booking's calendar.sync job through the real consumer path (idempotency claim included). */
export function runSync(bookingId: string, sequence = 0, attempts = 1) {
  const body = { type: "calendar.sync", key: calendarSyncKey(bookingId, sequence), payload: { bookingId }, enqueuedAt: new Date().toISOString() };
  const message = createMessageBatch("lightbox-jobs", [{ id: `calendar-msg-${++delivery}`, timestamp: new Date(), attempts, body }]).messages[0]!;
  return processMessage(db, env, message);
}

export const eventsOf = async (email: string) => (await fake<{ items: any[] }>(`/__fake/calendar/events?email=${encodeURIComponent(email)}`)).items;
export const requestsOf = async (email: string) =>
  (await fake<{ items: { operation: string; status: number }[] }>(`/__fake/calendar/requests?email=${encodeURIComponent(email)}`)).items;
