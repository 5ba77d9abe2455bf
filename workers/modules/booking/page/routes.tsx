// The public booking page (`/book/:handle`) and the guest's manage page (`/book/manage/:token`): server-rendered
// HTML over the booking core's functions. Every step is a plain link or form, so the pages work without
// JavaScript; the small inline script only detects the guest's time zone and loads days in place.
//
// No CSRF token on these forms, on purpose: booking is open to anyone without an account, so a forged
// booking post can do nothing a direct one cannot, and a slot books at most once whoever asks. Cancelling and
// moving need the secret token in the URL, which another site cannot know.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { etag } from "hono/etag";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "@shared/lib/errors";
import { clientIp, enforce } from "../../../middleware/rate-limit";
import { depsOf, type AppEnv } from "../../../router";
import { getPublicAvailability, hostZone, openSlots } from "../availability";
import { resolveHost, type Host } from "../hosts";
import { bookSlot, cancelByToken, getBookingByToken, rescheduleByToken } from "../public";
import { ACTIVE } from "../schemas";
import { dayWindow, displayZone, formatters, groupByDay, localDate, parseDate, pickLocale, PAGE_DAYS, type Slot } from "./calendar";
import { checkBookingForm, fieldErrorsOf, readBookingForm, type FieldErrors, type GuestFields } from "./guest-form";
import { contentSecurityPolicy } from "./layout";
import { renderError } from "./errors";
import { FormPage, HostPage, ManagePage, ReschedulePage, type ManageNotice, type Picker } from "./pages";
import { Notice, pagePath } from "./views";

type Ctx = Context<AppEnv>;

export const bookingPageRoutes = new Hono<AppEnv>();

bookingPageRoutes.use("*", async (c, next) => {
  await next();
  c.res.headers.set("content-security-policy", await contentSecurityPolicy());
  // Dates and times follow the reader's language.
  c.res.headers.append("vary", "Accept-Language");
});
// Every form post books, cancels or moves: the same per-address limit as the public booking API.
bookingPageRoutes.post("*", (c, next) => enforce(c.env, "BOOKING_REQUESTS_PER_IP", clientIp(c)).then(next));
// Forms carry a few fields; anything bigger is not a guest filling them in.
bookingPageRoutes.post(
  "*",
  bodyLimit({
    maxSize: 16 * 1024,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", "That form is too large.");
    },
  }),
);
bookingPageRoutes.onError(renderError);

/** A page answer. Availability changes by the minute and manage pages are private: nothing is cached blindly. */
async function render(c: Ctx, status: ContentfulStatusCode, page: JSX.Element, cacheControl = "no-store") {
  c.header("cache-control", cacheControl);
  return c.html(`<!doctype html>${await page}`, status);
}

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

async function hostOf(c: Ctx, handle: string): Promise<Host> {
  const host = handle.length <= 64 ? await resolveHost(c.get("db"), handle) : null;
  if (!host) throw new ApiError("NOT_FOUND", "There is no booking page at this address.");
  return host;
}

/** The days and times to show: `query` is the page's own query string (or a form's echo of it). */
async function loadPicker(c: Ctx, host: Host, path: string, query: { tz?: string; from?: string; date?: string }, slotsIn: (range: { from: Date; to: Date }) => Promise<Slot[]>): Promise<Picker> {
  const zone = displayZone(query.tz, hostZone(host));
  const fmt = formatters(zone, pickLocale(c.req.header("accept-language")));
  const wanted = { from: parseDate(query.from), date: parseDate(query.date) };
  const window = dayWindow(zone, new Date(), host.settings.maxAdvanceDays, wanted);
  const days = groupByDay(await slotsIn(window.range), zone);
  const date = wanted.date?.toString();
  const inPage = date !== undefined && date >= window.from.toString() && date < window.from.add({ days: PAGE_DAYS }).toString();
  return {
    state: { path, zone, hostZone: hostZone(host), from: window.from.toString(), earlier: window.earlier?.toString() ?? null, later: window.later?.toString() ?? null },
    fmt,
    days,
    selected: inPage ? (days.find((day) => day.date === date) ?? null) : (days[0] ?? null),
    detectTimeZoneFrom: query.tz === undefined ? zone : undefined,
  };
}

const publicSlots = (c: Ctx, host: Host) => async (range: { from: Date; to: Date }) => (await getPublicAvailability(depsOf(c), host, range)).slots;

