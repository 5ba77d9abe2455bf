// The public booking page in a real browser against the real Worker: headless Chromium books a slot, sees it
// leave the page, cancels by the manage link and sees it come back; once with JavaScript (days load in place,
// the time zone is detected) and once without (links and forms only).
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, register, workerUrl } from "../support/node/api";
import { launchChromium } from "../support/node/browser";

const PARIS = "Europe/Paris";
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface Host {
  handle: string;
  email: string;
  /** The Paris date of the three offered hours, 09:00, 10:00 and 11:00. */
  date: string;
}

/** A photographer in Paris who registers, offers three hours on one day and opens a booking page. */
async function openBookingPage(): Promise<Host> {
  const account = await register({ firstName: "Zoé", lastName: "Martin" });
  const token = account.accessToken;
  const profile = await api("/api/users/me", { method: "PATCH", token, json: { timezone: PARIS, companyName: "Studio Lumière" } });
  expect(profile.status, profile.text).toBe(200);
  const date = Temporal.Now.plainDateISO(PARIS).add({ days: 3 }).toString();
  const slot = await api("/api/availability", { token, json: { timezone: PARIS, startsAt: `${date}T09:00`, endsAt: `${date}T12:00`, slotMinutes: 60 } });
  expect(slot.status, slot.text).toBe(201);
  const handle = `studio-${crypto.randomUUID().slice(0, 8)}`;
  const settings = await api("/api/booking/settings", { method: "PUT", token, json: { enabled: true, handle, title: "Portrait session", description: "One hour in the studio." } });
  expect(settings.status, settings.text).toBe(200);
  return { handle, email: account.email, date };
}

const parisTime = (date: string, time: string) => new Date(Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(PARIS).epochMilliseconds);
/** The way the page writes a time; ICU versions differ in the space before AM/PM, so spaces are normalized. */
const clock = (at: Date, zone: string, locale: string) => new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "numeric", minute: "2-digit" }).format(at);
const squash = (text: string) => text.replace(/\s+/g, " ").trim();

async function newPage(options: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext({ locale: "en-GB", ...options });
  return context.newPage();
}

const slotButton = (page: Page, start: Date) => page.locator(`button.slot[value="${start.toISOString()}"]`);
const offeredStarts = (page: Page) => page.locator("button.slot").evaluateAll((buttons) => buttons.map((b) => (b as HTMLButtonElement).value));

/** Picks the day, the slot and fills in the form; ends on the confirmation page. */
async function book(page: Page, host: Host, start: Date, guest: { name: string; email: string }) {
  await page.locator(`a.day[href*="date=${host.date}"]`).click();
  await slotButton(page, start).click();
  await page.waitForURL(/[?&]slot=/);
  await page.getByLabel("Your name").fill(guest.name);
  await page.getByLabel("Email").fill(guest.email);
  await page.getByLabel("Message (optional)").fill("Family portrait, two children.");
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.waitForURL(/\/book\/manage\/[\w-]+\?booked=1$/);
  await expect.poll(() => page.locator("main").innerText()).toContain("You are booked");
}

