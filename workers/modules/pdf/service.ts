import puppeteer, { type Browser, type BrowserWorker, type PDFOptions } from "@cloudflare/puppeteer";

/** A browser session stays open this long after its last use, so the next PDF skips the launch. */
export const BROWSER_KEEP_ALIVE_MS = 10 * 60 * 1000;

/**
 * Reuses an idle Browser Rendering session when there is one (sessions without a live connection), and
 * launches a new one otherwise. Launching costs seconds; connecting to a warm session costs milliseconds.
 * (miniflare's local binding keeps reporting a connection after disconnect, so locally every PDF launches.)
 */
async function acquireBrowser(binding: BrowserWorker): Promise<Browser> {
  const sessions = await puppeteer.sessions(binding);
  for (const session of sessions) {
    if (session.connectionId) continue;
    try {
      return await puppeteer.connect(binding, session.sessionId);
    } catch {
      // Taken by another request or closed in between: try the next one.
    }
  }
  return puppeteer.launch(binding, { keep_alive: BROWSER_KEEP_ALIVE_MS });
}

/** Renders an HTML document (self-contained: inline styles, data: images) to PDF bytes through Browser Rendering. */
export async function renderPdf(binding: Fetcher, html: string, options: PDFOptions = {}): Promise<Uint8Array> {
  const browser = await acquireBrowser(binding as unknown as BrowserWorker);
  try {
    const page = await browser.newPage();
    try {
      await page.setContent(html, { waitUntil: "load" });
      return await page.pdf({
        format: "A4",
        printBackground: true,
        margin: { top: "18mm", bottom: "18mm", left: "16mm", right: "16mm" },
        ...options,
      });
    } finally {
      await page.close();
    }
  } finally {
    // Disconnect rather than close: the session stays warm for the next document.
    await browser.disconnect();
  }
}
