import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { api, uniqueIp, type ApiResponse } from "../support/http";
import { addSlot, localDateIn, newHost, type TestHost } from "./helpers";

const PARIS = "Europe/Paris";

/** A GET of a page as a browser in `language` would make it. */
const page = (path: string, language = "en-GB", headers: Record<string, string> = {}) => api(path, { headers: { "accept-language": language, ...headers } });

/** A form post, from its own address so the per-address limiter never interferes. */
const post = (path: string, fields: Record<string, string>) =>
  api(path, { method: "POST", body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": "en-GB" }, ip: uniqueIp() });

const instant = (date: string, time: string, zone: string) => new Date(Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone).epochMilliseconds);
const clock = (at: Date, zone: string, locale = "en-GB") => new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "numeric", minute: "2-digit" }).format(at);

/** The slot buttons' values (ISO starts) and labels of a rendered day. */
function slotButtons(html: string) {
  return [...html.matchAll(/<button class="slot" name="(?:slot|start)" value="([^"]+)">([^<]+)<\/button>/g)].map((m) => ({ start: m[1]!, label: m[2]! }));
}

function expectHtml(res: ApiResponse, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.text.startsWith("<!doctype html>")).toBe(true);
}

/** A Paris host with three hour slots on 09:00–12:00 Paris, `days` from today. */
async function parisHost(settings: Record<string, unknown> = {}, profile: Record<string, unknown> = {}, days = 3): Promise<TestHost & { date: string }> {
  const host = await newHost({ title: "Portrait sessions", ...settings }, { timezone: PARIS, ...profile });
  const date = localDateIn(days, PARIS);
  await addSlot(host.token, { timezone: PARIS, startsAt: `${date}T09:00`, endsAt: `${date}T12:00`, slotMinutes: 60 });
  return { ...host, date };
}

