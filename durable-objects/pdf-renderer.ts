// PdfRenderer: the Durable Object that keeps one Browser Rendering browser open across requests (Cloudflare's
// "Browser Rendering with Durable Objects" pattern). A Worker request cannot hold a browser beyond itself, and
// reconnecting to a disconnected session through puppeteer.sessions() does not work under miniflare (the local
// binding keeps reporting a connection after disconnect), so every PDF would launch a browser: seconds each.
// Here the browser lives in a field of the object: launched once, every render opens a page in it (concurrent
// renders are concurrent pages), and an alarm closes it after IDLE_MS without a render.
//
// One instance serves every PDF (`pdfRendererOf`). The scarce resources are the account's concurrent browsers
// and its browser launches per minute, not this object: it only relays CDP messages while Chromium lays out and
// prints, so its single thread is idle most of a render. One warm browser shared by all tenants launches least;
// sharding by owner would multiply browsers (and launches) for no gain at the rates a studio prints documents.
import { DurableObject } from "cloudflare:workers";
import puppeteer, { type Browser, type BrowserWorker, type PDFOptions } from "@cloudflare/puppeteer";
import type { Env } from "@shared/env";

/** The browser is closed after this long without a render. */
export const IDLE_MS = 60_000;
/** How long Browser Rendering keeps the session after its connection drops: should this object be evicted or
 *  restarted (a deploy) while the browser is open, the next instance reconnects to it instead of launching. */
const KEEP_ALIVE_MS = 2 * 60_000;

/** The print options a caller may set (plain data: they cross the RPC boundary). */
export type PdfRenderOptions = Pick<
  PDFOptions,
  "format" | "landscape" | "margin" | "scale" | "printBackground" | "displayHeaderFooter" | "headerTemplate" | "footerTemplate" | "preferCSSPageSize" | "pageRanges"
>;

export interface RendererStats {
  /** Browsers launched by this instance since it started. */
  launches: number;
  /** Idle sessions it reconnected to instead of launching. */
  reconnects: number;
  renders: number;
  /** Renders in progress right now. */
  active: number;
  connected: boolean;
  sessionId: string | null;
}

export class PdfRenderer extends DurableObject<Env> {
  private browser: Browser | null = null;
  private opening: Promise<Browser> | null = null;
  private launches = 0;
  private reconnects = 0;
  private renders = 0;
  private active = 0;
  private lastUsedAt = 0;
  private alarmAt: number | null = null;

  /** The open browser, or one opened now; concurrent callers share a single opening. */
  private async acquire(): Promise<Browser> {
    if (this.browser?.isConnected()) return this.browser;
    this.browser = null;
    this.opening ??= this.open().finally(() => (this.opening = null));
    return this.opening;
  }

  private async open(): Promise<Browser> {
    const binding = this.env.BROWSER as unknown as BrowserWorker;
    let browser: Browser | null = null;
    // A session left by a previous instance of this object has no connection: take it over.
    for (const session of await puppeteer.sessions(binding).catch(() => [])) {
      if (session.connectionId) continue;
      try {
        browser = await puppeteer.connect(binding, session.sessionId);
        this.reconnects++;
        break;
      } catch {
        // Closed or taken in between: try the next one.
      }
    }
    if (!browser) {
      browser = await puppeteer.launch(binding, { keep_alive: KEEP_ALIVE_MS });
      this.launches++;
    }
    const opened = browser;
    opened.on("disconnected", () => {
      if (this.browser === opened) this.browser = null;
    });
    this.browser = opened;
    return opened;
  }

  /** Prints `html` (self-contained: inline styles, data: images) to PDF bytes. */
  async render(html: string, options: PdfRenderOptions = {}): Promise<Uint8Array> {
    this.active++;
    try {
      return await this.print(html, options);
    } finally {
      this.active--;
      this.renders++;
      this.lastUsedAt = Date.now();
      await this.scheduleIdleCheck(this.lastUsedAt + IDLE_MS);
    }
  }

  private async print(html: string, options: PdfRenderOptions, retried = false): Promise<Uint8Array> {
    const browser = await this.acquire();
    let page;
    try {
      page = await browser.newPage();
    } catch (error) {
      // A page that fails to open in a browser still connected is this render's failure alone: the browser
      // carries the other renders' pages, so it stays. Only a browser that died (closed by the service,
      // crashed) is dropped, and this render opens another once.
      if (retried || browser.isConnected()) throw error;
      if (this.browser === browser) this.browser = null;
      await browser.close().catch(() => undefined);
      return this.print(html, options, true);
    }
    try {
      await page.setContent(html, { waitUntil: "load" });
      return await page.pdf({ format: "A4", printBackground: true, ...options });
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  stats(): RendererStats {
    return {
      launches: this.launches,
      reconnects: this.reconnects,
      renders: this.renders,
      active: this.active,
      connected: this.browser?.isConnected() ?? false,
      sessionId: this.browser?.isConnected() ? this.browser.sessionId() : null,
    };
  }

  /** One alarm at a time; it moves itself forward while renders keep coming. */
  private async scheduleIdleCheck(at: number) {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  override async alarm() {
    this.alarmAt = null;
    const idleUntil = this.lastUsedAt + IDLE_MS;
    if (this.active > 0 || Date.now() < idleUntil) {
      await this.scheduleIdleCheck(Math.max(idleUntil, Date.now() + 1000));
      return;
    }
    const browser = this.browser;
    this.browser = null;
    await browser?.close().catch(() => undefined);
  }
}

export const pdfRendererOf = (env: Env) => env.PDF_RENDERERS.get(env.PDF_RENDERERS.idFromName("pdf"));
