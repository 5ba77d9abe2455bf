import puppeteer, { type BrowserWorker } from "@cloudflare/puppeteer";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { renderPdf } from "../../workers/modules/pdf/service";

const decoder = new TextDecoder("latin1");

describe("renderPdf through the BROWSER binding (local Chromium)", () => {
  it("renders a small HTML page to a real PDF, twice in a row", async () => {
    const html = `<!doctype html><html><body><h1>Lightbox</h1><p>Quote Q-2026-0001</p></body></html>`;
    const first = await renderPdf(env.BROWSER, html);
    const text = decoder.decode(first);
    expect(text.startsWith("%PDF-")).toBe(true);
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    expect(first.byteLength).toBeGreaterThan(1000);
    // One page, A4 (595 x 842 points).
    expect(text.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    expect(text).toMatch(/\/MediaBox\s*\[\s*0 0 595(\.\d+)? 841(\.\d+)?|\/MediaBox\s*\[\s*0 0 595(\.\d+)? 842/);

    // A second document right after: the session of the first is either reused or a new one launched.
    const second = await renderPdf(env.BROWSER, html.replace("Q-2026-0001", "Q-2026-0002"));
    expect(decoder.decode(second).startsWith("%PDF-")).toBe(true);
    const sessions = await puppeteer.sessions(env.BROWSER as unknown as BrowserWorker);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
  });
});
