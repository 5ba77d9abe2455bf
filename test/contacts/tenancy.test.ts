import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, contactTags } from "@shared/db/schema";
import { api, expectProblem, register } from "../support/http";
import { allPages, db, newContact, newTag } from "./helpers";

describe("contacts are invisible to other users", () => {
  it("another user gets 404 on read, update, delete, history and tag links, and nothing changes", async () => {
    const owner = await register();
    const stranger = await register();
    const tag = await newTag(owner.accessToken, "Wedding");
    const contact = await newContact(owner.accessToken, { firstName: "Élodie", email: "elodie@studio.example", phone: "+33 6 12 34 56 78", tagIds: [tag.id] });
    const strangerTag = await newTag(stranger.accessToken, "Mine");
    const token = stranger.accessToken;

    const refused: [string, string, unknown?][] = [
      ["GET", `/api/contacts/${contact.id}`],
      ["PATCH", `/api/contacts/${contact.id}`, { firstName: "Pwned" }],
      ["DELETE", `/api/contacts/${contact.id}`],
      ["GET", `/api/contacts/${contact.id}/history`],
      ["PUT", `/api/contacts/${contact.id}/tags/${strangerTag.id}`],
      ["DELETE", `/api/contacts/${contact.id}/tags/${tag.id}`],
      ["PUT", `/api/contacts/${contact.id}/tags/${tag.id}`],
    ];
    for (const [method, path, json] of refused) {
      expectProblem(await api(path, { method, token, json }), 404, "NOT_FOUND");
    }
    expect((await api(`/api/contacts/${contact.id}`, { token: owner.accessToken })).body).toEqual({ ...contact, sessions: [], files: [] });
    expect(await db.select().from(contactTags).where(eq(contactTags.contactId, contact.id))).toMatchObject([{ tagId: tag.id }]);
  });

  it("lists, tag filters and searches never return another user's contacts", async () => {
    const owner = await register();
    const stranger = await register();
    const tag = await newTag(owner.accessToken, "Wedding");
    await newContact(owner.accessToken, { firstName: "Élodie", email: "elodie@studio.example", phone: "+33 6 12 34 56 78", tagIds: [tag.id] });
    const token = stranger.accessToken;
    for (const path of ["/api/contacts", `/api/contacts?tagId=${tag.id}`, "/api/contacts?search=elodie", "/api/contacts?search=0612", "/api/contacts?search=studio", "/api/contacts?sort=created"]) {
      expect(await allPages(token, path), path).toEqual([]);
    }
    // A search term that is a prefix of the owner's id token must not match through it.
    expect(await allPages(owner.accessToken, `/api/contacts?search=${owner.user.id.slice(0, 4)}`)).toEqual([]);
  });

  it("linking another user's tag is 404 and links nothing: on attach, create and update", async () => {
    const owner = await register();
    const stranger = await register();
    const foreign = await newTag(stranger.accessToken, "Theirs");
    const mine = await newTag(owner.accessToken, "Mine");
    const token = owner.accessToken;
    const contact = await newContact(token, { firstName: "Ada", tagIds: [mine.id] });

    expectProblem(await api(`/api/contacts/${contact.id}/tags/${foreign.id}`, { method: "PUT", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/contacts/${contact.id}/tags/${foreign.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { firstName: "Changed", tagIds: [foreign.id] } }), 404, "NOT_FOUND");
    expectProblem(await api("/api/contacts", { token, json: { firstName: "Grace", tagIds: [mine.id, foreign.id] } }), 404, "NOT_FOUND");

    expect(await db.select().from(contactTags).where(eq(contactTags.tagId, foreign.id))).toEqual([]);
    expect((await api(`/api/contacts/${contact.id}`, { token })).body).toMatchObject({ firstName: "Ada", tags: [{ id: mine.id }] });
    expect((await db.select().from(contacts).where(eq(contacts.ownerId, owner.user.id))).map((c) => c.firstName)).toEqual(["Ada"]);
  });

  it("ownerId and id in a body have no effect: refused, and nothing is created or moved", async () => {
    const owner = await register();
    const victim = await register();
    const token = owner.accessToken;
    const contact = await newContact(token, { firstName: "Ada" });
    expectProblem(await api("/api/contacts", { token, json: { firstName: "Injected", ownerId: victim.user.id } }), 400, "VALIDATION_FAILED");
    expectProblem(await api("/api/contacts", { token, json: { firstName: "Injected", id: contact.id } }), 400, "VALIDATION_FAILED");
    expectProblem(await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { ownerId: victim.user.id } }), 400, "VALIDATION_FAILED");
    expectProblem(await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { id: "another-id", firstName: "Moved" } }), 400, "VALIDATION_FAILED");
    expect(await db.select().from(contacts).where(eq(contacts.ownerId, victim.user.id))).toEqual([]);
    const rows = await db.select().from(contacts).where(eq(contacts.ownerId, owner.user.id));
    expect(rows.map((r) => [r.id, r.firstName])).toEqual([[contact.id, "Ada"]]);
  });
});
