// The host's Google Calendar as the booking features use it: an OAuth client that keeps its access token fresh
// (refresh grant), stops for good when Google says the grant is gone, and the four Calendar API calls Lightbox
// makes (events insert, patch and delete, freeBusy) in Google's documented wire format.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import { calendarConnections, users, type CalendarConnection } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { sealSecret, unsealSecret } from "@shared/lib/crypto";
import { calendarDisconnectedEmail } from "../../templates/emails/calendar";
import { notify } from "../notifications/service";

/** No request and no actor: the sync job, the availability of a public page and routes all use it. */
export interface CalendarDeps {
  env: Env;
  db: Db;
  config: Config;
}

/** Google no longer honours the grant: the connection is now REVOKED, and callers stop instead of retrying. */
export class CalendarRevokedError extends Error {
  override name = "CalendarRevokedError";
}

/** Any other failure at Google (outage, throttling, a refused request): transient for callers, who retry or fall back. */
export class GoogleApiError extends Error {
  override name = "GoogleApiError";
  constructor(
    readonly status: number,
    readonly reason: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The reasons of a 403 that mean the grant no longer lets Lightbox write to the calendar (scopes withdrawn,
 * writer access to the calendar lost). Google's other 403s (rateLimitExceeded, quotaExceeded...) are throttling.
 */
const ACCESS_LOST = new Set(["insufficientPermissions", "forbidden"]);
/** An access token this close to its stated expiry is refreshed first (clock skew, slow requests). */
const EXPIRY_MARGIN_MS = 60_000;
const TIMEOUT_MS = 10_000;

const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().positive(), refresh_token: z.string().min(1).optional() });
const OAuthError = z.object({ error: z.string(), error_description: z.string().optional() });
/** Google's JSON error body: `{ error: { code, message, errors: [{ domain, reason, message }] } }`. */
const ApiErrorBody = z.object({
  error: z.object({ message: z.string().optional(), errors: z.array(z.object({ reason: z.string().optional() })).optional() }),
});
const FreeBusyAnswer = z.object({
  calendars: z.record(
    z.string(),
    z.object({
      busy: z.array(z.object({ start: z.string(), end: z.string() })).default([]),
      errors: z.array(z.object({ domain: z.string().optional(), reason: z.string() })).optional(),
    }),
  ),
});

export interface EventTime {
  dateTime: string;
}

/** The part of Google's Event resource Lightbox writes. */
export interface CalendarEvent {
  id: string;
  summary: string;
  description?: string;
  start: EventTime;
  end: EventTime;
  status: "confirmed" | "tentative";
  attendees: { email: string; displayName?: string }[];
  conferenceData?: { createRequest: { requestId: string; conferenceSolutionKey: { type: "hangoutsMeet" } } };
  extendedProperties?: { private: Record<string, string> };
}

export type EventPatch = Partial<Pick<CalendarEvent, "start" | "end" | "status">>;

export interface GoogleCalendar {
  readonly userId: string;
  /** "created", or "exists" when an event with this id is already there (a retried insert: Google answers 409). */
  insertEvent(event: CalendarEvent): Promise<"created" | "exists">;
  /** "gone" when the calendar has no such event any more (404 or 410). */
  patchEvent(eventId: string, patch: EventPatch): Promise<"patched" | "gone">;
  /** An event already gone (404 or 410) counts as deleted. */
  deleteEvent(eventId: string): Promise<void>;
  /** Busy intervals `[startMs, endMs]` of the connected calendar between the two instants. */
  freeBusy(from: Date, to: Date, timeoutMs?: number): Promise<[number, number][]>;
}

/** The connected calendar of this user, or null when there is none, it was revoked, or the server cannot use it. */
export async function openGoogleCalendar(deps: CalendarDeps, userId: string): Promise<GoogleCalendar | null> {
  const { clientId, clientSecret } = deps.config.google;
  const key = deps.config.tokenSealingKey;
  if (!clientId || !clientSecret || !key) return null;
  const [row] = await deps.db.select().from(calendarConnections).where(eq(calendarConnections.userId, userId)).limit(1);
  if (!row || row.status !== "ACTIVE") return null;
  return new Client(deps, row, { key, clientId, clientSecret });
}

