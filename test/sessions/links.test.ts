import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionContacts, sessionProviders, sessionTags } from "@shared/db/schema";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { auditOf, createContact, createProvider, createSession, createTag, db, patchSession } from "./helpers";

const put = (token: string, path: string, json?: unknown) => api(path, { method: "PUT", token, ...(json !== undefined ? { json } : {}) });
const del = (token: string, path: string) => api(path, { method: "DELETE", token });
const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

describe("PATCH replaces link sets", () => {
  it("contacts, tags and providers: only the differences are written and recorded", async () => {
    const { accessToken: token } = await register();
    const [a, b, c] = [await createContact(token, "A"), await createContact(token, "B"), await createContact(token, "C")];
    const [t1, t2] = [await createTag(token), await createTag(token)];
    const [p1, p2] = [await createProvider(token, { name: "P1" }), await createProvider(token, { name: "P2", role: "Hair" })];
    const session = await createSession(token, {
      title: "Links",
      contactIds: [a.id, b.id],
      tagIds: [t1.id],
      providers: [{ providerId: p1.id, role: "Second", fee: { amount: 100, currency: "EUR" } }],
    });
    const before = (await auditOf("session", session.id)).length;

    const res = await patchSession(token, session.id, {
      contacts: [{ contactId: b.id, role: "guest" }, { contactId: c.id }],
      tagIds: [t1.id, t2.id],
      providers: [{ providerId: p1.id, role: "Second" }, { providerId: p2.id }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.contacts.map((x: any) => [x.id, x.role]).sort()).toEqual([[b.id, "GUEST"], [c.id, "CLIENT"]].sort());
    expect(ids(res.body.tags)).toEqual([t1.id, t2.id].sort());
    expect(res.body.providers).toEqual([
      { id: p1.id, name: "P1", role: "Second", email: null, phone: null, fee: null },
      { id: p2.id, name: "P2", role: "Hair", email: null, phone: null, fee: null },
    ]);

    const changes = (await auditOf("session", session.id)).slice(before).map((t) => t.changes);
    expect(changes).toEqual(
      expect.arrayContaining([
        { contact: { before: { contactId: a.id, role: "CLIENT" }, after: null } },
        { contact: { before: { contactId: b.id, role: "CLIENT" }, after: { contactId: b.id, role: "GUEST" } } },
        { contact: { before: null, after: { contactId: c.id, role: "CLIENT" } } },
        { tag: { before: null, after: t2.id } },
        {
          provider: {
            before: { providerId: p1.id, role: "Second", feeAmount: 100, feeCurrency: "EUR" },
            after: { providerId: p1.id, role: "Second", feeAmount: null, feeCurrency: null },
          },
        },
        { provider: { before: null, after: { providerId: p2.id, role: null, feeAmount: null, feeCurrency: null } } },
      ]),
    );
    expect(changes).toHaveLength(6);

    // Sets left out stay; empty sets clear.
    const cleared = await patchSession(token, session.id, { tagIds: [], providers: [] });
    expect(cleared.body).toMatchObject({ tags: [], providers: [] });
    expect(cleared.body.contacts).toHaveLength(2);
  });
});

describe("link routes", () => {
  it("PUT and DELETE a contact, a tag and a provider: 204, idempotent PUT, 404 once unlinked", async () => {
    const { accessToken: token } = await register();
    const session = await createSession(token, { title: "Links" });
    const contact = await createContact(token, "Guest");
    const tag = await createTag(token);
    const provider = await createProvider(token, { name: "MUA", role: "Make-up" });
    const base = `/api/sessions/${session.id}`;

    expect((await put(token, `${base}/contacts/${contact.id}`)).status).toBe(204);
    expect((await put(token, `${base}/contacts/${contact.id}`, { role: "guest" })).status).toBe(204);
    expect((await put(token, `${base}/tags/${tag.id}`)).status).toBe(204);
    expect((await put(token, `${base}/tags/${tag.id}`)).status).toBe(204);
    expect((await put(token, `${base}/providers/${provider.id}`, { fee: { amount: 5000, currency: "GBP" } })).status).toBe(204);
    expect((await put(token, `${base}/providers/${provider.id}`, { fee: { amount: 5000, currency: "GBP" } })).status).toBe(204);

    const read = (await api(base, { token })).body;
    expect(read.contacts).toEqual([{ id: contact.id, firstName: "Guest", lastName: null, email: null, role: "GUEST" }]);
    expect(read.tags).toEqual([{ id: tag.id, name: tag.name, color: tag.color }]);
    expect(read.providers).toEqual([{ id: provider.id, name: "MUA", role: "Make-up", email: null, phone: null, fee: { amount: 5000, currency: "GBP" } }]);

    // One record per actual change: the repeated PUTs wrote nothing.
    const trail = (await auditOf("session", session.id)).map((t) => t.changes);
    expect(trail.slice(1)).toEqual([
      { contact: { before: null, after: { contactId: contact.id, role: "CLIENT" } } },
      { contact: { before: { contactId: contact.id, role: "CLIENT" }, after: { contactId: contact.id, role: "GUEST" } } },
      { tag: { before: null, after: tag.id } },
      { provider: { before: null, after: { providerId: provider.id, role: null, feeAmount: 5000, feeCurrency: "GBP" } } },
    ]);

    for (const path of [`contacts/${contact.id}`, `tags/${tag.id}`, `providers/${provider.id}`]) {
      const res = await del(token, `${base}/${path}`);
      expect(res.status, res.text).toBe(204);
      expectProblem(await del(token, `${base}/${path}`), 404, "NOT_FOUND");
    }
    expect((await api(base, { token })).body).toMatchObject({ contacts: [], tags: [], providers: [] });
    expect((await auditOf("session", session.id)).slice(-3).map((t) => Object.keys(t.changes))).toEqual([["contact"], ["tag"], ["provider"]]);
    // The contact's own trail shows the link and unlink too.
    expect((await auditOf("contact", contact.id)).filter((t) => "session" in t.changes)).toHaveLength(3);
  });

  it("refuses bad bodies with a 400 naming the field", async () => {
    const { accessToken: token } = await register();
    const session = await createSession(token);
    const contact = await createContact(token);
    const provider = await createProvider(token);
    for (const [path, json, field] of [
      [`contacts/${contact.id}`, { role: "" }, "body.role"],
      [`contacts/${contact.id}`, { role: "CLIENT", ownerId: "x" }, "body.ownerId"],
      [`providers/${provider.id}`, { fee: { amount: -1, currency: "EUR" } }, "body.fee.amount"],
      [`providers/${provider.id}`, { fee: { amount: 1, currency: "euro" } }, "body.fee.currency"],
    ] as const) {
      const res = await put(token, `/api/sessions/${session.id}/${path}`, json);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toContain(field);
    }
    expect(await db.select().from(sessionContacts).where(eq(sessionContacts.sessionId, session.id))).toEqual([]);
    expect(await db.select().from(sessionProviders).where(eq(sessionProviders.sessionId, session.id))).toEqual([]);
  });

  it("404 for an unknown session, contact, tag or provider", async () => {
    const { accessToken: token } = await register();
    const session = await createSession(token);
    const contact = await createContact(token);
    expectProblem(await put(token, `/api/sessions/nope/contacts/${contact.id}`), 404, "NOT_FOUND");
    for (const kind of ["contacts", "tags", "providers"]) {
      expectProblem(await put(token, `/api/sessions/${session.id}/${kind}/nope`), 404, "NOT_FOUND");
      expectProblem(await del(token, `/api/sessions/${session.id}/${kind}/nope`), 404, "NOT_FOUND");
    }
  });
});

describe("linking another tenant's records", () => {
  it("is a 404 on create, PATCH and PUT, and links nothing", async () => {
    const owner = await register();
    const other = await register();
    const token = owner.accessToken;
    const mine = { contact: await createContact(token), tag: await createTag(token), provider: await createProvider(token) };
    const theirs = {
      contact: await createContact(other.accessToken, "Theirs"),
      tag: await createTag(other.accessToken),
      provider: await createProvider(other.accessToken, { name: "Theirs" }),
    };

    const bodies = [
      { contactIds: [mine.contact.id, theirs.contact.id] },
      { contacts: [{ contactId: theirs.contact.id }] },
      { tagIds: [mine.tag.id, theirs.tag.id] },
      { providers: [{ providerId: mine.provider.id }, { providerId: theirs.provider.id }] },
      // One foreign id among good sets refuses the whole request.
      { contactIds: [mine.contact.id], tagIds: [mine.tag.id], providers: [{ providerId: theirs.provider.id }] },
    ];
    for (const body of bodies) {
      expectProblem(await api("/api/sessions", { token, json: { title: "Sneaky", ...body } }), 404, "NOT_FOUND");
    }
    const list = await api("/api/sessions", { token });
    expect(list.body.items).toEqual([]);

    const session = await createSession(token, { title: "Mine" });
    for (const body of bodies) expectProblem(await patchSession(token, session.id, { title: "Changed", ...body }), 404, "NOT_FOUND");
    expectProblem(await put(token, `/api/sessions/${session.id}/contacts/${theirs.contact.id}`), 404, "NOT_FOUND");
    expectProblem(await put(token, `/api/sessions/${session.id}/tags/${theirs.tag.id}`), 404, "NOT_FOUND");
    expectProblem(await put(token, `/api/sessions/${session.id}/providers/${theirs.provider.id}`, { role: "x" }), 404, "NOT_FOUND");

    for (const table of [sessionContacts, sessionTags, sessionProviders]) {
      expect(await db.select().from(table).where(eq(table.ownerId, owner.user.id))).toEqual([]);
      expect(await db.select().from(table).where(eq(table.ownerId, other.user.id))).toEqual([]);
    }
    expect((await api(`/api/sessions/${session.id}`, { token })).body).toMatchObject({ title: "Mine", contacts: [], tags: [], providers: [] });
    expect((await auditOf("session", session.id)).map((t) => t.action)).toEqual(["CREATE"]);
  });
});

describe("large link sets", () => {
  it("create and replace sets bigger than one statement's parameters allow", async () => {
    const { accessToken: token } = await register();
    const tagIds: string[] = [];
    for (let i = 0; i < 100; i++) tagIds.push((await createTag(token, `Bulk ${i}`)).id);
    const contactIds: string[] = [];
    for (let i = 0; i < 30; i++) contactIds.push((await createContact(token, `Bulk ${i}`)).id);
    const providerIds: string[] = [];
    for (let i = 0; i < 20; i++) providerIds.push((await createProvider(token, { name: `Bulk ${i}` })).id);

    const session = await createSession(token, {
      title: "Bulk",
      tagIds: tagIds.slice(0, 90),
      contactIds,
      providers: providerIds.map((providerId) => ({ providerId, fee: { amount: 100, currency: "EUR" } })),
    });
    expect([session.tags.length, session.contacts.length, session.providers.length]).toEqual([90, 30, 20]);

    const res = await patchSession(token, session.id, {
      tagIds: tagIds.slice(5),
      contacts: contactIds.slice(3).map((contactId) => ({ contactId, role: "GUEST" })),
      providers: providerIds.slice(1).map((providerId) => ({ providerId })),
    });
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body.tags)).toEqual(tagIds.slice(5).sort());
    expect(res.body.contacts.every((c: any) => c.role === "GUEST")).toBe(true);
    expect(ids(res.body.contacts)).toEqual(contactIds.slice(3).sort());
    expect(res.body.providers.every((p: any) => p.fee === null)).toBe(true);
    expect(await db.select().from(sessionTags).where(eq(sessionTags.sessionId, session.id))).toHaveLength(95);
  });
});