describe("booking page in headless Chromium", () => {
  it("with JavaScript: picks a day in place, books, sees the slot gone, cancels and sees it offered again", async () => {
    const host = await openBookingPage();
    const ten = parisTime(host.date, "10:00");
    const page = await newPage({ timezoneId: PARIS });
    await page.goto(`${workerUrl()}/book/${host.handle}`);
    await expect.poll(() => page.locator("h1").innerText()).toBe("Portrait session");
    expect(await page.locator("main").innerText()).toContain("Zoé Martin · Studio Lumière");
    expect(await page.content()).not.toContain(host.email);

    // The day link swaps the times in without leaving the page: a marker set on the document survives.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.locator(`a.day[href*="date=${host.date}"]`).click();
    await page.waitForURL(new RegExp(`date=${host.date}`));
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await offeredStarts(page)).toEqual(["09:00", "10:00", "11:00"].map((t) => parisTime(host.date, t).toISOString()));

    await book(page, host, ten, { name: "Grace Hopper", email: "grace@example.com" });
    const main = await page.locator("main").innerText();
    expect(main).toContain("Grace Hopper (grace@example.com)");
    expect(squash(main)).toContain(squash(clock(ten, PARIS, "en-GB")));
    const manageHref = await page.locator("#manage-link").getAttribute("href");
    expect(manageHref).toMatch(/^\/book\/manage\/[\w-]+$/);
    expect(await page.locator("#manage-link").innerText()).toBe(`${workerUrl()}${manageHref}`);

    // Reloading the day: the booked hour is no longer offered.
    await page.goto(`${workerUrl()}/book/${host.handle}?tz=${PARIS}&date=${host.date}`);
    expect(await offeredStarts(page)).toEqual([parisTime(host.date, "09:00").toISOString(), parisTime(host.date, "11:00").toISOString()]);

    // The cancel link: cancel, then the hour is offered again.
    await page.goto(`${workerUrl()}${manageHref}`);
    await page.getByLabel("Reason for cancelling (optional)").fill("Plans changed");
    await page.getByRole("button", { name: "Cancel this booking" }).click();
    await page.waitForURL(/cancelled=1/);
    expect(await page.locator("#status").innerText()).toBe("Cancelled");
    await page.getByRole("link", { name: "Book another time" }).click();
    await page.locator(`a.day[href*="date=${host.date}"]`).click();
    await expect.poll(() => offeredStarts(page)).toContain(ten.toISOString());
    await page.context().close();
  });

  it("without JavaScript: books and cancels through plain links and forms", async () => {
    const host = await openBookingPage();
    const eleven = parisTime(host.date, "11:00");
    const page = await newPage({ javaScriptEnabled: false, timezoneId: "Asia/Tokyo" });
    await page.goto(`${workerUrl()}/book/${host.handle}`);
    // Nothing can detect the browser's zone: the page stays in the host's and says so.
    expect(page.url()).not.toContain("tz=");
    expect(await page.locator("summary").innerText()).toContain("Times are shown in Europe/Paris");

    await book(page, host, eleven, { name: "Ada Byron", email: "ada@example.com" });
    expect(squash(await page.locator("main").innerText())).toContain(squash(clock(eleven, PARIS, "en-GB")));
    const manageHref = (await page.locator("#manage-link").getAttribute("href"))!;

    await page.goto(`${workerUrl()}/book/${host.handle}?date=${host.date}`);
    expect(await offeredStarts(page)).not.toContain(eleven.toISOString());

    await page.goto(`${workerUrl()}${manageHref}`);
    await page.getByRole("button", { name: "Cancel this booking" }).click();
    await page.waitForURL(/cancelled=1/);
    expect(await page.locator("main").innerText()).toContain("Your booking is cancelled");
    await page.goto(`${workerUrl()}/book/${host.handle}?date=${host.date}`);
    expect(await offeredStarts(page)).toContain(eleven.toISOString());
    await page.context().close();
  });

  it("shows the times in the browser's time zone (New York) for a host in Paris, and books in it", async () => {
    const host = await openBookingPage();
    const nine = parisTime(host.date, "09:00");
    const page = await newPage({ timezoneId: "America/New_York", locale: "en-US" });
    await page.goto(`${workerUrl()}/book/${host.handle}`);
    // The page script noticed the browser's zone and reloaded in it.
    await page.waitForURL(/tz=America%2FNew_York/);
    expect(await page.locator("summary").innerText()).toContain("Times are shown in America/New York");
    await page.locator(`a.day[href*="date=${host.date}"]`).click();
    const label = squash(await slotButton(page, nine).innerText());
    expect(label).toBe(squash(clock(nine, "America/New_York", "en-US")));
    expect(label).toMatch(/^[2-4]:00 AM$/);

    await book(page, host, nine, { name: "Katherine Johnson", email: "katherine@example.com" });
    const range = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "numeric", minute: "2-digit" }).formatRange(nine, parisTime(host.date, "10:00"));
    expect(squash(await page.locator("main").innerText())).toContain(squash(range));
    expect(await page.locator("main").innerText()).toContain("America/New York");
    await page.context().close();
  });
});
