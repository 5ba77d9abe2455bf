import { SELF } from "cloudflare:test";
import { expect } from "vitest";

/** Shared helpers for workers-pool tests: every helper consumes the response body it receives. */

export const ORIGIN = "http://lightbox.test";
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
  /** Sent as is (string, stream...), with the caller's headers. */
  body?: BodyInit | null;
  /** `Authorization: Bearer <token>`. */
  token?: string;
  /** `CF-Connecting-IP`: limiters key on it. */
  ip?: string;
}

let ipCounter = 0;
/** A caller address no other test uses (the rate limiters' buckets outlive a test). */
export function uniqueIp(): string {
  const bytes = crypto.getRandomValues(new Uint16Array(3));
  ipCounter = (ipCounter + 1) & 0xffff;
  return `2001:db8:${[...bytes].map((b) => b.toString(16)).join(":")}::${ipCounter.toString(16)}`;
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}@studio.example`;
}

/** Calls the Worker through SELF and reads the whole body. */
export async function api<T = any>(path: string, init: ApiInit = {}): Promise<ApiResponse<T>> {
  const { json, token, ip, body, headers: given, ...rest } = init;
  const headers = new Headers(given);
  if (json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", ip ?? uniqueIp());
  const method = rest.method ?? (json !== undefined || body !== undefined ? "POST" : "GET");
  const res = await SELF.fetch(`${ORIGIN}${path}`, {
    ...rest,
    method,
    headers,
    body: json !== undefined ? JSON.stringify(json) : body,
  } as RequestInit);
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
  ip: string;
}

/** Registers a fresh account (201 expected) and returns its session and credentials. */
export async function register(overrides: Partial<{ email: string; password: string; firstName: string; lastName: string }> = {}, ip = uniqueIp()): Promise<Account> {
  const input = { email: uniqueEmail(), password: PASSWORD, firstName: "Ada", lastName: "Lovelace", ...overrides };
  const res = await api<Session>("/api/auth/register", { json: input, ip });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, email: input.email.trim().toLowerCase(), password: input.password, ip };
}

export function login(email: string, password: string, ip = uniqueIp()) {
  return api<Session>("/api/auth/login", { json: { email, password }, ip });
}

export function refresh(refreshToken: string, ip = uniqueIp()) {
  return api<Omit<Session, "user">>("/api/auth/refresh", { json: { refreshToken }, ip });
}

/** Asserts an RFC 9457 problem with the given status and code; returns its body. */
export function expectProblem(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), requestId: expect.any(String) });
  expect(res.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
  return res.body as { code: string; errors?: { path: string; message: string }[]; detail?: string; [key: string]: unknown };
}

/** The field paths a VALIDATION_FAILED problem names. */
export function errorPaths(res: ApiResponse): string[] {
  return ((res.body?.errors ?? []) as { path: string }[]).map((e) => e.path);
}

/**
 * Miniflare's rate limiters count in fixed windows aligned to the wall clock (every 60 s). A test that needs
 * `neededMs` inside one window waits for the next one when the current window ends too soon.
 */
export async function freshRateLimitWindow(neededMs: number, periodMs = 60_000): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}