/** The offered slot starting exactly at `start`, if it is still offered. */
async function offeredSlot(c: Ctx, host: Host, start: Date): Promise<Slot | undefined> {
  const slots = await publicSlots(c, host)({ from: start, to: new Date(start.getTime() + 1) });
  return slots.find((slot) => slot.start.getTime() === start.getTime());
}

const parseInstant = (value: string | undefined): Date | undefined => {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

const takenNotice = <Notice kind="bad">Sorry, that time was just taken. Please pick another.</Notice>;
const pickNotice = <Notice kind="bad">Please pick a time.</Notice>;

/** The posted form; a body that is not one (garbage multipart, wrong encoding) is the guest's 400, not a 500. */
async function formOf(c: Ctx) {
  try {
    return await c.req.parseBody();
  } catch {
    throw new ApiError("VALIDATION_FAILED", "This form could not be read: send it again from the page.");
  }
}

// ───────────────────────────── the guest's booking (declared first: "manage" is not a handle) ─────────────────────────────

async function bookingOf(c: Ctx, token: string) {
  const found = TOKEN.test(token) ? await getBookingByToken(depsOf(c), token) : null;
  if (!found) throw new ApiError("NOT_FOUND", "This booking link is not valid.");
  const { booking } = found;
  const canChange = (ACTIVE as readonly string[]).includes(booking.status) && booking.startAt.getTime() > Date.now();
  return { ...found, canChange, managePath: `/book/manage/${token}` };
}

bookingPageRoutes.get("/manage/:token", async (c) => {
  const { booking, host, canChange, managePath } = await bookingOf(c, c.req.param("token"));
  const tz = c.req.query("tz");
  const zone = displayZone(tz ?? booking.guestTimezone ?? undefined, host ? hostZone(host) : "UTC");
  const q = c.req.query();
  const notice: ManageNotice = q.booked ? "booked" : q.rescheduled ? "rescheduled" : q.cancelled ? "cancelled" : null;
  // The URL is the guest's key to the booking: keep it out of search engines.
  c.header("x-robots-tag", "noindex");
  return render(
    c,
    200,
    <ManagePage
      booking={booking}
      host={host}
      fmt={formatters(zone, pickLocale(c.req.header("accept-language")))}
      managePath={managePath}
      origin={new URL(c.req.url).origin}
      canChange={canChange}
      notice={notice}
      detectTimeZoneFrom={tz === undefined && !booking.guestTimezone ? zone : undefined}
    />,
  );
});

bookingPageRoutes.post("/manage/:token/cancel", async (c) => {
  const token = c.req.param("token");
  if (!TOKEN.test(token)) throw new ApiError("NOT_FOUND", "This booking link is not valid.");
  const body = await formOf(c);
  const reason = typeof body.reason === "string" ? body.reason.trim().slice(0, 500) : "";
  await cancelByToken(depsOf(c), token, { reason: reason || null }, c.get("requestId"));
  const tz = typeof body.tz === "string" ? body.tz : undefined;
  return c.redirect(`/book/manage/${token}?cancelled=1${tz ? `&tz=${encodeURIComponent(tz)}` : ""}`, 303);
});

/** A booking the guest may still move, with its host's open page. */
async function movableBooking(c: Ctx, token: string) {
  const found = await bookingOf(c, token);
  if (!found.canChange || !found.host) throw new ApiError("GONE", "This booking can no longer be changed online.");
  return { ...found, host: found.host };
}

async function reschedulePicker(c: Ctx, found: Awaited<ReturnType<typeof movableBooking>>, query: { tz?: string; from?: string; date?: string }) {
  const { host, booking, managePath } = found;
  // The guest's own booking must not block the times around it (buffers), and its own time is no move.
  const slotsIn = async (range: { from: Date; to: Date }) =>
    (await openSlots(depsOf(c), host, range, { ignoreBookingId: booking.id })).filter((slot) => slot.start.getTime() !== booking.startAt.getTime());
  return loadPicker(c, host, `${managePath}/reschedule`, { ...query, tz: query.tz ?? booking.guestTimezone ?? undefined }, slotsIn);
}

bookingPageRoutes.get("/manage/:token/reschedule", async (c) => {
  const found = await movableBooking(c, c.req.param("token"));
  const picker = await reschedulePicker(c, found, c.req.query());
  c.header("x-robots-tag", "noindex");
  return render(c, 200, <ReschedulePage host={found.host} booking={found.booking} picker={picker} managePath={found.managePath} />);
});

bookingPageRoutes.post("/manage/:token/reschedule", async (c) => {
  const token = c.req.param("token");
  const found = await movableBooking(c, token);
  const body = await formOf(c);
  const form = readBookingForm(body);
  const start = parseInstant(form.start);
  const again = async (status: ContentfulStatusCode, notice: JSX.Element, date?: string) => {
    const picker = await reschedulePicker(c, found, { tz: form.tz || undefined, from: form.from || undefined, date });
    return render(c, status, <ReschedulePage host={found.host} booking={found.booking} picker={picker} managePath={found.managePath} notice={notice} />);
  };
  if (!start) return again(400, pickNotice);
  try {
    const moved = await rescheduleByToken(depsOf(c), token, { start }, c.get("requestId"));
    return c.redirect(`/book/manage/${moved.cancelToken}?rescheduled=1${form.tz ? `&tz=${encodeURIComponent(form.tz)}` : ""}`, 303);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "CONFLICT") throw error;
    return again(409, takenNotice, localDate(start, displayZone(form.tz, hostZone(found.host))).toString());
  }
});

