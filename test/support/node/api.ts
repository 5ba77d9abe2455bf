// Helpers for end-to-end tests: real `fetch` against the Worker under `wrangler dev` (see test/e2e/global-setup.ts).
import { expect, inject } from "vitest";
import { createClient } from "../client";

export { expectProblem, PASSWORD, uniqueEmail, type Account, type ApiResponse, type Session } from "../client";

export const workerUrl = () => inject("workerUrl");

// Requests come from this machine's socket: the Worker sees 127.0.0.1 whatever a test says.
export const { api, register, login, refresh } = createClient({
  send: (url, init) => fetch(url, init),
  url: (path) => `${workerUrl()}${path}`,
  defaultIp: () => "127.0.0.1",
  setsIp: false,
});

export interface DevMail {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string | null;
  html: string | null;
  attachments: { filename: string; contentType: string; size: number; url: string }[];
  rawUrl: string;
  createdAt: string;
}

/**
 * Polls the development mailbox until a message to `to` matches (the queue consumer delivers it: batches
 * wait up to max_batch_timeout, 2 s). Bounded: fails after `timeoutMs`.
 */
export async function waitForMail(to: string, match: (mail: DevMail) => boolean = () => true, timeoutMs = 20_000): Promise<DevMail> {
  const deadline = Date.now() + timeoutMs;
  let seen: DevMail[] = [];
  for (;;) {
    const res = await api<{ items: DevMail[] }>(`/api/dev/mailbox?to=${encodeURIComponent(to)}`);
    expect(res.status, res.text).toBe(200);
    seen = res.body.items;
    const found = seen.find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no matching email to ${to} within ${timeoutMs} ms; mailbox had: ${JSON.stringify(seen.map((m) => m.subject))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The `token` query parameter of the first link in `text` that starts with `prefix`. */
export function tokenFromLink(text: string, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const link = text.match(new RegExp(`${escaped}\\S*`))?.[0];
  if (!link) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  const token = new URL(link).searchParams.get("token");
  if (!token) throw new Error(`link without a token: ${link}`);
  return token;
}

/** `name=value` pairs from a response's Set-Cookie headers, ready for a Cookie header. */
export function cookiesFrom(headers: Headers): Record<string, { value: string; attributes: string }> {
  const out: Record<string, { value: string; attributes: string }> = {};
  for (const line of headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) out[pair.slice(0, eq).trim()] = { value: pair.slice(eq + 1).trim(), attributes: attributes.join(";").trim() };
  }
  return out;
}
