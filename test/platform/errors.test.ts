import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "@shared/env";
import { createApp } from "../../workers/app";
import { register } from "../support/http";

// The Worker's own app, called in this isolate with a broken environment: no test-only code in the Worker.
async function call(path: string, init: RequestInit, brokenEnv: Partial<Env> & Record<string, unknown>) {
  const res = await createApp().request(path, init, { ...env, ...brokenEnv } as Env);
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as Record<string, unknown> };
}

function loggedErrors(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.map((args) => {
    try {
      return JSON.parse(String(args[0])) as Record<string, unknown>;
    } catch {
      return { raw: args[0] };
    }
  });
}

afterEach(() => vi.restoreAllMocks());

describe("unknown exceptions", () => {
  it("a missing D1 binding: 500 INTERNAL problem without a stack, and the error is logged with the request id", async () => {
    const account = await register();
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    const logSpy = vi.spyOn(console, "log").mockImplementation(() => {});
    const requestId = `broken-db-${crypto.randomUUID()}`;
    const { res, text, body } = await call(
      "/api/users/me",
      { headers: { authorization: `Bearer ${account.accessToken}`, "x-request-id": requestId } },
      { DB: undefined },
    );

    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(body).toEqual({
      type: "urn:lightbox:problem:internal",
      title: "Internal server error",
      status: 500,
      detail: "An unexpected error occurred",
      code: "INTERNAL",
      requestId,
      instance: "/api/users/me",
    });
    // Nothing of the exception reaches the client.
    expect(text).not.toMatch(/TypeError|stack|\.ts:\d+|\.js:\d+|undefined/);
    expect(res.headers.get("x-request-id")).toBe(requestId);

    const errors = loggedErrors(errorSpy).filter((line) => line.msg === "unhandled exception");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: "error", requestId, method: "GET", path: "/api/users/me" });
    expect(String(errors[0]!.error)).toMatch(/TypeError/);
    expect(errors[0]!.stack).toEqual(expect.any(String));
    // And the request log line records the 500 at error level.
    const requests = loggedErrors(logSpy).filter((line) => line.msg === "request" && line.requestId === requestId);
    expect(requests).toEqual([expect.objectContaining({ level: "error", status: 500 })]);
  });

  it("a missing D1 binding on a write (register): 500, not a 4xx, and logged", async () => {
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const { res, body } = await call(
      "/api/auth/register",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "2001:db8:500::1" },
        body: JSON.stringify({ email: "db-down@studio.example", password: "long enough password", firstName: "A", lastName: "B" }),
      },
      { DB: undefined },
    );
    expect(res.status).toBe(500);
    expect(body).toMatchObject({ code: "INTERNAL", status: 500 });
    expect(body).not.toHaveProperty("errors");
    expect(loggedErrors(errorSpy).some((line) => line.msg === "unhandled exception" && line.path === "/api/auth/register")).toBe(true);
  });

  it("a misconfigured Worker (JWT_SECRET too short): 500 without the configuration problem in the body, logged", async () => {
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const { res, text, body } = await call("/api/health", {}, { JWT_SECRET: "short" });
    expect(res.status).toBe(500);
    expect(body).toMatchObject({ code: "INTERNAL", detail: "An unexpected error occurred" });
    expect(text).not.toMatch(/JWT_SECRET|configuration/i);
    const errors = loggedErrors(errorSpy).filter((line) => line.msg === "unhandled exception");
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.error)).toContain("JWT_SECRET");
  });

  it("a D1 that fails on health: 503 SERVICE_UNAVAILABLE problem, logged", async () => {
    const errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    // A D1 binding whose every statement fails, as when the database does not answer.
    const unavailable = new Proxy({}, { get: () => () => { throw new Error("D1_ERROR: database unavailable"); } }) as unknown as D1Database;
    const { res, body } = await call("/api/health", {}, { DB: unavailable });
    expect(res.status).toBe(503);
    expect(body).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503 });
    expect(loggedErrors(errorSpy).some((line) => line.msg === "health: D1 failed")).toBe(true);
  });
});