class Client implements GoogleCalendar {
  private accessToken: Promise<string | null>;
  private expiresAt: number;

  constructor(
    private readonly deps: CalendarDeps,
    private readonly row: CalendarConnection,
    private readonly secrets: { key: string; clientId: string; clientSecret: string },
  ) {
    this.expiresAt = row.accessTokenExpiresAt?.getTime() ?? 0;
    // A token sealed under an older key is only a missed shortcut: a refresh replaces it.
    this.accessToken = row.accessTokenSealed ? unsealSecret(secrets.key, row.accessTokenSealed).catch(() => null) : Promise.resolve(null);
  }

  get userId() {
    return this.row.userId;
  }

  private get calendarPath() {
    return `/calendars/${encodeURIComponent(this.row.calendarId)}`;
  }

  private async token(forceRefresh: boolean): Promise<string> {
    const current = await this.accessToken;
    if (!forceRefresh && current && this.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return current;
    this.accessToken = this.refresh();
    return (await this.accessToken)!;
  }

  /** The refresh grant (RFC 6749 §6). `invalid_grant` means the person revoked access or the grant expired. */
  private async refresh(): Promise<string> {
    const { config, db } = this.deps;
    const refreshToken = await unsealSecret(this.secrets.key, this.row.refreshTokenSealed).catch(() => null);
    if (refreshToken === null) {
      // TOKEN_SEALING_KEY changed: the grant is as lost as a revoked one, and only the host can renew it.
      await markRevoked(this.deps, this.row, "the stored grant cannot be opened with the current TOKEN_SEALING_KEY");
      throw new CalendarRevokedError(`The calendar grant of user ${this.row.userId} cannot be unsealed`);
    }
    const res = await fetch(config.google.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: this.secrets.clientId, client_secret: this.secrets.clientSecret }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const error = OAuthError.safeParse(body);
      if (error.success && error.data.error === "invalid_grant") {
        await markRevoked(this.deps, this.row, `invalid_grant: ${error.data.error_description ?? "the grant was revoked or has expired"}`);
        throw new CalendarRevokedError(`Google revoked the calendar grant of user ${this.row.userId}`);
      }
      throw new GoogleApiError(res.status, error.success ? error.data.error : null, `Google's token endpoint answered ${res.status}${error.success ? ` ${error.data.error}` : ""}`);
    }
    const answer = TokenAnswer.safeParse(body);
    if (!answer.success) throw new GoogleApiError(res.status, null, "Google's token endpoint answered an unexpected body");
    this.expiresAt = Date.now() + answer.data.expires_in * 1000;
    const rotated = answer.data.refresh_token;
    await db
      .update(calendarConnections)
      .set({
        accessTokenSealed: await sealSecret(this.secrets.key, answer.data.access_token),
        accessTokenExpiresAt: new Date(this.expiresAt),
        ...(rotated ? { refreshTokenSealed: await sealSecret(this.secrets.key, rotated) } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(calendarConnections.userId, this.row.userId), eq(calendarConnections.createdAt, this.row.createdAt)));
    return answer.data.access_token;
  }

  /** One Calendar API call; a 401 (token revoked or expired early) gets one refresh and one retry. */
  private async send(method: string, path: string, options: { query?: Record<string, string>; body?: unknown; timeoutMs?: number } = {}): Promise<Response> {
    const url = new URL(`${this.deps.config.google.calendarApiUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    for (let retried = false; ; retried = true) {
      const headers: Record<string, string> = { authorization: `Bearer ${await this.token(retried)}`, accept: "application/json" };
      if (options.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
      });
      if (res.status !== 401 || retried) return res;
      await res.body?.cancel();
    }
  }

  async insertEvent(event: CalendarEvent): Promise<"created" | "exists"> {
    const res = await this.send("POST", `${this.calendarPath}/events`, { query: { conferenceDataVersion: "1", sendUpdates: "none" }, body: event });
    if (res.ok || res.status === 409) {
      await res.body?.cancel();
      return res.ok ? "created" : "exists";
    }
    throw await this.writeFailure(res, "events.insert");
  }

  async patchEvent(eventId: string, patch: EventPatch): Promise<"patched" | "gone"> {
    const res = await this.send("PATCH", `${this.calendarPath}/events/${encodeURIComponent(eventId)}`, { query: { sendUpdates: "none" }, body: patch });
    if (res.ok || res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      return res.ok ? "patched" : "gone";
    }
    throw await this.writeFailure(res, "events.patch");
  }

  async deleteEvent(eventId: string): Promise<void> {
    const res = await this.send("DELETE", `${this.calendarPath}/events/${encodeURIComponent(eventId)}`, { query: { sendUpdates: "none" } });
    if (res.ok || res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      return;
    }
    throw await this.writeFailure(res, "events.delete");
  }

  /** A write refused for good ends the connection as a revoked grant does, so the job stops instead of retrying. */
  private async writeFailure(res: Response, call: string): Promise<Error> {
    const error = await failure(res, call);
    if (res.status !== 403 || !error.reason || !ACCESS_LOST.has(error.reason)) return error;
    await markRevoked(this.deps, this.row, `${error.reason}: ${error.message}`);
    return new CalendarRevokedError(`Google refused ${call} for the calendar of user ${this.row.userId} (${error.reason})`);
  }

  async freeBusy(from: Date, to: Date, timeoutMs?: number): Promise<[number, number][]> {
    const calendarId = this.row.calendarId;
    const res = await this.send("POST", "/freeBusy", { body: { timeMin: from.toISOString(), timeMax: to.toISOString(), items: [{ id: calendarId }] }, timeoutMs });
    if (!res.ok) throw await failure(res, "freebusy.query");
    const answer = FreeBusyAnswer.safeParse(await res.json().catch(() => null));
    if (!answer.success) throw new GoogleApiError(res.status, null, "Google's freeBusy answered an unexpected body");
    const calendar = answer.data.calendars[calendarId] ?? Object.values(answer.data.calendars)[0];
    // Errors are per calendar inside a 200 (e.g. notFound for a calendar that was deleted).
    if (!calendar || calendar.errors?.length) {
      const reason = calendar?.errors?.[0]?.reason ?? "missing";
      throw new GoogleApiError(res.status, reason, `Google's freeBusy could not read the calendar: ${reason}`);
    }
    return calendar.busy.map((interval) => [Date.parse(interval.start), Date.parse(interval.end)] as [number, number]);
  }
}

async function failure(res: Response, call: string): Promise<GoogleApiError> {
  const parsed = ApiErrorBody.safeParse(await res.json().catch(() => null));
  const reason = parsed.success ? (parsed.data.error.errors?.[0]?.reason ?? null) : null;
  const message = parsed.success ? parsed.data.error.message : undefined;
  return new GoogleApiError(res.status, reason, `Google Calendar ${call} answered ${res.status}${reason ? ` (${reason})` : ""}${message ? `: ${message}` : ""}`);
}

/**
 * Google refused the grant for good. The user is told once per grant (the notification is keyed on the grant's
 * creation, so concurrent or retried callers store and email one), then the connection stops being used; a
 * reconnection in the meantime (a new grant) is left alone.
 */
async function markRevoked(deps: CalendarDeps, row: CalendarConnection, lastError: string): Promise<void> {
  const { db, config } = deps;
  const [user] = await db.select({ firstName: users.firstName }).from(users).where(eq(users.id, row.userId)).limit(1);
  const email = calendarDisconnectedEmail({ firstName: user?.firstName ?? "", accountEmail: row.accountEmail, link: `${config.appUrl}/settings/calendar` });
  await notify(deps, row.userId, {
    type: "CALENDAR_DISCONNECTED",
    title: "Google Calendar disconnected",
    body: "Google no longer lets Lightbox use your calendar. New bookings are not added to it and its busy times are ignored until you connect it again.",
    data: { provider: "GOOGLE", accountEmail: row.accountEmail },
    email,
    key: `calendar-disconnected:${row.createdAt.getTime()}`,
  });
  await db
    .update(calendarConnections)
    .set({ status: "REVOKED", lastError: lastError.slice(0, 500), accessTokenSealed: null, accessTokenExpiresAt: null, busyCache: null, busyFetchedAt: null, updatedAt: new Date() })
    .where(and(eq(calendarConnections.userId, row.userId), eq(calendarConnections.createdAt, row.createdAt), eq(calendarConnections.status, "ACTIVE")));
}
