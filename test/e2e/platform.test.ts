import { describe, expect, it } from "vitest";
import { api } from "../support/node/api";

describe("the Worker under wrangler dev", () => {
  it("answers health, the OpenAPI document and the reference UI", async () => {
    const health = await api("/api/health");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok" });

    const doc = await api("/api/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(["/api/auth/register", "/api/auth/google", "/api/auth/google/callback", "/api/users/me", "/api/dev/mailbox"]),
    );

    const docs = await api("/api/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toMatch(/^text\/html/);
    expect(docs.text).toContain("/api/openapi.json");
  });

  it("answers an unknown path with a problem, and lets the dashboard's origin through CORS", async () => {
    const missing = await api("/api/nope");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ code: "NOT_FOUND", status: 404 });

    const preflight = await api("/api/auth/login", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");

    const foreign = await api("/api/health", { headers: { origin: "https://evil.example" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});