describe("booking page: errors and escaping", () => {
  it("answers an HTML 404 for an unknown handle, a disabled page, a bad manage token and unknown paths", async () => {
    const host = await parisHost();
    expectHtml(await page(`/book/${host.handle}`), 200);
    await api("/api/booking/settings", { method: "PUT", token: host.token, json: { enabled: false } });
    for (const path of [`/book/${host.handle}`, "/book/nobody-here", `/book/${"x".repeat(100)}`, "/book/manage/not-a-token", `/book/manage/${"a".repeat(43)}`, "/book/a/b/c", "/book"]) {
      const res = await page(path);
      expectHtml(res, 404);
      expect(res.text, path).toContain("Page not found");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expectHtml(await post(`/book/manage/${"a".repeat(43)}/cancel`, {}), 404);
    const huge = await post("/book/nobody-here", { message: "x".repeat(20_000) });
    expectHtml(huge, 413);
    expect(huge.text).toContain("That form is too large");
  });

  it("escapes the host's texts and shows neither their email nor their phone", async () => {
    const host = await parisHost(
      { title: `<script>alert("title")</script>`, description: `<img src=x onerror=alert(1)>\nSecond line` },
      { companyName: "Tom & Jerry <Studio>", phone: "+33 6 12 34 56 78" },
    );
    const res = await page(`/book/${host.handle}?tz=${PARIS}`);
    expectHtml(res, 200);
    expect(res.text).toContain("&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;");
    expect(res.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(res.text).toContain("Tom &amp; Jerry &lt;Studio&gt;");
    expect(res.text.match(/<script/g)).toHaveLength(1);
    expect(res.text).not.toContain("<img");
    expect(res.text).not.toContain(host.email);
    expect(res.text).not.toMatch(/6\s?12\s?34\s?56\s?78/);
  });
});

describe("booking page: days and times", () => {
  it("shows times in the guest's zone and language, and falls back to the host's zone for an unknown one", async () => {
    const host = await parisHost();
    const nine = instant(host.date, "09:00", PARIS);

    const ny = await page(`/book/${host.handle}?tz=America/New_York&date=${host.date}`);
    expectHtml(ny, 200);
    expect(slotButtons(ny.text)).toEqual(
      ["09:00", "10:00", "11:00"].map((time) => {
        const at = instant(host.date, time, PARIS);
        return { start: at.toISOString(), label: clock(at, "America/New_York") };
      }),
    );
    expect(ny.text).toContain("Times are shown in America/New York");
    expect(ny.text).not.toContain("data-detect-tz=");

    // The reader's language decides 12- or 24-hour clocks; the words stay English.
    const american = await page(`/book/${host.handle}?tz=America/New_York&date=${host.date}`, "en-US,en;q=0.8");
    expect(slotButtons(american.text)[0]!.label).toBe(clock(nine, "America/New_York", "en-US"));

    for (const tz of ["Mars/Olympus", "", "%3Cscript%3E", "x".repeat(80)]) {
      const res = await page(`/book/${host.handle}?tz=${tz}&date=${host.date}`);
      expectHtml(res, 200);
      expect(slotButtons(res.text)[0]?.label, tz).toBe(clock(nine, PARIS));
      expect(res.text).toContain("Times are shown in Europe/Paris");
    }
    // A zone in the wrong case still works, and the page links its canonical spelling.
    const lower = await page(`/book/${host.handle}?tz=asia/tokyo&date=${host.date}`);
    expect(slotButtons(lower.text)[0]!.label).toBe(clock(nine, "Asia/Tokyo"));
    expect(lower.text).toContain('name="tz" value="Asia/Tokyo"');

    // No zone at all: the host's, and the page script is told it may replace it with the browser's.
    const none = await page(`/book/${host.handle}`);
    expect(none.text).toContain(`data-detect-tz="${PARIS}"`);
    expect(slotButtons(none.text)[0]!.label).toBe(clock(nine, PARIS));
  });

  it("lists the days with times, pages through four weeks at a time, and says when a day has none left", async () => {
    const host = await newHost({ maxAdvanceDays: 60 }, { timezone: PARIS });
    const first = localDateIn(2, PARIS);
    await addSlot(host.token, { timezone: PARIS, startsAt: `${first}T14:00`, endsAt: `${first}T16:00`, slotMinutes: 30, recurrence: { frequency: "WEEKLY" } });
    const res = await page(`/book/${host.handle}?tz=${PARIS}`);
    expectHtml(res, 200);
    const dayLinks = [...res.text.matchAll(/<a class="day" data-swap="true" href="([^"]+)"/g)].map((m) => new URL(m[1]!.replaceAll("&amp;", "&"), "http://x").searchParams.get("date"));
    expect(dayLinks).toEqual([0, 1, 2, 3].map((weeks) => Temporal.PlainDate.from(first).add({ weeks }).toString()).filter((d) => d < localDateIn(28, PARIS)));
    // The first day is chosen by default.
    expect(slotButtons(res.text).map((b) => b.label)).toEqual(["14:00", "14:30", "15:00", "15:30"].map((time) => clock(instant(first, time, PARIS), PARIS)));
    expect(res.text).toContain("Later dates");
    expect(res.text).not.toContain("Earlier dates");

    const later = new URL(res.text.match(/href="([^"]+)">Later dates/)![1]!.replaceAll("&amp;", "&"), "http://x");
    const next = await page(`/book/${host.handle}${later.search}`);
    expect(next.text).toContain("Earlier dates");
    expect(slotButtons(next.text).length).toBe(4);

    const empty = await page(`/book/${host.handle}?tz=${PARIS}&date=${Temporal.PlainDate.from(first).add({ days: 1 })}`);
    expect(empty.text).toContain("No times left on this day");
  });

  it("keeps the page small: one response with its style and script inline, revalidated by ETag", async () => {
    const host = await newHost({ maxAdvanceDays: 60, description: "Studio portraits, one hour, natural light." }, { timezone: PARIS, companyName: "Studio Lumière" });
    const first = localDateIn(1, PARIS);
    await addSlot(host.token, { timezone: PARIS, startsAt: `${first}T08:00`, endsAt: `${first}T20:00`, slotMinutes: 30, recurrence: { frequency: "DAILY" } });
    const res = await page(`/book/${host.handle}?tz=${PARIS}`);
    expectHtml(res, 200);
    const bytes = new TextEncoder().encode(res.text).length;
    expect(slotButtons(res.text)).toHaveLength(24);
    expect(bytes).toBeLessThan(16_000);
    expect(res.text).not.toMatch(/<link|<img|src=|@import|url\(/);
    expect(res.text).toContain('<meta name="viewport"');
    expect(res.headers.get("cache-control")).toBe("private, no-cache");

    // The CSP allows exactly the inline style and script the page carries.
    const csp = res.headers.get("content-security-policy")!;
    const digest = async (text: string) => btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))));
    const script = res.text.match(/<script>([\s\S]*?)<\/script>/)![1]!;
    const style = res.text.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    expect(csp).toContain(`script-src 'sha256-${await digest(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${await digest(style)}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");

    const etag = res.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await page(`/book/${host.handle}?tz=${PARIS}`, "en-GB", { "if-none-match": etag! });
    expect(again.status).toBe(304);
  });
});

describe("booking page: booking, cancelling and moving through plain forms", () => {
  const details = { name: "Grace Hopper", email: "grace@example.com", phone: "", message: "Family portrait" };

  it("re-renders the form with messages for bad details, and the day with a notice for a missing time", async () => {
    const host = await parisHost();
    const start = instant(host.date, "10:00", PARIS).toISOString();

    const chosen = await page(`/book/${host.handle}?tz=${PARIS}&slot=${encodeURIComponent(start)}`);
    expectHtml(chosen, 200);
    expect(chosen.text).toContain(`name="start" value="${start}"`);
    expect(chosen.text).toContain('<form method="post" action="/book/' + host.handle + '"');

    const bad = await post(`/book/${host.handle}`, { start, tz: PARIS, name: "  ", email: "not-an-email", phone: "1".repeat(60), message: "<b>hi</b>" });
    expectHtml(bad, 400);
    expect(bad.text).toContain("Please enter your name");
    expect(bad.text).toContain("Please enter a valid email address");
    expect(bad.text).toContain("Please keep the phone number under 50 characters");
    expect(bad.text).toContain('value="not-an-email"');
    expect(bad.text).toContain("&lt;b&gt;hi&lt;/b&gt;</textarea>");
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain(`name="start" value="${start}"`);

    const noTime = await post(`/book/${host.handle}`, { ...details, start: "tomorrow", tz: PARIS });
    expectHtml(noTime, 400);
    expect(noTime.text).toContain("Please pick a time");

    // A slot that is not offered, chosen by hand: the day again, with a notice.
    const odd = await page(`/book/${host.handle}?tz=${PARIS}&slot=${encodeURIComponent(instant(host.date, "09:30", PARIS).toISOString())}`);
    expectHtml(odd, 200);
    expect(odd.text).toContain("That time is no longer available");
    // Nothing was booked by any of these.
    expect(slotButtons((await page(`/book/${host.handle}?tz=${PARIS}&date=${host.date}`)).text)).toHaveLength(3);
  });

  it("books, confirms with the manage link, takes the slot off the page, refuses it twice, and cancels", async () => {
    const host = await parisHost();
    const start = instant(host.date, "10:00", PARIS).toISOString();

    const booked = await post(`/book/${host.handle}`, { ...details, start, tz: "America/New_York" });
    expect(booked.status, booked.text).toBe(303);
    const location = booked.headers.get("location")!;
    const managePath = location.match(/^(\/book\/manage\/[\w-]+)\?booked=1$/)?.[1];
    expect(managePath, location).toBeTruthy();

    const confirmation = await page(location);
    expectHtml(confirmation, 200);
    expect(confirmation.headers.get("cache-control")).toBe("no-store");
    expect(confirmation.headers.get("x-robots-tag")).toBe("noindex");
    expect(confirmation.text).toContain("You are booked");
    expect(confirmation.text).toContain(`href="${managePath}"`);
    expect(confirmation.text).toContain(`http://lightbox.test${managePath}`);
    // Shown in the zone the guest booked in.
    expect(confirmation.text).toContain(clock(new Date(start), "America/New_York"));
    expect(confirmation.text).toContain("America/New York");
    expect(confirmation.text).not.toContain(host.email);

    const day = await page(`/book/${host.handle}?tz=${PARIS}&date=${host.date}`);
    expect(slotButtons(day.text).map((b) => b.start)).not.toContain(start);
    expect(slotButtons(day.text)).toHaveLength(2);

    const twice = await post(`/book/${host.handle}`, { ...details, email: "other@example.com", start, tz: PARIS });
    expectHtml(twice, 409);
    expect(twice.text).toContain("that time was just taken");
    expect(slotButtons(twice.text)).toHaveLength(2);

    const cancelled = await post(`${managePath}/cancel`, { reason: "Plans changed", tz: PARIS });
    expect(cancelled.status, cancelled.text).toBe(303);
    expect(cancelled.headers.get("location")).toBe(`${managePath}?cancelled=1&tz=Europe%2FParis`);
    const after = await page(cancelled.headers.get("location")!);
    expectHtml(after, 200);
    expect(after.text).toContain("Your booking is cancelled");
    expect(after.text).toContain('<dd id="status">Cancelled</dd>');
    expect(after.text).not.toContain("Cancel this booking");
    expect(after.text).toContain(`href="/book/${host.handle}?tz=Europe%2FParis"`);

    expectHtml(await post(`${managePath}/cancel`, {}), 410);
    expect(slotButtons((await page(`/book/${host.handle}?tz=${PARIS}&date=${host.date}`)).text).map((b) => b.start)).toContain(start);
  });

  it("asks for a request when the host confirms bookings, and says the booking waits for them", async () => {
    const host = await parisHost({ requiresConfirmation: true });
    const start = instant(host.date, "09:00", PARIS).toISOString();
    // The handle in any case finds the page, whose links use the host's spelling.
    const form = await page(`/book/${host.handle.toUpperCase()}?tz=${PARIS}&slot=${encodeURIComponent(start)}`);
    expectHtml(form, 200);
    expect(form.text).toContain("Request this time");
    expect(form.text).toContain(`action="/book/${host.handle}"`);
    const booked = await post(`/book/${host.handle}`, { ...details, start, tz: PARIS });
    expect(booked.status, booked.text).toBe(303);
    const shown = await page(booked.headers.get("location")!);
    expect(shown.text).toContain("Request sent. Ada Lovelace will confirm it");
    expect(shown.text).toContain('<dd id="status">Waiting for the host to confirm</dd>');
    expect(shown.text).toContain("Cancel this booking");
  });

  it("moves a booking to another offered time through the manage link, which then changes", async () => {
    const host = await parisHost();
    const nine = instant(host.date, "09:00", PARIS).toISOString();
    const eleven = instant(host.date, "11:00", PARIS).toISOString();
    const booked = await post(`/book/${host.handle}`, { ...details, start: nine, tz: PARIS });
    const managePath = booked.headers.get("location")!.split("?")[0]!;

    const picker = await page(`${managePath}/reschedule`);
    expectHtml(picker, 200);
    // Its own time is no move; the others are offered as buttons posting to the manage link.
    expect(slotButtons(picker.text).map((b) => b.start)).toEqual([instant(host.date, "10:00", PARIS).toISOString(), eleven]);
    expect(picker.text).toContain(`<form method="post" action="${managePath}/reschedule">`);

    const taken = await post(`/book/${host.handle}`, { ...details, email: "someone@example.com", start: eleven, tz: PARIS });
    expect(taken.status).toBe(303);
    const conflict = await post(`${managePath}/reschedule`, { start: eleven, tz: PARIS });
    expectHtml(conflict, 409);
    expect(conflict.text).toContain("that time was just taken");

    const ten = instant(host.date, "10:00", PARIS).toISOString();
    const moved = await post(`${managePath}/reschedule`, { start: ten, tz: PARIS });
    expect(moved.status, moved.text).toBe(303);
    const newLocation = moved.headers.get("location")!;
    expect(newLocation).toMatch(/^\/book\/manage\/[\w-]+\?rescheduled=1&tz=Europe%2FParis$/);
    expect(newLocation.startsWith(managePath)).toBe(false);
    const shown = await page(newLocation);
    expect(shown.text).toContain("Your booking was moved");
    expect(shown.text).toContain(clock(new Date(ten), PARIS));

    expectHtml(await page(managePath), 404);
    const day = slotButtons((await page(`/book/${host.handle}?tz=${PARIS}&date=${host.date}`)).text).map((b) => b.start);
    expect(day).toEqual([nine]);
  });
});
