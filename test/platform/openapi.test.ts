import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/http";

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
  requestBody?: { content: Record<string, unknown> };
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: Record<string, unknown> };
}

// API.md, "General" and "Auth and users", plus the development mailbox.
const DOCUMENTED: [method: string, path: string][] = [
  ["get", "/api/health"],
  ["post", "/api/auth/register"],
  ["post", "/api/auth/login"],
  ["post", "/api/auth/refresh"],
  ["post", "/api/auth/logout"],
  ["post", "/api/auth/password/forgot"],
  ["post", "/api/auth/password/reset"],
  ["post", "/api/auth/email/verify"],
  ["get", "/api/auth/google"],
  ["get", "/api/auth/google/callback"],
  ["get", "/api/users/me"],
  ["patch", "/api/users/me"],
  ["post", "/api/users/me/password"],
  ["put", "/api/users/me/logo"],
  ["get", "/api/users/me/logo"],
  ["delete", "/api/users/me/logo"],
  ["get", "/api/dev/mailbox"],
  ["delete", "/api/dev/mailbox"],
  ["get", "/socket.io/"],
  ["post", "/api/conversations"],
  ["get", "/api/conversations"],
  ["get", "/api/conversations/{id}"],
  ["patch", "/api/conversations/{id}"],
  ["delete", "/api/conversations/{id}"],
  ["post", "/api/conversations/{id}/participants"],
  ["delete", "/api/conversations/{id}/participants/{userId}"],
  ["post", "/api/conversations/{id}/messages"],
  ["get", "/api/conversations/{id}/messages"],
  ["post", "/api/conversations/{id}/read"],
  ["patch", "/api/conversations/{id}/messages/{messageId}"],
  ["delete", "/api/conversations/{id}/messages/{messageId}"],
  ["get", "/api/notifications"],
  ["post", "/api/notifications/{id}/read"],
  ["post", "/api/notifications/read-all"],
  ["get", "/api/notifications/unread-count"],
  ["get", "/api/notifications/preferences"],
  ["put", "/api/notifications/preferences"],
  ["post", "/api/availability"],
  ["get", "/api/availability"],
  ["get", "/api/availability/{id}"],
  ["patch", "/api/availability/{id}"],
  ["delete", "/api/availability/{id}"],
  ["put", "/api/availability/exceptions"],
  ["get", "/api/availability/exceptions"],
  ["delete", "/api/availability/exceptions/{id}"],
  ["get", "/api/booking/settings"],
  ["put", "/api/booking/settings"],
  ["get", "/api/public/booking/{userId}/info"],
  ["get", "/api/public/booking/{userId}/availability"],
  ["post", "/api/public/booking/{userId}/hold"],
  ["delete", "/api/public/booking/holds/{token}"],
  ["post", "/api/public/booking/{userId}/book"],
  ["get", "/api/public/booking/manage/{token}"],
  ["post", "/api/public/booking/cancel/{token}"],
  ["post", "/api/public/booking/reschedule/{token}"],
  ["get", "/api/bookings"],
  ["get", "/api/bookings/stats"],
  ["get", "/api/bookings/{id}"],
  ["patch", "/api/bookings/{id}"],
  ["delete", "/api/bookings/{id}"],
  ["post", "/api/bookings/{id}/confirm"],
  ["post", "/api/bookings/{id}/decline"],
  ["get", "/api/analytics/dashboard"],
  ["get", "/api/analytics/revenue"],
  ["get", "/api/analytics/conversion"],
  ["get", "/api/analytics/sessions"],
  ["get", "/api/analytics/report.pdf"],
  ["get", "/api/email-templates"],
  ["get", "/api/email-templates/{kind}"],
  ["put", "/api/email-templates/{kind}"],
  ["delete", "/api/email-templates/{kind}"],
  ["post", "/api/email-templates/{kind}/preview"],
  ["post", "/api/scheduled-emails"],
  ["get", "/api/scheduled-emails"],
  ["get", "/api/scheduled-emails/{id}"],
  ["patch", "/api/scheduled-emails/{id}"],
  ["delete", "/api/scheduled-emails/{id}"],
  ["post", "/api/quotes"],
  ["get", "/api/quotes"],
  ["get", "/api/quotes/{id}"],
  ["patch", "/api/quotes/{id}"],
  ["delete", "/api/quotes/{id}"],
  ["post", "/api/quotes/{id}/send"],
  ["post", "/api/quotes/{id}/convert"],
  ["get", "/api/quotes/{id}/pdf"],
  ["post", "/api/invoices"],
  ["get", "/api/invoices"],
  ["get", "/api/invoices/{id}"],
  ["patch", "/api/invoices/{id}"],
  ["delete", "/api/invoices/{id}"],
  ["post", "/api/invoices/{id}/send"],
  ["get", "/api/invoices/{id}/pdf"],
  ["post", "/api/invoices/{id}/payments"],
  ["get", "/api/invoices/{id}/payments"],
  ["delete", "/api/invoices/{id}/payments/{paymentId}"],
  ["post", "/api/scheduled-emails/{id}/cancel"],
  ["post", "/api/quotes/{id}/client-link"],
  ["post", "/api/invoices/{id}/client-link"],
  ["get", "/api/contacts/{id}/client-links"],
  ["delete", "/api/client-links/{id}"],
  ["get", "/api/contacts/{id}/messages"],
  ["post", "/api/contacts/{id}/messages"],
  ["get", "/api/client-access"],
  ["get", "/api/client-access/quotes/{quoteId}"],
  ["get", "/api/client-access/quotes/{quoteId}/pdf"],
  ["post", "/api/client-access/quotes/{quoteId}/accept"],
  ["post", "/api/client-access/quotes/{quoteId}/reject"],
  ["get", "/api/client-access/invoices/{invoiceId}"],
  ["get", "/api/client-access/invoices/{invoiceId}/pdf"],
  ["post", "/api/client-access/messages"],
  ["get", "/api/client-access/messages"],
];

