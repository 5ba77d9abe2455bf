import { describe, expect, it } from "vitest";
import { api, expectProblem, register } from "../support/http";

const ALLOWED = "http://localhost:5173"; // one of testBindings.CORS_ORIGINS
const ALSO_ALLOWED = "http://app.lightbox.test";
const FOREIGN = "https://evil.example";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("x-request-id", () => {
  it("every response carries one: success, problem, 404, preflight, no-content", async () => {
    const account = await register();
    const responses = await Promise.all([
      api("/api/health"),
      api("/api/users/me"),
      api("/api/nope"),
      api("/api/auth/login", { method: "OPTIONS", headers: { origin: ALLOWED, "access-control-request-method": "POST" } }),
      api("/api/auth/logout", { json: { refreshToken: account.refreshToken } }),
      api("/api/openapi.json"),
    ]);
    for (const res of responses) expect(res.headers.get("x-request-id")).toMatch(UUID);
  });

  it("a valid incoming id is echoed, and the problem body carries it too", async () => {
    const id = `trace-${crypto.randomUUID()}`;
    const ok = await api("/api/health", { headers: { "x-request-id": id } });
    expect(ok.headers.get("x-request-id")).toBe(id);
    const problem = await api("/api/users/me", { headers: { "x-request-id": id } });
    expect(problem.headers.get("x-request-id")).toBe(id);
    expect(expectProblem(problem, 401, "UNAUTHORIZED").requestId).toBe(id);
  });

  it.each([
    ["spaces and punctuation", "hello world; drop table"],
    ["a CRLF-free but non-token value", "<script>alert(1)</script>"],
    ["too long (256 characters)", "a".repeat(256)],
  ])("an invalid incoming id (%s) is replaced", async (_name, id) => {
    const res = await api("/api/health", { headers: { "x-request-id": id } });
    const echoed = res.headers.get("x-request-id");
    expect(echoed).not.toBe(id);
    expect(echoed).toMatch(UUID);
  });

  it("each request gets its own id", async () => {
    const [a, b] = await Promise.all([api("/api/health"), api("/api/health")]);
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/api/does-not-exist"],
    ["POST", "/api/auth/does-not-exist"],
    ["GET", "/"],
    ["GET", "/api/auth/login"],
  ])("%s %s: 404 problem+json NOT_FOUND", async (method, path) => {
    const res = await api(path, { method });
    const problem = expectProblem(res, 404, "NOT_FOUND");
    expect(problem.instance).toBe(path);
    expect(problem.detail).toContain(path);
  });

  it("a method a route does not have, when authenticated: 404 (without a token, /api/users/* answers 401 first)", async () => {
    const account = await register();
    expectProblem(await api("/api/users/me", { method: "DELETE", token: account.accessToken }), 404, "NOT_FOUND");
    expectProblem(await api("/api/users/me", { method: "DELETE" }), 401, "UNAUTHORIZED");
  });
});

describe("CORS", () => {
  it("an allowed origin's preflight is answered with Access-Control-Allow-Origin and the allowed methods", async () => {
    for (const origin of [ALLOWED, ALSO_ALLOWED]) {
      const res = await api("/api/users/me", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "PATCH", "access-control-request-headers": "authorization, content-type" },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-allow-methods")).toContain("PATCH");
      expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
      expect(res.headers.get("access-control-max-age")).toBe("600");
      expect(res.headers.get("vary")?.toLowerCase()).toContain("origin");
    }
  });

  it("an allowed origin's actual requests get Access-Control-Allow-Origin and the exposed headers, errors included", async () => {
    const account = await register();
    const ok = await api("/api/users/me", { token: account.accessToken, headers: { origin: ALLOWED } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const exposed = ok.headers.get("access-control-expose-headers")?.toLowerCase() ?? "";
    expect(exposed).toContain("x-request-id");
    expect(exposed).toContain("retry-after");

    const problem = await api("/api/auth/login", { json: { email: "x@y.example", password: "wrong one!" }, headers: { origin: ALLOWED } });
    expect(problem.status).toBe(401);
    expect(problem.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("a foreign origin gets no Access-Control-Allow-Origin, on preflight or on the request", async () => {
    const preflight = await api("/api/auth/login", {
      method: "OPTIONS",
      headers: { origin: FOREIGN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const actual = await api("/api/health", { headers: { origin: FOREIGN } });
    expect(actual.status).toBe(200);
    expect(actual.headers.get("access-control-allow-origin")).toBeNull();
    // Not a prefix or suffix match either.
    for (const origin of [`${ALLOWED}.evil.example`, "http://evil-app.lightbox.test", "null", "*"]) {
      expect((await api("/api/health", { headers: { origin } })).headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("never allows credentials with a wildcard", async () => {
    const res = await api("/api/health", { headers: { origin: ALLOWED } });
    expect(res.headers.get("access-control-allow-origin")).not.toBe("*");
  });
});

describe("secure headers", () => {
  it.each(["/api/health", "/api/users/me", "/api/nope"])("%s carries the secure headers", async (path) => {
    const res = await api(path);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-site");
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });
});
