import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";
import { api, errorPaths, expectProblem, PASSWORD, register, uniqueEmail } from "../support/http";

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_HEADERS = { "content-type": "application/json" };

/** A syntactically valid JSON register body of exactly `size` bytes. */
function registerBodyOfSize(size: number): string {
  const base = JSON.stringify({ email: uniqueEmail(), password: PASSWORD, firstName: "A", lastName: "B", invitationCode: "" });
  return base.replace('"invitationCode":""', `"invitationCode":"${"x".repeat(size - base.length)}"`);
}

describe("malformed and mistyped bodies", () => {
  it.each([
    ["truncated JSON", '{"email":"a@b.example","password":'],
    ["not JSON at all", "email=a@b.example&password=x"],
    ["an empty body", ""],
  ])("%s: 400 VALIDATION_FAILED problem+json, naming the body", async (_name, body) => {
    const res = await api("/api/auth/login", { method: "POST", headers: JSON_HEADERS, body });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors).toEqual([{ path: "body", message: expect.any(String) }]);
  });

  it.each([
    ["an array", [{ email: "a@b.example", password: "x" }]],
    ["a string", "a@b.example"],
    ["null", null],
  ])("a JSON body that is %s: 400 naming the body", async (_name, json) => {
    const res = await api("/api/auth/login", { json });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toContain("body");
  });

  it("wrong types: every field path is named", async () => {
    const res = await api("/api/auth/register", { json: { email: ["a@b.example"], password: { x: 1 }, firstName: true, lastName: null } });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res).sort()).toEqual(["body.email", "body.firstName", "body.lastName", "body.password"]);
    expect(problem.detail).toEqual(expect.any(String));
  });

  it("refresh, logout, forgot, reset and verify name their missing fields", async () => {
    const cases: [string, string[]][] = [
      ["/api/auth/refresh", ["body.refreshToken"]],
      ["/api/auth/logout", ["body.refreshToken"]],
      ["/api/auth/password/forgot", ["body.email"]],
      ["/api/auth/password/reset", ["body.password", "body.token"]],
      ["/api/auth/email/verify", ["body.token"]],
    ];
    for (const [path, fields] of cases) {
      const res = await api(path, { json: {} });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res).sort(), path).toEqual(fields);
    }
  });

  it("an extra key in the register body is refused", async () => {
    const res = await api("/api/auth/register", {
      json: { email: uniqueEmail(), password: PASSWORD, firstName: "A", lastName: "B", plan: "PRO" },
    });
    const problem = expectProblem(res, 400, "VALIDATION_FAILED");
    expect(problem.errors).toEqual([{ path: "body.plan", message: "is not an allowed field" }]);
  });

  it("an extra key in the login body is refused too", async () => {
    const res = await api("/api/auth/login", { json: { email: uniqueEmail(), password: PASSWORD, remember: true } });
    expectProblem(res, 400, "VALIDATION_FAILED");
  });
});

describe("body size and media type", () => {
  it("accepts a body of exactly MAX_BODY_BYTES (then validates it)", async () => {
    const body = registerBodyOfSize(MAX_BODY_BYTES);
    expect(new TextEncoder().encode(body).byteLength).toBe(MAX_BODY_BYTES);
    const res = await api("/api/auth/register", { method: "POST", headers: JSON_HEADERS, body });
    // Reaches validation: the 1 MiB invitation code is longer than 64 characters.
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.invitationCode"]);
  });

  it("one byte more: 413 PAYLOAD_TOO_LARGE", async () => {
    const body = registerBodyOfSize(MAX_BODY_BYTES + 1);
    const res = await api("/api/auth/register", { method: "POST", headers: JSON_HEADERS, body });
    expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("413 also when the body streams without a Content-Length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"email":"'));
        controller.enqueue(chunk);
        sent += chunk.byteLength;
        // Just past the limit, so the stream has ended by the time the Worker gives up on it.
        if (sent > MAX_BODY_BYTES) controller.close();
      },
      // The Worker stops reading once over the limit.
      cancel() {},
    });
    // Straight into the app in this isolate: through SELF, workerd logs the aborted request pipe as an
    // uncaught error once the Worker stops reading.
    const response = await createApp().request(
      "/api/auth/login",
      { method: "POST", headers: JSON_HEADERS, body: stream, duplex: "half" } as RequestInit,
      env,
    );
    const text = await response.text();
    expectProblem({ status: response.status, headers: response.headers, text, body: JSON.parse(text) }, 413, "PAYLOAD_TOO_LARGE");
  });

  it.each([
    ["text/plain", "text/plain"],
    ["form-urlencoded", "application/x-www-form-urlencoded"],
    ["xml", "application/xml"],
  ])("a %s body: 415 UNSUPPORTED_MEDIA_TYPE", async (_name, contentType) => {
    const res = await api("/api/auth/login", {
      method: "POST",
      headers: { "content-type": contentType },
      body: JSON.stringify({ email: "a@b.example", password: PASSWORD }),
    });
    expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a body without a Content-Type: 415", async () => {
    const res = await api("/api/auth/login", { method: "POST", body: new TextEncoder().encode('{"email":"a@b.example"}') });
    expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("JSON with a charset parameter is JSON", async () => {
    const account = await register();
    const res = await api("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    expect(res.status).toBe(200);
  });
});