let doc: OpenApiDocument;

beforeAll(async () => {
  const res = await api<OpenApiDocument>("/api/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  doc = res.body;
});

describe("GET /api/openapi.json", () => {
  it("is OpenAPI 3.1 with a title and version", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
  });

  it.each(DOCUMENTED)("lists %s %s", (method, path) => {
    expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths[path]![method], `${method} ${path}`).toBeDefined();
  });

  it("marks the /api/users routes as bearer-authenticated, and declares the scheme", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [method, path] of DOCUMENTED.filter(([, p]) => p.startsWith("/api/users"))) {
      expect(doc.paths[path]![method]!.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
    }
  });

  it("documents the answers API.md promises", () => {
    const codes = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses);
    expect(codes("post", "/api/auth/register")).toEqual(expect.arrayContaining(["201", "400", "409", "429"]));
    expect(codes("post", "/api/auth/login")).toEqual(expect.arrayContaining(["200", "401", "429"]));
    expect(codes("post", "/api/auth/refresh")).toEqual(expect.arrayContaining(["200", "401"]));
    expect(codes("post", "/api/auth/logout")).toContain("204");
    expect(codes("post", "/api/auth/password/forgot")).toContain("202");
    expect(codes("post", "/api/auth/password/reset")).toEqual(expect.arrayContaining(["204", "400"]));
    expect(codes("post", "/api/auth/email/verify")).toContain("204");
    expect(codes("post", "/api/users/me/password")).toContain("204");
    const problem = doc.paths["/api/auth/login"]!.post!.responses["401"]!;
    expect(Object.keys(problem.content ?? {})).toEqual(["application/problem+json"]);
  });

  it("the user schema has the documented fields and no hash", () => {
    const user = doc.components.schemas.User!;
    for (const field of ["id", "email", "firstName", "lastName", "emailVerified", "plan", "createdAt"]) {
      expect(user.properties, field).toHaveProperty(field);
      expect(user.required).toContain(field);
    }
    expect(JSON.stringify(user)).not.toMatch(/hash/i);
    expect(doc.components.schemas.Problem!.properties).toEqual(
      expect.objectContaining({ type: expect.anything(), title: expect.anything(), status: expect.anything(), code: expect.anything(), requestId: expect.anything(), errors: expect.anything() }),
    );
  });

  it("the request bodies are JSON and the auth ones are closed (additionalProperties false)", () => {
    for (const [method, path] of DOCUMENTED.filter(([m, p]) => m === "post" && p.startsWith("/api/auth"))) {
      expect(Object.keys(doc.paths[path]![method]!.requestBody!.content), path).toEqual(["application/json"]);
    }
    expect(JSON.stringify(doc.components.schemas.Register)).toContain('"additionalProperties":false');
  });
});

describe("GET /api/docs", () => {
  it("returns an HTML reference page pointing at the document", async () => {
    const res = await api("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html/i);
    expect(res.text).toContain("/api/openapi.json");
  });
});
