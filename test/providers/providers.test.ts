import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { providers, sessionProviders } from "@shared/db/schema";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { auditOf, createProvider, createSession, db, readAll } from "../sessions/helpers";

describe("providers CRUD", () => {
  it("creates, reads, updates and deletes a provider", async () => {
    const { accessToken: token } = await register();
    const created = await createProvider(token, { name: "  Sam Second ", role: "Second shooter", email: " Sam@Example.COM ", phone: "+33 6 12 34 56 78" });
    expect(created).toEqual({
      id: expect.any(String),
      name: "Sam Second",
      role: "Second shooter",
      email: "sam@example.com",
      phone: "+33 6 12 34 56 78",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const read = await api(`/api/providers/${created.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);

    const patched = await api(`/api/providers/${created.id}`, { method: "PATCH", token, json: { role: "Make-up artist", phone: null, email: "" } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ id: created.id, name: "Sam Second", role: "Make-up artist", phone: null, email: null });
    expect((await api(`/api/providers/${created.id}`, { token })).body).toEqual(patched.body);

    const deleted = await api(`/api/providers/${created.id}`, { method: "DELETE", token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expectProblem(await api(`/api/providers/${created.id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/providers/${created.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
  });

  it("only a name is required", async () => {
    const { accessToken: token } = await register();
    expect(await createProvider(token, { name: "Lou" })).toMatchObject({ name: "Lou", role: null, email: null, phone: null });
  });

  it("records create, update and delete in the audit log", async () => {
    const account = await register();
    const provider = await createProvider(account.accessToken, { name: "Audited" });
    await api(`/api/providers/${provider.id}`, { method: "PATCH", token: account.accessToken, json: { role: "Assistant" } });
    await api(`/api/providers/${provider.id}`, { method: "DELETE", token: account.accessToken });
    const trail = await auditOf("provider", provider.id);
    expect(trail.map((t) => [t.action, t.actorType, t.actorId, t.ownerId])).toEqual([
      ["CREATE", "USER", account.user.id, account.user.id],
      ["UPDATE", "USER", account.user.id, account.user.id],
      ["DELETE", "USER", account.user.id, account.user.id],
    ]);
    expect(trail[0]!.changes).toEqual({ name: { before: null, after: "Audited" } });
    expect(trail[1]!.changes).toEqual({ role: { before: null, after: "Assistant" } });
    expect(trail.every((t) => t.requestId)).toBe(true);
  });

  it("deleting a provider removes it from the sessions it was booked on", async () => {
    const { accessToken: token } = await register();
    const provider = await createProvider(token);
    const session = await createSession(token, { title: "Wedding", providers: [{ providerId: provider.id, fee: { amount: 30000, currency: "EUR" } }] });
    expect(session.providers).toHaveLength(1);
    expect((await api(`/api/providers/${provider.id}`, { method: "DELETE", token })).status).toBe(204);
    expect(await db.select().from(sessionProviders).where(eq(sessionProviders.providerId, provider.id))).toEqual([]);
    expect((await api(`/api/sessions/${session.id}`, { token })).body.providers).toEqual([]);
    // The unlinking is on the session's trail too.
    const trail = await auditOf("session", session.id);
    expect(trail.at(-1)).toMatchObject({ action: "UPDATE", changes: { provider: { before: expect.objectContaining({ providerId: provider.id }), after: null } } });
  });
});

describe("providers validation", () => {
  it.each([
    ["missing name", {}, "body.name"],
    ["blank name", { name: "   " }, "body.name"],
    ["bad email", { name: "A", email: "not-an-email" }, "body.email"],
    ["long role", { name: "A", role: "x".repeat(101) }, "body.role"],
    ["unknown field", { name: "A", nickname: "B" }, "body.nickname"],
    ["ownerId", { name: "A", ownerId: "someone" }, "body.ownerId"],
    ["id", { name: "A", id: "chosen-id" }, "body.id"],
  ])("POST refuses %s with a 400 naming the field", async (_, json, path) => {
    const { accessToken: token } = await register();
    const res = await api("/api/providers", { token, json });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toContain(path);
  });

  it("PATCH refuses an empty body, a null name and mass assignment, and changes nothing", async () => {
    const { accessToken: token } = await register();
    const provider = await createProvider(token, { name: "Kept" });
    for (const [json, path] of [
      [{}, "body"],
      [{ name: null }, "body.name"],
      [{ ownerId: "x" }, "body.ownerId"],
      [{ id: "x", name: "Other" }, "body.id"],
    ] as const) {
      const res = await api(`/api/providers/${provider.id}`, { method: "PATCH", token, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toContain(path);
    }
    const [row] = await db.select().from(providers).where(eq(providers.id, provider.id));
    expect(row).toMatchObject({ name: "Kept" });
  });

  it("refuses bad list queries", async () => {
    const { accessToken: token } = await register();
    for (const [query, path] of [
      ["limit=0", "query.limit"],
      ["limit=101", "query.limit"],
      ["cursor=nope", "query.cursor"],
    ]) {
      const res = await api(`/api/providers?${query}`, { token });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual([path]);
    }
  });

  it.each([
    ["POST", "/api/providers"],
    ["GET", "/api/providers"],
    ["GET", "/api/providers/x"],
    ["PATCH", "/api/providers/x"],
    ["DELETE", "/api/providers/x"],
  ])("%s %s is 401 without a token", async (method, path) => {
    expectProblem(await api(path, { method, ...(method === "POST" || method === "PATCH" ? { json: { name: "A" } } : {}) }), 401, "UNAUTHORIZED");
  });
});

describe("providers list", () => {
  it("returns every provider once, sorted by name then id, across pages", async () => {
    const { accessToken: token } = await register();
    const names = ["Zoé", "Adam", "Mia", "Adam", "Bea", "Léo", "Adam", "Carl", "Noa"];
    const made = [];
    for (const name of names) made.push(await createProvider(token, { name }));
    const expected = made.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1)).map((p) => p.id);
    for (const limit of [1, 2, 4, 100]) expect((await readAll("/api/providers", token, limit)).map((p) => p.id)).toEqual(expected);
    const first = await api("/api/providers", { token });
    expect(first.body.items).toHaveLength(names.length);
    expect(first.body.nextCursor).toBeNull();
  });
});

describe("providers are per tenant", () => {
  it("another user gets 404 on read, update and delete, and never sees them in a list", async () => {
    const owner = await register();
    const other = await register();
    const provider = await createProvider(owner.accessToken, { name: "Private" });
    await createProvider(other.accessToken, { name: "Theirs" });

    expectProblem(await api(`/api/providers/${provider.id}`, { token: other.accessToken }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/providers/${provider.id}`, { method: "PATCH", token: other.accessToken, json: { name: "Stolen" } }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/providers/${provider.id}`, { method: "DELETE", token: other.accessToken }), 404, "NOT_FOUND");
    const list = await api("/api/providers", { token: other.accessToken });
    expect(list.body.items.map((p: any) => p.name)).toEqual(["Theirs"]);

    const [row] = await db.select().from(providers).where(eq(providers.id, provider.id));
    expect(row).toMatchObject({ name: "Private", ownerId: owner.user.id });
  });
});
