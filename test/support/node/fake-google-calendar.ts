// The Calendar API v3 side of the fake Google: each account has one calendar (id "primary" or its address), with
// events.insert/get/list/patch/delete and freebusy.query in Google's documented request and answer shapes, its
// error bodies (`{ error: { code, message, errors: [{ domain, reason, message }], status } }`), Bearer tokens
// checked against the grants and their scopes. Deleted events stay as `status: "cancelled"`, so their ids stay
// taken, as at Google. Control functions let a test look at a calendar, fill it, read the API calls made, and
// make the next call fail.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "./fake-google-http";
import type { Grants } from "./fake-google-grants";

const SCOPE = (name: string) => `https://www.googleapis.com/auth/${name}`;
const WRITE_SCOPES = [SCOPE("calendar"), SCOPE("calendar.events")];
const FREEBUSY_SCOPES = [SCOPE("calendar"), SCOPE("calendar.readonly"), SCOPE("calendar.freebusy"), SCOPE("calendar.events.freebusy")];
const EVENT_ID = /^[a-v0-9]{5,1024}$/;

export type CalendarOperation = "insert" | "get" | "list" | "patch" | "delete" | "freebusy";

export interface FakeEvent {
  kind: "calendar#event";
  etag: string;
  id: string;
  status: "confirmed" | "tentative" | "cancelled";
  htmlLink: string;
  created: string;
  updated: string;
  summary?: string;
  description?: string;
  creator: { email: string; self: true };
  organizer: { email: string; self: true };
  start: { dateTime: string; timeZone?: string };
  end: { dateTime: string; timeZone?: string };
  iCalUID: string;
  sequence: number;
  attendees?: { email: string; displayName?: string; responseStatus: string }[];
  hangoutLink?: string;
  conferenceData?: Record<string, unknown>;
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  transparency?: "opaque" | "transparent";
}

export interface CalendarRequest {
  at: number;
  email: string | null;
  operation: CalendarOperation;
  status: number;
}

/**
 * A one-shot failure for an account's next call of `operation`; `commit` applies the call first (a lost answer);
 * `reason` replaces the status's usual one (a 403 is `forbidden`, or e.g. `insufficientPermissions`, `rateLimitExceeded`).
 */
export interface InjectedFailure {
  email: string;
  operation: CalendarOperation;
  status: number;
  commit?: boolean;
  reason?: string;
}

const STATUS_NAMES: Record<number, string> = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" };
const REASONS: Record<number, [string, string]> = {
  403: ["forbidden", "Forbidden"],
  429: ["rateLimitExceeded", "Rate Limit Exceeded"],
  500: ["backendError", "Backend Error"],
  503: ["backendError", "The service is currently unavailable."],
};

const MESSAGES: Record<string, string> = {
  insufficientPermissions: "Request had insufficient authentication scopes.",
  forbidden: "Forbidden",
  rateLimitExceeded: "Rate Limit Exceeded",
  userRateLimitExceeded: "User Rate Limit Exceeded",
};

function apiError(res: ServerResponse, code: number, reason: string, message: string, headers: Record<string, string> = {}) {
  return sendJson(res, code, { error: { code, message, errors: [{ message, domain: "global", reason }], ...(STATUS_NAMES[code] ? { status: STATUS_NAMES[code] } : {}) } }, headers);
}

