import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { quotes } from "@shared/db/schema";
import { api, freshRateLimitWindow, uniqueIp, type ApiResponse } from "../support/http";
import { db, insertQuote, line, newContact, newStudio, quoteLink, quoteScenario, setLinkExpiry } from "./helpers";

const page = (path: string, ip = uniqueIp()) => api(path, { ip });
const post = (path: string, fields: Record<string, string>, ip = uniqueIp()) =>
  api(path, { method: "POST", body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" }, ip });

function expectHtml(res: ApiResponse, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.text.startsWith("<!doctype html>")).toBe(true);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
  expect(res.headers.get("content-security-policy")).not.toMatch(/script-src/);
  expect(res.text).not.toMatch(/<script/i);
}

const portalPath = (token: string) => `/portal?token=${encodeURIComponent(token)}`;

describe("the portal page", () => {
  it("shows the studio, the quote with its lines and totals, the PDF link, the answer forms and the thread", async () => {
    const { quote, link } = await quoteScenario({}, { companyName: "Studio Lumière", vatNumber: "FR123" });
    // The link in emails is PORTAL_URL, which this Worker serves.
    expect(link.url).toBe(`http://lightbox.test${portalPath(link.token)}`);
    const res = await page(link.url);
    expectHtml(res, 200);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    for (const text of ["Studio Lumière", "VAT FR123", "Hello Camille", `Quote ${quote.number}`, "Full-day coverage", "€1,800.00", "Tax 20% on €1,800.00", "€2,291.88", "Awaiting your answer", "Messages"]) {
      expect(res.text, text).toContain(text);
    }
    expect(res.text).toContain(`href="/api/client-access/quotes/${quote.id}/pdf?token=${link.token}"`);
    expect(res.text).toContain(`action="/portal/quotes/${quote.id}/accept"`);
    expect(res.text).toContain(`action="/portal/quotes/${quote.id}/reject"`);
    expect(res.text).toContain(`action="/portal/messages"`);
    expect(res.text).toContain(`<input type="hidden" name="token" value="${link.token}"/>`);
  });

  it("accepts through the form, redirects back, and answers a second click with the quote as it now is", async () => {
    const { quote, link } = await quoteScenario();
    const res = await post(`/portal/quotes/${quote.id}/accept`, { token: link.token });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${portalPath(link.token)}&done=accepted`);
    const after = await page(res.headers.get("location")!);
    expectHtml(after, 200);
    expect(after.text).toContain("you accepted this quote");
    expect(after.text).not.toContain("/accept");
    const twice = await post(`/portal/quotes/${quote.id}/accept`, { token: link.token });
    expectHtml(twice, 409);
    expect(twice.text).toContain("This quote was already accepted.");
    expect((await db.select().from(quotes).where(eq(quotes.id, quote.id)))[0]!.status).toBe("ACCEPTED");
  });

  it("rejects with a reason through the form", async () => {
    const { quote, link } = await quoteScenario();
    const res = await post(`/portal/quotes/${quote.id}/reject`, { token: link.token, reason: "Budget <too> tight" });
    expect(res.status).toBe(303);
    const [stored] = await db.select().from(quotes).where(eq(quotes.id, quote.id));
    expect(stored).toMatchObject({ status: "REJECTED", rejectionReason: "Budget <too> tight" });
    const after = await page(res.headers.get("location")!);
    expect(after.text).toContain("Your reason: Budget &lt;too&gt; tight");
  });

  it("sends a message through the form and shows it; an empty one is given back with a 400", async () => {
    const { link } = await quoteScenario();
    const res = await post("/portal/messages", { token: link.token, body: "See you <b>Saturday</b>!" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${portalPath(link.token)}&done=sent#messages-title`);
    const after = await page(portalPath(link.token));
    expect(after.text).toContain("See you &lt;b&gt;Saturday&lt;/b&gt;!");
    expect(after.text).not.toContain("<b>Saturday</b>");
    const empty = await post("/portal/messages", { token: link.token, body: "   " });
    expectHtml(empty, 400);
    expect(empty.text).toContain("Please write a message first.");
    const long = await post("/portal/messages", { token: link.token, body: "y".repeat(5001) });
    expectHtml(long, 400);
    expect(long.text).toContain("y".repeat(5001));
  });

  it("escapes everything the studio and the client wrote", async () => {
    const studio = await newStudio({ companyName: `Tom & Jerry <script>alert("c")</script>`, companyAddress: { line1: `<img src=x onerror=alert(1)>` } });
    const contact = await newContact(studio, { firstName: `<svg onload=alert(2)>` });
    const quote = await insertQuote(studio.id, contact.id, { notes: `"><script>alert(3)</script>`, items: [line(`<iframe src=//evil>`, 1, 100, 20)] });
    const link = await quoteLink(studio, quote.id);
    const res = await page(portalPath(link.token));
    expectHtml(res, 200);
    for (const raw of ["<script>alert", "<img src=x", "<svg onload", "<iframe src"]) expect(res.text, raw).not.toContain(raw);
    expect(res.text).toContain("Tom &amp; Jerry &lt;script&gt;");
    expect(res.text).toContain("&lt;iframe src=//evil&gt;");
    expect(res.text).toContain("Hello &lt;svg onload=alert(2)&gt;");
  });

  it("fails as pages with the right statuses: 401 unknown, 410 expired, 404 another document or path, 429 too many", async () => {
    expectHtml(await page("/portal"), 401);
    const unknown = await page(portalPath("A".repeat(43)));
    expectHtml(unknown, 401);
    expect(unknown.text).toContain("This link is not valid");

    const { studio, contact, quote, link } = await quoteScenario();
    const sibling = await insertQuote(studio.id, contact.id);
    expectHtml(await post(`/portal/quotes/${sibling.id}/accept`, { token: link.token }), 404);
    expect((await db.select().from(quotes).where(eq(quotes.id, sibling.id)))[0]!.status).toBe("SENT");
    expectHtml(await page(`/portal/elsewhere?token=${link.token}`), 404);
    expectHtml(await post(`/portal/quotes/${quote.id}/accept`, {}), 401);

    const ip = uniqueIp();
    await freshRateLimitWindow(20_000);
    let limited: ApiResponse | undefined;
    for (let i = 0; i < 80 && !limited; i++) {
      const res = await page(portalPath(link.token), ip);
      if (res.status === 429) limited = res;
    }
    expectHtml(limited!, 429);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);

    await setLinkExpiry(link.id, new Date(Date.now() - 1));
    const expired = await page(portalPath(link.token));
    expectHtml(expired, 410);
    expect(expired.text).toContain("This link has expired");
    expectHtml(await post(`/portal/quotes/${quote.id}/accept`, { token: link.token }), 410);
  });
});
