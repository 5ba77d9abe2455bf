// Helpers for end-to-end tests: real `fetch` against the Worker under `wrangler dev` (see test/e2e/global-setup.ts).
import { randomUUID } from "node:crypto";
import { expect, inject } from "vitest";

export const PASSWORD = "correct horse battery staple";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON (or problem+json), else undefined. */
  body: T;
  text: string;
}

export interface ApiInit extends Omit<RequestInit, "body"> {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  body?: BodyInit | null;
  /** `Authorization: Bearer <token>`. */
  token?: string;
}

export const workerUrl = () => inject("workerUrl");

export function uniqueEmail(prefix = "e2e"): string {
  return `${prefix}-${randomUUID().slice(0, 12)}@studio.example`;
}

/** Calls the Worker over HTTP and reads the whole body. Redirects are returned, not followed. */
export async function api<T = any>(path: string, init: ApiInit = {}): Promise<ApiResponse<T>> {
  const { json, token, body, headers: given, ...rest } = init;
  const headers = new Headers(given);
  if (json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const method = rest.method ?? (json !== undefined || body !== undefined ? "POST" : "GET");
  const url = /^https?:/.test(path) ? path : `${workerUrl()}${path}`;
  const res = await fetch(url, { redirect: "manual", ...rest, method, headers, body: json !== undefined ? JSON.stringify(json) : body });
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  const parsed = /json/.test(type) && text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export interface Session {
  user: { id: string; email: string; [key: string]: unknown };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface Account extends Session {
  email: string;
  password: string;
}

export async function register(overrides: Partial<{ email: string; password: string; firstName: string; lastName: string }> = {}): Promise<Account> {
  const input = { email: uniqueEmail(), password: PASSWORD, firstName: "Ada", lastName: "Lovelace", ...overrides };
  const res = await api<Session>("/api/auth/register", { json: input });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, email: input.email.trim().toLowerCase(), password: input.password };
}

export const login = (email: string, password: string) => api<Session>("/api/auth/login", { json: { email, password } });
export const refresh = (refreshToken: string) => api<Omit<Session, "user">>("/api/auth/refresh", { json: { refreshToken } });

/** Asserts an RFC 9457 problem with the given status and code; returns its body. */
export function expectProblem(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), requestId: expect.any(String) });
  expect(res.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
  return res.body as { code: string; errors?: { path: string; message: string }[]; detail?: string; [key: string]: unknown };
}

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