/** Google's RFC 3339 form for free/busy: UTC, whole seconds. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const randomEventId = () => [...randomBytes(26)].map((b) => "0123456789abcdefghijklmnopqrstuv"[b % 32]).join("");
const meetCode = () => [3, 4, 3].map((n) => [...randomBytes(n)].map((b) => "abcdefghijklmnopqrstuvwxyz"[b % 26]).join("")).join("-");

export function createGoogleCalendar(grants: Grants) {
  const calendars = new Map<string, Map<string, FakeEvent>>();
  const requests: CalendarRequest[] = [];
  const failures: InjectedFailure[] = [];

  const calendarOf = (email: string) => {
    let events = calendars.get(email);
    if (!events) calendars.set(email, (events = new Map()));
    return events;
  };

  function createEvent(email: string, input: Partial<FakeEvent> & Pick<FakeEvent, "start" | "end">, id = randomEventId()): FakeEvent {
    const now = new Date().toISOString();
    const event: FakeEvent = {
      kind: "calendar#event",
      etag: `"${Date.now()}"`,
      id,
      status: input.status === "tentative" ? "tentative" : "confirmed",
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${email}`).toString("base64url")}`,
      created: now,
      updated: now,
      ...(input.summary !== undefined ? { summary: input.summary } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      creator: { email, self: true },
      organizer: { email, self: true },
      start: input.start,
      end: input.end,
      iCalUID: `${id}@google.com`,
      sequence: 0,
      ...(input.attendees ? { attendees: input.attendees.map((a) => ({ ...a, responseStatus: a.responseStatus ?? "needsAction" })) } : {}),
      ...(input.extendedProperties ? { extendedProperties: input.extendedProperties } : {}),
      ...(input.transparency ? { transparency: input.transparency } : {}),
    };
    calendarOf(email).set(id, event);
    return event;
  }

  /** Google's conference creation for `conferenceDataVersion=1`: a Meet link, created synchronously here. */
  function withMeet(event: FakeEvent, createRequest: { requestId?: string; conferenceSolutionKey?: { type?: string } }) {
    const code = meetCode();
    event.hangoutLink = `https://meet.google.com/${code}`;
    event.conferenceData = {
      createRequest: { ...createRequest, status: { statusCode: "success" } },
      entryPoints: [{ entryPointType: "video", uri: event.hangoutLink, label: `meet.google.com/${code}` }],
      conferenceSolution: { key: { type: "hangoutsMeet" }, name: "Google Meet", iconUri: "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png" },
      conferenceId: code,
    };
  }

  const timeOf = (value: unknown) => (value && typeof value === "object" && typeof (value as { dateTime?: unknown }).dateTime === "string" ? Date.parse((value as { dateTime: string }).dateTime) : NaN);

  /** Checks start/end of a (merged) event: Google's "Missing end time." and "The specified time range is empty." */
  function timeProblem(event: { start?: unknown; end?: unknown }): [string, string] | null {
    if (!event.start) return ["required", "Missing start time."];
    if (!event.end) return ["required", "Missing end time."];
    const start = timeOf(event.start);
    const end = timeOf(event.end);
    if (Number.isNaN(start) || Number.isNaN(end)) return ["invalid", "Invalid value for: dateTime"];
    if (end <= start) return ["timeRangeEmpty", "The specified time range is empty."];
    return null;
  }

  function busyOf(email: string, from: number, to: number) {
    const intervals = [...calendarOf(email).values()]
      .filter((e) => e.status !== "cancelled" && e.transparency !== "transparent")
      .map((e) => [Math.max(timeOf(e.start), from), Math.min(timeOf(e.end), to)] as [number, number])
      .filter(([start, end]) => start < end)
      .sort((a, b) => a[0] - b[0]);
    // Free/busy reports merged intervals, not events.
    const merged: [number, number][] = [];
    for (const [start, end] of intervals) {
      const last = merged.at(-1);
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    return merged.map(([start, end]) => ({ start: rfc3339(start), end: rfc3339(end) }));
  }

  /** Answers a /calendar/v3 request; `path` is the part after /calendar/v3. */
  async function handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) {
    const eventMatch = path.match(/^\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/);
    const operation: CalendarOperation | null =
      path === "/freeBusy" && req.method === "POST"
        ? "freebusy"
        : !eventMatch
          ? null
          : eventMatch[2] === undefined
            ? ({ POST: "insert", GET: "list" } as const)[req.method as "POST" | "GET"] ?? null
            : ({ GET: "get", PATCH: "patch", DELETE: "delete" } as const)[req.method as "GET" | "PATCH" | "DELETE"] ?? null;
    if (!operation) return apiError(res, 404, "notFound", "Not Found");
    const raw = await readBody(req, 1024 * 1024);

    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const issued = grants.accessTokenInfo(bearer);
    const caller = grants.holderOf(bearer)?.email ?? null;
    const log = (status: number) => requests.push({ at: Date.now(), email: caller, operation, status });
    if (!issued) {
      log(401);
      return apiError(
        res,
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
    }
    const email = issued.identity.email;
    const allowed = operation === "freebusy" ? FREEBUSY_SCOPES : operation === "get" || operation === "list" ? [...WRITE_SCOPES, SCOPE("calendar.readonly"), SCOPE("calendar.events.readonly")] : WRITE_SCOPES;
    if (!issued.scopes.some((scope) => allowed.includes(scope))) {
      log(403);
      return apiError(res, 403, "insufficientPermissions", "Request had insufficient authentication scopes.");
    }
    const failureAt = failures.findIndex((f) => f.email === email && f.operation === operation);
    const failure = failureAt >= 0 ? failures.splice(failureAt, 1)[0] : undefined;
    const fail = (f: InjectedFailure) => {
      log(f.status);
      const [reason, message] = f.reason ? [f.reason, MESSAGES[f.reason] ?? f.reason] : (REASONS[f.status] ?? ["backendError", "Backend Error"]);
      return apiError(res, f.status, reason, message);
    };
    if (failure && !failure.commit) return fail(failure);
    // A committed failure answers the error instead of what the call would have answered.
    const answer = (status: number, body?: unknown) => {
      if (failure) return fail(failure);
      log(status);
      if (body === undefined) {
        res.writeHead(status, { "content-length": 0 });
        return res.end();
      }
      return sendJson(res, status, body);
    };
    const error = (status: number, reason: string, message: string) => {
      log(status);
      return apiError(res, status, reason, message);
    };

    let body: Record<string, any> = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return error(400, "parseError", "Parse Error");
      }
    }

    if (operation === "freebusy") {
      if (!body.timeMin) return error(400, "required", "Missing timeMin parameter.");
      if (!body.timeMax) return error(400, "required", "Missing timeMax parameter.");
      const from = Date.parse(body.timeMin);
      const to = Date.parse(body.timeMax);
      if (Number.isNaN(from) || Number.isNaN(to)) return error(400, "invalid", "Invalid value for: timeMin/timeMax");
      if (to <= from) return error(400, "timeRangeEmpty", "The specified time range is empty.");
      const items: { id?: string }[] = Array.isArray(body.items) ? body.items : [];
      const calendarsOut: Record<string, unknown> = {};
      for (const item of items) {
        const id = String(item.id ?? "");
        calendarsOut[id] = id === "primary" || id === email ? { busy: busyOf(email, from, to) } : { errors: [{ domain: "global", reason: "notFound" }], busy: [] };
      }
      return answer(200, { kind: "calendar#freeBusy", timeMin: rfc3339(from), timeMax: rfc3339(to), calendars: calendarsOut });
    }

    const calendarId = decodeURIComponent(eventMatch![1]!);
    if (calendarId !== "primary" && calendarId !== email) return error(404, "notFound", "Not Found");
    const events = calendarOf(email);

    if (operation === "list") {
      const from = query.get("timeMin") ? Date.parse(query.get("timeMin")!) : -Infinity;
      const to = query.get("timeMax") ? Date.parse(query.get("timeMax")!) : Infinity;
      const showDeleted = query.get("showDeleted") === "true";
      const items = [...events.values()].filter((e) => (showDeleted || e.status !== "cancelled") && timeOf(e.end) > from && timeOf(e.start) < to);
      return answer(200, { kind: "calendar#events", summary: email, updated: new Date().toISOString(), timeZone: "UTC", accessRole: "owner", items });
    }

    if (operation === "insert") {
      if (body.id !== undefined && (typeof body.id !== "string" || !EVENT_ID.test(body.id))) return error(400, "invalid", "Invalid resource id value.");
      if (body.id !== undefined && events.has(body.id)) return error(409, "duplicate", "The requested identifier already exists.");
      const problem = timeProblem(body);
      if (problem) return error(400, ...problem);
      const event = createEvent(email, body as FakeEvent, body.id);
      // Without conferenceDataVersion=1, Google ignores conferenceData.
      if (query.get("conferenceDataVersion") === "1" && body.conferenceData?.createRequest) withMeet(event, body.conferenceData.createRequest);
      return answer(200, event);
    }

    const eventId = decodeURIComponent(eventMatch![2]!);
    const event = events.get(eventId);
    if (!event) return error(404, "notFound", "Not Found");
    if (operation === "get") return answer(200, event);
    if (operation === "delete") {
      if (event.status === "cancelled") return error(410, "deleted", "Resource has been deleted");
      event.status = "cancelled";
      event.updated = new Date().toISOString();
      return answer(204);
    }
    // patch: the fields sent replace the event's, the others stay (a cancelled event can be restored this way).
    const merged = { ...event, ...body, id: event.id };
    const problem = timeProblem(merged);
    if (problem) return error(400, ...problem);
    const moved = timeOf(merged.start) !== timeOf(event.start) || timeOf(merged.end) !== timeOf(event.end);
    Object.assign(event, merged, { sequence: event.sequence + (moved ? 1 : 0), updated: new Date().toISOString(), etag: `"${Date.now()}"` });
    return answer(200, event);
  }

  return {
    handle,
    /** Every event of the account's calendar, deleted ones included (as `cancelled`). */
    eventsOf: (email: string) => [...calendarOf(email).values()],
    /** An event the person added themselves: it makes the time busy. */
    addEvent: (email: string, input: { start: string; end: string; summary?: string }) =>
      createEvent(email, { start: { dateTime: input.start }, end: { dateTime: input.end }, summary: input.summary ?? "Busy" }),
    requestsOf: (email: string) => requests.filter((r) => r.email === email),
    failNext: (failure: InjectedFailure) => void failures.push(failure),
  };
}
