import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contactTags, tags } from "@shared/db/schema";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { allPages, auditRowsOf, db, newContact, newTag } from "../contacts/helpers";

describe("tags CRUD", () => {
  it("creates, reads, lists, renames, recolors and deletes a tag", async () => {
    const { accessToken: token } = await register();
    const created = await api("/api/tags", { token, json: { name: "  Wedding  ", color: "#E11D48" } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: "Wedding", color: "#e11d48", createdAt: expect.any(String), updatedAt: expect.any(String) });
    const { id } = created.body;

    expect((await api(`/api/tags/${id}`, { token })).body).toEqual(created.body);
    expect((await api("/api/tags", { token })).body).toEqual({ items: [created.body], nextCursor: null });

    const renamed = await api(`/api/tags/${id}`, { method: "PATCH", token, json: { name: "Mariage" } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: "Mariage", color: "#e11d48" });
    const cleared = await api(`/api/tags/${id}`, { method: "PATCH", token, json: { color: null } });
    expect(cleared.body).toMatchObject({ id, name: "Mariage", color: null });

    expect((await api(`/api/tags/${id}`, { method: "DELETE", token })).status).toBe(204);
    expectProblem(await api(`/api/tags/${id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/tags/${id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect((await api("/api/tags", { token })).body.items).toEqual([]);
  });

  it("names are unique per user ignoring case and accents: 409 on create and on rename", async () => {
    const { accessToken: token } = await register();
    const wedding = await newTag(token, "Wedding");
    for (const name of ["wedding", "WEDDING ", "Wédding"]) {
      expectProblem(await api("/api/tags", { token, json: { name } }), 409, "CONFLICT");
    }
    const other = await newTag(token, "Portrait");
    expectProblem(await api(`/api/tags/${other.id}`, { method: "PATCH", token, json: { name: "wedding" } }), 409, "CONFLICT");
    // Renaming a tag to a different case of its own name is not a conflict.
    const recased = await api(`/api/tags/${wedding.id}`, { method: "PATCH", token, json: { name: "WEDDING" } });
    expect(recased.status, recased.text).toBe(200);
    expect((await db.select().from(tags).where(eq(tags.id, other.id)))[0]?.name).toBe("Portrait");
    // Another user has their own namespace.
    const { accessToken: stranger } = await register();
    await newTag(stranger, "Wedding");
  });

  it("lists by name (case and accents ignored) with cursor pagination: every tag exactly once", async () => {
    const { accessToken: token } = await register();
    const names = ["zebra", "Apple", "élan", "Eagle", "banana", "Cherry", "delta", "Écru", "fig", "Grape", "hazel", "iris", "Jade"];
    for (const name of names) await newTag(token, name);
    const items = await allPages(token, "/api/tags?limit=5");
    expect(items.map((t) => t.name)).toEqual(["Apple", "banana", "Cherry", "delta", "Eagle", "Écru", "élan", "fig", "Grape", "hazel", "iris", "Jade", "zebra"]);
    const first = await api("/api/tags?limit=5", { token });
    expect(first.body.items).toHaveLength(5);
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it("records create, update and delete in the audit log", async () => {
    const account = await register();
    const tag = await newTag(account.accessToken, "Family", "#00ff00");
    await api(`/api/tags/${tag.id}`, { method: "PATCH", token: account.accessToken, json: { name: "Families" } });
    await api(`/api/tags/${tag.id}`, { method: "DELETE", token: account.accessToken });
    const rows = await auditRowsOf("tag", tag.id);
    expect(rows.map((r) => [r.action, r.changes])).toEqual([
      ["CREATE", { name: { before: null, after: "Family" }, color: { before: null, after: "#00ff00" } }],
      ["UPDATE", { name: { before: "Family", after: "Families" } }],
      ["DELETE", { name: { before: "Families", after: null }, color: { before: "#00ff00", after: null } }],
    ]);
    expect(rows.every((r) => r.ownerId === account.user.id && r.actorId === account.user.id && r.actorType === "USER")).toBe(true);
  });

  it("deleting a tag removes it from its contacts, recorded in their history", async () => {
    const { accessToken: token } = await register();
    const tag = await newTag(token, "VIP");
    const contact = await newContact(token, { firstName: "Ada", tagIds: [tag.id] });
    expect(contact.tags).toEqual([{ id: tag.id, name: "VIP", color: null }]);
    expect((await api(`/api/tags/${tag.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/api/contacts/${contact.id}`, { token })).body.tags).toEqual([]);
    expect(await db.select().from(contactTags).where(eq(contactTags.tagId, tag.id))).toEqual([]);
    const history = (await api(`/api/contacts/${contact.id}/history`, { token })).body.items;
    expect(history[0]).toMatchObject({ action: "UPDATE", changes: { tag: { before: tag.id, after: null } } });
  });
});

describe("tags refusals", () => {
  it("400 naming the field for bad bodies, queries and ids", async () => {
    const { accessToken: token } = await register();
    const tag = await newTag(token, "Ok");
    const cases: [string, { method?: string; json?: unknown }, string][] = [
      ["/api/tags", { json: {} }, "body.name"],
      ["/api/tags", { json: { name: "   " } }, "body.name"],
      ["/api/tags", { json: { name: "x".repeat(51) } }, "body.name"],
      ["/api/tags", { json: { name: "Red", color: "red" } }, "body.color"],
      ["/api/tags", { json: { name: "Red", color: "#ff000" } }, "body.color"],
      ["/api/tags", { json: { name: "Red", ownerId: "someone" } }, "body.ownerId"],
      ["/api/tags", { json: { name: "Red", id: "chosen" } }, "body.id"],
      [`/api/tags/${tag.id}`, { method: "PATCH", json: { color: "blue" } }, "body.color"],
      [`/api/tags/${tag.id}`, { method: "PATCH", json: { name: "" } }, "body.name"],
      [`/api/tags/${tag.id}`, { method: "PATCH", json: { ownerId: "someone" } }, "body.ownerId"],
      [`/api/tags/${"x".repeat(65)}`, { method: "PATCH", json: { name: "A" } }, "path.id"],
      [`/api/tags/${"x".repeat(65)}`, { method: "DELETE" }, "path.id"],
      [`/api/tags/${"x".repeat(65)}`, {}, "path.id"],
      ["/api/tags?limit=0", {}, "query.limit"],
      ["/api/tags?limit=101", {}, "query.limit"],
      ["/api/tags?cursor=not-a-cursor", {}, "query.cursor"],
    ];
    for (const [path, init, field] of cases) {
      const res = await api(path, { ...init, token });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), `${init.method ?? "GET"} ${path}`).toContain(field);
    }
    expectProblem(await api(`/api/tags/${tag.id}`, { method: "PATCH", token, json: {} }), 400, "VALIDATION_FAILED");
    // Nothing was written by the refused requests.
    expect((await api("/api/tags", { token })).body.items.map((t: { name: string }) => t.name)).toEqual(["Ok"]);
  });

  it("401 on every route without a token", async () => {
    const { accessToken: token } = await register();
    const tag = await newTag(token, "Mine");
    for (const [path, method] of [["/api/tags", "POST"], ["/api/tags", "GET"], [`/api/tags/${tag.id}`, "GET"], [`/api/tags/${tag.id}`, "PATCH"], [`/api/tags/${tag.id}`, "DELETE"]]) {
      expectProblem(await api(path!, { method, json: method === "POST" || method === "PATCH" ? { name: "X" } : undefined }), 401, "UNAUTHORIZED");
    }
  });

  it("another user's tag answers 404 on read, update and delete, and stays out of their list", async () => {
    const { accessToken: owner } = await register();
    const { accessToken: stranger } = await register();
    const tag = await newTag(owner, "Secret", "#123456");
    expectProblem(await api(`/api/tags/${tag.id}`, { token: stranger }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/tags/${tag.id}`, { method: "PATCH", token: stranger, json: { name: "Pwned" } }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/tags/${tag.id}`, { method: "DELETE", token: stranger }), 404, "NOT_FOUND");
    expect((await api("/api/tags", { token: stranger })).body.items).toEqual([]);
    expect((await api(`/api/tags/${tag.id}`, { token: owner })).body).toMatchObject({ name: "Secret", color: "#123456" });
  });
});