// ───────────────────────────── the host's page ─────────────────────────────

bookingPageRoutes.get("/:handle", etag(), async (c) => {
  const host = await hostOf(c, c.req.param("handle"));
  const path = pagePath(host);
  const query = c.req.query();
  const slotParam = query.slot;
  if (slotParam !== undefined) {
    const start = parseInstant(slotParam);
    const slot = start && (await offeredSlot(c, host, start));
    if (slot) {
      const picker = await loadPicker(c, host, path, { ...query, date: undefined }, async () => []);
      return render(c, 200, <FormPage host={host} state={picker.state} fmt={picker.fmt} slot={slot} detectTimeZoneFrom={picker.detectTimeZoneFrom} />);
    }
    const picker = await loadPicker(c, host, path, query, publicSlots(c, host));
    return render(c, 200, <HostPage host={host} picker={picker} notice={<Notice kind="bad">That time is no longer available. Please pick another.</Notice>} />);
  }
  const picker = await loadPicker(c, host, path, query, publicSlots(c, host));
  // Revalidated on every visit (the ETag makes an unchanged page a 304), never shared by proxies.
  return render(c, 200, <HostPage host={host} picker={picker} />, "private, no-cache");
});

bookingPageRoutes.post("/:handle", async (c) => {
  const host = await hostOf(c, c.req.param("handle"));
  const path = pagePath(host);
  const form = readBookingForm(await formOf(c));
  const zone = displayZone(form.tz, hostZone(host));
  const start = parseInstant(form.start);
  const pickerAgain = async (status: ContentfulStatusCode, notice: JSX.Element) => {
    const date = start ? localDate(start, zone).toString() : undefined;
    const picker = await loadPicker(c, host, path, { tz: zone, from: form.from || undefined, date }, publicSlots(c, host));
    return render(c, status, <HostPage host={host} picker={picker} notice={notice} />);
  };
  const formAgain = async (errors: FieldErrors, values: GuestFields) => {
    const slot = start && (await offeredSlot(c, host, start));
    if (!slot) return pickerAgain(409, takenNotice);
    const picker = await loadPicker(c, host, path, { tz: zone, from: form.from || undefined }, async () => []);
    return render(c, 400, <FormPage host={host} state={picker.state} fmt={picker.fmt} slot={slot} values={values} errors={errors} />);
  };

  const check = checkBookingForm(form, zone);
  if (!check.ok) return check.badStart ? pickerAgain(400, pickNotice) : formAgain(check.errors, form.fields);
  try {
    const { cancelToken } = await bookSlot(depsOf(c), host, check.input, c.get("requestId"));
    return c.redirect(`/book/manage/${cancelToken}?booked=1`, 303);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "CONFLICT") return pickerAgain(409, takenNotice);
    const errors = error.code === "VALIDATION_FAILED" ? fieldErrorsOf(error.extras.errors) : null;
    if (errors) return formAgain(errors, form.fields);
    throw error;
  }
});

bookingPageRoutes.all("*", () => {
  throw new ApiError("NOT_FOUND", "There is no page at this address.");
});
