import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pdfRendererOf } from "../../durable-objects/pdf-renderer";
import { renderPdf } from "../../workers/modules/pdf/service";

const decoder = new TextDecoder("latin1");
const page = (text: string) => `<!doctype html><html><body><h1>Lightbox</h1><p>${text}</p></body></html>`;

describe("renderPdf through the PdfRenderer Durable Object (local Chromium)", () => {
  it("renders real A4 PDFs, and every render after the first reuses the browser the object holds", async () => {
    const before = await pdfRendererOf(env).stats();
    const first = await renderPdf(env, page("Quote Q-2026-0001"));
    const text = decoder.decode(first);
    expect(text.startsWith("%PDF-")).toBe(true);
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    expect(first.byteLength).toBeGreaterThan(1000);
    // One page, A4 (595 x 842 points).
    expect(text.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    expect(text).toMatch(/\/MediaBox\s*\[\s*0 0 595(\.\d+)? 84[12]/);
    const afterFirst = await pdfRendererOf(env).stats();
    expect(afterFirst.connected).toBe(true);

    // A second request, then three at once (three pages of the same browser).
    const second = await renderPdf(env, page("Quote Q-2026-0002"));
    expect(decoder.decode(second).startsWith("%PDF-")).toBe(true);
    const concurrent = await Promise.all(["A", "B", "C"].map((x) => renderPdf(env, page(`Invoice F-2026-000${x}`))));
    for (const pdf of concurrent) expect(decoder.decode(pdf).startsWith("%PDF-")).toBe(true);

    const after = await pdfRendererOf(env).stats();
    // The instance is shared and long-lived: only what changed since `before` is this test's doing.
    const opened = (stats: typeof before) => stats.launches + stats.reconnects;
    expect(after.renders - before.renders).toBeGreaterThanOrEqual(5);
    expect(opened(afterFirst) - opened(before)).toBeLessThanOrEqual(1);
    expect(opened(after) - opened(afterFirst)).toBe(0);
    expect(after.sessionId).toBe(afterFirst.sessionId);
  });
});
