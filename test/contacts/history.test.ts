import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contactTags } from "@shared/db/schema";
import { api, expectProblem, register } from "../support/http";
import { allPages, auditRowsOf, db, newContact, newTag } from "./helpers";

describe("PUT and DELETE /api/contacts/:id/tags/:tagId", () => {
  it("attach and detach are idempotent 204s; a repeated attach records nothing", async () => {
    const { accessToken: token } = await register();
    const contact = await newContact(token, { firstName: "Ada" });
    const tag = await newTag(token, "VIP", "#ffcc00");
    const link = `/api/contacts/${contact.id}/tags/${tag.id}`;

    for (let i = 0; i < 2; i++) {
      const res = await api(link, { method: "PUT", token });
      expect(res.status, res.text).toBe(204);
    }
    expect((await api(`/api/contacts/${contact.id}`, { token })).body.tags).toEqual([{ id: tag.id, name: "VIP", color: "#ffcc00" }]);
    expect(await db.select().from(contactTags).where(eq(contactTags.contactId, contact.id))).toHaveLength(1);

    for (let i = 0; i < 2; i++) expect((await api(link, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/api/contacts/${contact.id}`, { token })).body.tags).toEqual([]);

    const tagChanges = (await auditRowsOf("contact", contact.id)).filter((row) => "tag" in row.changes).map((row) => row.changes);
    expect(tagChanges).toEqual([{ tag: { before: null, after: tag.id } }, { tag: { before: tag.id, after: null } }]);
  });

  it("404 for an unknown contact or tag", async () => {
    const { accessToken: token } = await register();
    const contact = await newContact(token, { firstName: "Ada" });
    const tag = await newTag(token, "VIP");
    expectProblem(await api(`/api/contacts/${contact.id}/tags/missing`, { method: "PUT", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/contacts/missing/tags/${tag.id}`, { method: "PUT", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/contacts/missing/tags/${tag.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
  });
});

describe("GET /api/contacts/:id/history", () => {
  it("shows create, update, tag links and delete, newest first, with actor, request id and before/after", async () => {
    const account = await register();
    const token = account.accessToken;
    const tag = await newTag(token, "Wedding");
    const created = await api("/api/contacts", { token, json: { firstName: "Élodie", email: "elodie@studio.example" } });
    const contact = created.body;
    const updated = await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { lastName: "Dupré", email: "e.dupre@studio.example", notes: null } });
    expect(updated.status).toBe(200);
    await api(`/api/contacts/${contact.id}/tags/${tag.id}`, { method: "PUT", token });
    await api(`/api/contacts/${contact.id}/tags/${tag.id}`, { method: "DELETE", token });

    const history = await api(`/api/contacts/${contact.id}/history`, { token });
    expect(history.status, history.text).toBe(200);
    expect(history.body.nextCursor).toBeNull();
    const entries = history.body.items;
    expect(entries.map((e: { action: string }) => e.action)).toEqual(["UPDATE", "UPDATE", "UPDATE", "CREATE"]);
    expect(entries[3]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      ownerId: account.user.id,
      entityType: "contact",
      entityId: contact.id,
      action: "CREATE",
      actorType: "USER",
      actorId: account.user.id,
      changes: {
        firstName: { before: null, after: "Élodie" },
        email: { before: null, after: "elodie@studio.example" },
        source: { before: null, after: "MANUAL" },
      },
      requestId: created.headers.get("x-request-id"),
      createdAt: expect.any(String),
    });
    expect(entries[2]).toMatchObject({
      changes: { lastName: { before: null, after: "Dupré" }, email: { before: "elodie@studio.example", after: "e.dupre@studio.example" } },
      requestId: updated.headers.get("x-request-id"),
    });
    expect(Object.keys(entries[2].changes).sort()).toEqual(["email", "lastName"]);
    expect(entries[1].changes).toEqual({ tag: { before: null, after: tag.id } });
    expect(entries[0].changes).toEqual({ tag: { before: tag.id, after: null } });
    const ids = entries.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    // Paginated, newest first, every entry once.
    expect(await allPages(token, `/api/contacts/${contact.id}/history?limit=1`)).toEqual(entries);

    // The trail outlives the contact and ends with its deletion.
    expect((await api(`/api/contacts/${contact.id}`, { method: "DELETE", token })).status).toBe(204);
    const after = (await api(`/api/contacts/${contact.id}/history?limit=2`, { token })).body;
    expect(after.items[0]).toMatchObject({
      action: "DELETE",
      changes: { firstName: { before: "Élodie", after: null }, lastName: { before: "Dupré", after: null }, email: { before: "e.dupre@studio.example", after: null } },
    });
    expect(after.nextCursor).toEqual(expect.any(String));
  });

  it("404 for a contact that never existed", async () => {
    const { accessToken: token } = await register();
    expectProblem(await api("/api/contacts/01a1fdd4-0000-7000-8000-000000000000/history", { token }), 404, "NOT_FOUND");
  });
});
