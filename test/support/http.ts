import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { createClient, type ApiResponse } from "./client";

export { errorPaths, expectProblem, PASSWORD, uniqueEmail, type Account, type ApiInit, type ApiResponse, type Session } from "./client";

/** Shared helpers for workers-pool tests: every helper consumes the response body it receives. */

export const ORIGIN = "http://lightbox.test";
let ipCounter = 0;
/** A caller address no other test uses (the rate limiters' buckets outlive a test). */
export function uniqueIp(): string {
  const bytes = crypto.getRandomValues(new Uint16Array(3));
  ipCounter = (ipCounter + 1) & 0xffff;
  return `2001:db8:${[...bytes].map((b) => b.toString(16)).join(":")}::${ipCounter.toString(16)}`;
}

export const { api, register, login, refresh } = createClient({
  send: (url, init) => SELF.fetch(url, init),
  url: (path) => `${ORIGIN}${path}`,
  defaultIp: uniqueIp,
  setsIp: true,
});

/**
 * Miniflare's rate limiters count in fixed windows aligned to the wall clock (every 60 s). A test that needs
 * `neededMs` inside one window waits for the next one when the current window ends too soon.
 */
export async function freshRateLimitWindow(neededMs: number, periodMs = 60_000): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

/** Every item of a list, following nextCursor page by page; fails on a cursor that never ends. */
export async function allPages(token: string, path: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const res: ApiResponse = await api(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token });
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error("pagination did not end");
}
