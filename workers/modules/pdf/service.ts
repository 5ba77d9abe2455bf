import type { Env } from "@shared/env";
import { pdfRendererOf, type PdfRenderOptions } from "../../../durable-objects/pdf-renderer";

export type { PdfRenderOptions } from "../../../durable-objects/pdf-renderer";

/** A4 with the margins every Lightbox document is laid out for; callers override what they need. */
const DEFAULTS: PdfRenderOptions = {
  format: "A4",
  printBackground: true,
  margin: { top: "16mm", bottom: "18mm", left: "16mm", right: "16mm" },
};

/**
 * Renders an HTML document (self-contained: inline styles, data: images, no network) to PDF bytes. Every PDF
 * goes through here, and through the PdfRenderer Durable Object, which keeps one browser open across requests
 * (durable-objects/pdf-renderer.ts): a render costs a page, not a browser launch.
 */
export async function renderPdf(env: Env, html: string, options: PdfRenderOptions = {}): Promise<Uint8Array> {
  return pdfRendererOf(env).render(html, { ...DEFAULTS, ...options });
}
