// The HTTP test client shared by the workers-pool tests (through SELF) and the end-to-end tests (through
// real fetch): same requests, same assertions, different transport.
import { expect } from "vitest";

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
  /** The caller's address (`CF-Connecting-IP`), where the transport can set it: limiters key on it. */
  ip?: string;
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

export interface Transport {
  send(url: string, init: RequestInit): Promise<Response>;
  url(path: string): string;
  /** The address a request comes from when the test names none. */
  defaultIp(): string;
  /** Whether the transport can claim an address (SELF can; a real socket cannot). */
  setsIp: boolean;
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}@studio.example`;
}

export function createClient(transport: Transport) {
  /** Calls the Worker and reads the whole body. Redirects are returned, not followed. */
  async function api<T = any>(path: string, init: ApiInit = {}): Promise<ApiResponse<T>> {
    const { json, token, ip, body, headers: given, ...rest } = init;
    const headers = new Headers(given);
    if (json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
    if (transport.setsIp && !headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", ip ?? transport.defaultIp());
    const method = rest.method ?? (json !== undefined || body !== undefined ? "POST" : "GET");
    const url = /^https?:/.test(path) ? path : transport.url(path);
    const res = await transport.send(url, { redirect: "manual", ...rest, method, headers, body: json !== undefined ? JSON.stringify(json) : body } as RequestInit);
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    const parsed = /json/.test(type) && text ? JSON.parse(text) : undefined;
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  /** Registers a fresh account (201 expected) and returns its session and credentials. */
  async function register(overrides: Partial<{ email: string; password: string; firstName: string; lastName: string }> = {}, ip = transport.defaultIp()): Promise<Account> {
    const input = { email: uniqueEmail(), password: PASSWORD, firstName: "Ada", lastName: "Lovelace", ...overrides };
    const res = await api<Session>("/api/auth/register", { json: input, ip });
    expect(res.status, res.text).toBe(201);
    return { ...res.body, email: input.email.trim().toLowerCase(), password: input.password, ip };
  }

  const login = (email: string, password: string, ip = transport.defaultIp()) => api<Session>("/api/auth/login", { json: { email, password }, ip });
  const refresh = (refreshToken: string, ip = transport.defaultIp()) => api<Omit<Session, "user">>("/api/auth/refresh", { json: { refreshToken }, ip });

  return { api, register, login, refresh };
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
