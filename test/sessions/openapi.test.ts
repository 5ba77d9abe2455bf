import { describe, expect, it } from "vitest";
import { api } from "../support/http";

const ROUTES: [string, string][] = [
  ["post", "/api/sessions"],
  ["get", "/api/sessions"],
  ["get", "/api/sessions/{id}"],
  ["patch", "/api/sessions/{id}"],
  ["delete", "/api/sessions/{id}"],
  ["get", "/api/sessions/{id}/history"],
  ["put", "/api/sessions/{id}/contacts/{contactId}"],
  ["delete", "/api/sessions/{id}/contacts/{contactId}"],
  ["put", "/api/sessions/{id}/tags/{tagId}"],
  ["delete", "/api/sessions/{id}/tags/{tagId}"],
  ["put", "/api/sessions/{id}/providers/{providerId}"],
  ["delete", "/api/sessions/{id}/providers/{providerId}"],
  ["post", "/api/providers"],
  ["get", "/api/providers"],
  ["get", "/api/providers/{id}"],
  ["patch", "/api/providers/{id}"],
  ["delete", "/api/providers/{id}"],
];

describe("OpenAPI document", () => {
  it("describes every session and provider route, bearer-authenticated", async () => {
    const doc = (await api("/api/openapi.json")).body;
    for (const [method, path] of ROUTES) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      expect(doc.paths[path][method].security).toEqual([{ bearerAuth: [] }]);
    }
    expect(doc.components.schemas.Session.properties).toHaveProperty("price");
    expect(doc.components.schemas.SessionCreate.required).toEqual(["title"]);
    const statusParam = doc.paths["/api/sessions"].get.parameters.find((p: any) => p.name === "status");
    expect(statusParam).toMatchObject({ in: "query", schema: { type: "string" } });
  });
});
