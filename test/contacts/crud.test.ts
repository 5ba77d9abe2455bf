import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch, systemActor } from "@shared/db/audited";
import { contacts, files, sessionContacts, sessions } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { db, newContact, newTag } from "./helpers";

const full = {
  firstName: " Élodie ",
  lastName: "Dupré",
  email: " Elodie.Dupre@Studio.Example ",
  phone: "06 12 34 56 78",
  company: "Atelier Lumière",
  notes: "Prefers film.\nCall after 6pm.",
  address: { line1: "12 rue des Lilas", postalCode: "69003", city: "Lyon", country: "fr" },
  location: { lat: 45.76, lng: 4.84 },
  source: "LEAD_FORM",
  birthday: "1992-02-29",
};

describe("contacts CRUD", () => {
  it("creates a contact with every field, normalized, and reads it back with its shoots, files and tags", async () => {
    const { accessToken: token } = await register();
    const tag = await newTag(token, "Wedding", "#aa0000");
    const res = await api("/api/contacts", { token, json: { ...full, tagIds: [tag.id, tag.id] } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      firstName: "Élodie",
      lastName: "Dupré",
      email: "elodie.dupre@studio.example",
      phone: "06 12 34 56 78",
      phoneE164: "+33612345678",
      company: "Atelier Lumière",
      notes: "Prefers film.\nCall after 6pm.",
      address: { line1: "12 rue des Lilas", line2: null, postalCode: "69003", city: "Lyon", region: null, country: "FR" },
      location: { lat: 45.76, lng: 4.84 },
      source: "LEAD_FORM",
      birthday: "1992-02-29",
      tags: [{ id: tag.id, name: "Wedding", color: "#aa0000" }],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const detail = await api(`/api/contacts/${res.body.id}`, { token });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({ ...res.body, sessions: [], files: [] });
  });

  it("a minimal contact: only firstName, source MANUAL, everything else empty", async () => {
    const { accessToken: token } = await register();
    const contact = await newContact(token, { firstName: "Ada" });
    expect(contact).toMatchObject({
      firstName: "Ada",
      lastName: null,
      email: null,
      phone: null,
      phoneE164: null,
      address: { line1: null, line2: null, postalCode: null, city: null, region: null, country: null },
      location: null,
      source: "MANUAL",
      birthday: null,
      tags: [],
    });
    expect(contact.createdAt).toBe(contact.updatedAt);
  });

  it("reads phones without a country code in the owner's country, else in the configured default (FR)", async () => {
    const { accessToken: token } = await register();
    expect((await newContact(token, { firstName: "A", phone: "06 12 34 56 78" })).phoneE164).toBe("+33612345678");
    const me = await api("/api/users/me", { method: "PATCH", token, json: { companyAddress: { country: "BE" } } });
    expect(me.status, me.text).toBe(200);
    expect((await newContact(token, { firstName: "B", phone: "0470 12 34 56" })).phoneE164).toBe("+32470123456");
    // An explicit country code wins over the region.
    expect((await newContact(token, { firstName: "C", phone: "+1 (415) 555-2671" })).phoneE164).toBe("+14155552671");
    const invalid = await api("/api/contacts", { token, json: { firstName: "D", phone: "12" } });
    expectProblem(invalid, 400, "VALIDATION_FAILED");
    expect(errorPaths(invalid)).toEqual(["body.phone"]);
  });

  it("PATCH changes only the given fields; address parts merge, null clears, tagIds replaces the set", async () => {
    const { accessToken: token } = await register();
    const [a, b, c] = [await newTag(token, "A"), await newTag(token, "B"), await newTag(token, "C")];
    const contact = await newContact(token, { ...full, tagIds: [a.id, b.id] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await api(`/api/contacts/${contact.id}`, {
      method: "PATCH",
      token,
      json: { lastName: "Martin", address: { city: "Paris", postalCode: null }, location: null, email: null, tagIds: [c.id, b.id] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      ...contact,
      lastName: "Martin",
      email: null,
      address: { ...contact.address, city: "Paris", postalCode: null },
      location: null,
      tags: [
        { id: b.id, name: "B", color: null },
        { id: c.id, name: "C", color: null },
      ],
      updatedAt: expect.any(String),
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(contact.updatedAt));
    expect((await api(`/api/contacts/${contact.id}`, { token })).body).toMatchObject({ lastName: "Martin", tags: res.body.tags });

    const row = (await db.select().from(contacts).where(eq(contacts.id, contact.id)))[0]!;
    expect(row.sortName).toBe("martin elodie");

    const phone = await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { phone: "+33 7 00 00 00 01", address: null, tagIds: [] } });
    expect(phone.body).toMatchObject({
      phone: "+33 7 00 00 00 01",
      phoneE164: "+33700000001",
      address: { line1: null, line2: null, postalCode: null, city: null, region: null, country: null },
      tags: [],
    });
  });

  it("DELETE answers 204, then the contact is gone (404 on read, update and delete)", async () => {
    const { accessToken: token } = await register();
    const contact = await newContact(token, { firstName: "Gone" });
    expect((await api(`/api/contacts/${contact.id}`, { method: "DELETE", token })).status).toBe(204);
    expectProblem(await api(`/api/contacts/${contact.id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { firstName: "Back" } }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/contacts/${contact.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect((await api("/api/contacts", { token })).body.items).toEqual([]);
  });

  it("the detail lists the contact's shoots (with its role) and files; deleting it removes its R2 objects and rows", async () => {
    const account = await register();
    const ownerId = account.user.id;
    const token = account.accessToken;
    const contact = await newContact(token, { firstName: "Client" });
    const session = { id: newId(), ownerId, title: "Wedding at the lake", type: "WEDDING" as const, status: "CONFIRMED" as const, startsAt: new Date("2026-06-20T14:00:00Z"), endsAt: new Date("2026-06-20T23:00:00Z"), updatedAt: new Date() };
    const fileId = newId();
    const r2Key = `${ownerId}/files/${fileId}`;
    await env.FILES.put(r2Key, "photo bytes");
    await auditedBatch(db, systemActor(), [
      db.insert(sessions).values(session),
      db.insert(sessionContacts).values({ ownerId, sessionId: session.id, contactId: contact.id, role: "GUEST" }),
      db.insert(files).values({ id: fileId, ownerId, contactId: contact.id, name: "contract.pdf", contentType: "application/pdf", size: 11, r2Key, updatedAt: new Date() }),
    ]);

    const detail = await api(`/api/contacts/${contact.id}`, { token });
    expect(detail.body.sessions).toEqual([
      { id: session.id, title: "Wedding at the lake", type: "WEDDING", status: "CONFIRMED", startsAt: "2026-06-20T14:00:00.000Z", endsAt: "2026-06-20T23:00:00.000Z", role: "GUEST" },
    ]);
    expect(detail.body.files).toEqual([{ id: fileId, name: "contract.pdf", size: 11, contentType: "application/pdf", createdAt: expect.any(String) }]);

    expect((await api(`/api/contacts/${contact.id}`, { method: "DELETE", token })).status).toBe(204);
    expect(await env.FILES.get(r2Key)).toBeNull();
    expect(await db.select().from(files).where(eq(files.id, fileId))).toEqual([]);
    expect(await db.select().from(sessionContacts).where(eq(sessionContacts.contactId, contact.id))).toEqual([]);
    // The shoot itself stays: it only loses this guest.
    expect(await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, session.id))).toEqual([{ id: session.id }]);
  });
});

describe("contacts refusals", () => {
  it("400 naming the field for every kind of bad input, and nothing is written", async () => {
    const { accessToken: token } = await register();
    const contact = await newContact(token, { firstName: "Kept" });
    const post = (json: unknown) => ["/api/contacts", { method: "POST", json }] as const;
    const patch = (json: unknown) => [`/api/contacts/${contact.id}`, { method: "PATCH", json }] as const;
    const cases: [readonly [string, { method: string; json?: unknown }], string][] = [
      [post({}), "body.firstName"],
      [post({ firstName: "  " }), "body.firstName"],
      [post({ firstName: "x".repeat(101) }), "body.firstName"],
      [post({ firstName: "A", email: "not-an-email" }), "body.email"],
      [post({ firstName: "A", phone: "not a phone" }), "body.phone"],
      [post({ firstName: "A", location: { lat: 91, lng: 0 } }), "body.location.lat"],
      [post({ firstName: "A", location: { lat: 0, lng: -180.5 } }), "body.location.lng"],
      [post({ firstName: "A", location: { lat: 0 } }), "body.location.lng"],
      [post({ firstName: "A", birthday: "2023-02-29" }), "body.birthday"],
      [post({ firstName: "A", birthday: "1990-13-01" }), "body.birthday"],
      [post({ firstName: "A", birthday: "21/04/1990" }), "body.birthday"],
      [post({ firstName: "A", source: "WEBSITE" }), "body.source"],
      [post({ firstName: "A", address: { country: "FRA" } }), "body.address.country"],
      [post({ firstName: "A", address: { street: "x" } }), "body.address.street"],
      [post({ firstName: "A", tagIds: "x" }), "body.tagIds"],
      [post({ firstName: "A", ownerId: "someone-else" }), "body.ownerId"],
      [post({ firstName: "A", id: "chosen-id" }), "body.id"],
      [patch({ firstName: null }), "body.firstName"],
      [patch({ birthday: "1999-02-31" }), "body.birthday"],
      [patch({ phone: "123" }), "body.phone"],
      [patch({ id: "chosen-id" }), "body.id"],
      [patch({ ownerId: "someone-else" }), "body.ownerId"],
      [["/api/contacts?limit=0", { method: "GET" }], "query.limit"],
      [["/api/contacts?limit=101", { method: "GET" }], "query.limit"],
      [["/api/contacts?sort=email", { method: "GET" }], "query.sort"],
      [["/api/contacts?order=up", { method: "GET" }], "query.order"],
      [["/api/contacts?cursor=garbage", { method: "GET" }], "query.cursor"],
      [["/api/contacts?search=%20!!%20", { method: "GET" }], "query.search"],
      [[`/api/contacts/${"x".repeat(65)}`, { method: "GET" }], "path.id"],
      [[`/api/contacts/${"x".repeat(65)}`, { method: "DELETE" }], "path.id"],
      [[`/api/contacts/${contact.id}/history?limit=0`, { method: "GET" }], "query.limit"],
      [[`/api/contacts/${contact.id}/history?cursor=garbage`, { method: "GET" }], "query.cursor"],
      [[`/api/contacts/${contact.id}/tags/${"x".repeat(65)}`, { method: "PUT" }], "path.tagId"],
      [[`/api/contacts/${contact.id}/tags/${"x".repeat(65)}`, { method: "DELETE" }], "path.tagId"],
    ];
    for (const [[path, init], field] of cases) {
      const res = await api(path, { ...init, token });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), `${init.method} ${path} ${JSON.stringify(init.json)}`).toContain(field);
    }
    expectProblem(await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: {} }), 400, "VALIDATION_FAILED");
    const list = (await api("/api/contacts", { token })).body.items;
    expect(list).toHaveLength(1);
    expect(list[0]).toEqual({ ...contact });
  });

  it("a cursor of one sort is refused by another", async () => {
    const { accessToken: token } = await register();
    for (const firstName of ["A", "B", "C"]) await newContact(token, { firstName });
    const page = await api("/api/contacts?limit=1&sort=name", { token });
    const res = await api(`/api/contacts?sort=created&cursor=${page.body.nextCursor}`, { token });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["query.cursor"]);
  });

  it("401 on every route without a token", async () => {
    const { accessToken: token } = await register();
    const contact = await newContact(token, { firstName: "Mine" });
    const tag = await newTag(token, "Mine");
    const routes: [string, string][] = [
      ["POST", "/api/contacts"],
      ["GET", "/api/contacts"],
      ["GET", `/api/contacts/${contact.id}`],
      ["PATCH", `/api/contacts/${contact.id}`],
      ["DELETE", `/api/contacts/${contact.id}`],
      ["GET", `/api/contacts/${contact.id}/history`],
      ["PUT", `/api/contacts/${contact.id}/tags/${tag.id}`],
      ["DELETE", `/api/contacts/${contact.id}/tags/${tag.id}`],
    ];
    for (const [method, path] of routes) {
      const json = method === "POST" || method === "PATCH" ? { firstName: "X" } : undefined;
      expectProblem(await api(path, { method, json }), 401, "UNAUTHORIZED");
      expectProblem(await api(path, { method, json, token: "not.a.token" }), 401, "UNAUTHORIZED");
    }
    expect((await api(`/api/contacts/${contact.id}`, { token })).body).toMatchObject({ firstName: "Mine", tags: [] });
  });
});

describe("OpenAPI", () => {
  it("documents every contacts and tags route", async () => {
    const doc = await api("/api/openapi.json");
    expect(doc.status, doc.text).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths["/api/contacts"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(paths["/api/contacts/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(paths["/api/contacts/{id}/history"] ?? {})).toEqual(["get"]);
    expect(Object.keys(paths["/api/contacts/{id}/tags/{tagId}"] ?? {}).sort()).toEqual(["delete", "put"]);
    expect(Object.keys(paths["/api/tags"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(paths["/api/tags/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.body.components.schemas).toHaveProperty("ContactDetail");
  });
});
