import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { files, sessions } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem, register, type ApiResponse } from "../support/http";
import { auditOf, createContact, createProvider, createSession, createTag, db, patchSession } from "./helpers";

describe("POST /api/sessions", () => {
  it("201 with defaults for a title alone", async () => {
    const { accessToken: token } = await register();
    const res = await api("/api/sessions", { token, json: { title: "  Portraits  " } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      title: "Portraits",
      type: "OTHER",
      status: "LEAD",
      startsAt: null,
      endsAt: null,
      location: null,
      price: null,
      notes: null,
      contacts: [],
      tags: [],
      providers: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("201 with every field and its links, times in UTC", async () => {
    const { accessToken: token } = await register();
    const bride = await createContact(token, "Élodie", { lastName: "Martin", email: "elodie@example.com" });
    const groom = await createContact(token, "Paul", { lastName: "Durand" });
    const tag = await createTag(token, "Summer");
    const provider = await createProvider(token, { name: "Sam", role: "Second shooter", email: "sam@example.com", phone: "0612345678" });
    const res = await api("/api/sessions", {
      token,
      json: {
        title: "Martin–Durand wedding",
        type: "WEDDING",
        status: "CONFIRMED",
        startsAt: "2026-06-20T14:00:00+02:00",
        endsAt: "2026-06-20T23:30:00+02:00",
        location: "Château de Vincennes",
        price: { amount: 250000, currency: "EUR" },
        notes: "Golden hour portraits",
        contacts: [{ contactId: bride.id }, { contactId: groom.id, role: "guest" }],
        tagIds: [tag.id],
        providers: [{ providerId: provider.id, fee: { amount: 40000, currency: "EUR" } }],
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      title: "Martin–Durand wedding",
      type: "WEDDING",
      status: "CONFIRMED",
      startsAt: "2026-06-20T12:00:00.000Z",
      endsAt: "2026-06-20T21:30:00.000Z",
      location: "Château de Vincennes",
      price: { amount: 250000, currency: "EUR" },
      notes: "Golden hour portraits",
      tags: [{ id: tag.id, name: "Summer", color: tag.color }],
      providers: [{ id: provider.id, name: "Sam", role: "Second shooter", email: "sam@example.com", phone: "0612345678", fee: { amount: 40000, currency: "EUR" } }],
    });
    expect(res.body.contacts).toEqual(
      expect.arrayContaining([
        { id: bride.id, firstName: "Élodie", lastName: "Martin", email: "elodie@example.com", role: "CLIENT" },
        { id: groom.id, firstName: "Paul", lastName: "Durand", email: null, role: "GUEST" },
      ]),
    );
    expect(res.body.contacts).toHaveLength(2);
    const read = await api(`/api/sessions/${res.body.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...res.body, files: [] });
  });

  it("contactIds link contacts as CLIENT", async () => {
    const { accessToken: token } = await register();
    const contact = await createContact(token);
    const session = await createSession(token, { title: "Family", type: "FAMILY", contactIds: [contact.id] });
    expect(session.contacts).toEqual([expect.objectContaining({ id: contact.id, role: "CLIENT" })]);
  });

  it.each([
    ["missing title", {}, "body.title"],
    ["blank title", { title: " " }, "body.title"],
    ["bad type", { title: "T", type: "BIRTHDAY" }, "body.type"],
    ["bad status", { title: "T", status: "DONE" }, "body.status"],
    ["a time without offset", { title: "T", startsAt: "2026-06-20T14:00:00" }, "body.startsAt"],
    ["a time that is not one", { title: "T", endsAt: "tomorrow" }, "body.endsAt"],
    ["endsAt before startsAt", { title: "T", startsAt: "2026-06-20T14:00:00Z", endsAt: "2026-06-20T13:00:00Z" }, "body.endsAt"],
    ["endsAt equal to startsAt", { title: "T", startsAt: "2026-06-20T14:00:00Z", endsAt: "2026-06-20T16:00:00+02:00" }, "body.endsAt"],
    ["a negative price", { title: "T", price: { amount: -1, currency: "EUR" } }, "body.price.amount"],
    ["a fractional price", { title: "T", price: { amount: 10.5, currency: "EUR" } }, "body.price.amount"],
    ["a lower-case currency", { title: "T", price: { amount: 100, currency: "eur" } }, "body.price.currency"],
    ["a long currency", { title: "T", price: { amount: 100, currency: "EURO" } }, "body.price.currency"],
    ["a price without currency", { title: "T", price: { amount: 100 } }, "body.price.currency"],
    ["a negative fee", { title: "T", providers: [{ providerId: "p", fee: { amount: -5, currency: "EUR" } }] }, "body.providers.0.fee.amount"],
    ["a duplicated contact", { title: "T", contactIds: ["a", "a"] }, "body.contactIds.1"],
    ["both contactIds and contacts", { title: "T", contactIds: ["a"], contacts: [{ contactId: "b" }] }, "body.contacts"],
    ["an unknown field", { title: "T", colour: "red" }, "body.colour"],
    ["ownerId", { title: "T", ownerId: "someone" }, "body.ownerId"],
    ["id", { title: "T", id: "chosen" }, "body.id"],
    ["createdAt", { title: "T", createdAt: "2020-01-01T00:00:00Z" }, "body.createdAt"],
  ])("400 for %s, naming the field", async (_, json, path) => {
    const account = await register();
    const res = await api("/api/sessions", { token: account.accessToken, json });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toContain(path);
    expect(await db.select().from(sessions).where(eq(sessions.ownerId, account.user.id))).toEqual([]);
  });
});

describe("PATCH /api/sessions/:id", () => {
  it("200 with changed fields; null clears; the rest is kept", async () => {
    const { accessToken: token } = await register();
    const session = await createSession(token, {
      title: "Portrait",
      type: "PORTRAIT",
      startsAt: "2026-03-01T10:00:00Z",
      endsAt: "2026-03-01T11:00:00Z",
      location: "Studio",
      price: { amount: 15000, currency: "EUR" },
    });
    const res = await patchSession(token, session.id, { title: "Headshots", location: null, price: { amount: 20000, currency: "USD" }, notes: "Bring a tie" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id: session.id,
      title: "Headshots",
      type: "PORTRAIT",
      startsAt: "2026-03-01T10:00:00.000Z",
      location: null,
      price: { amount: 20000, currency: "USD" },
      notes: "Bring a tie",
      createdAt: session.createdAt,
    });
    const cleared = await patchSession(token, session.id, { price: null, startsAt: null, endsAt: null });
    expect(cleared.body).toMatchObject({ price: null, startsAt: null, endsAt: null });
    const { files: _, ...read } = (await api(`/api/sessions/${session.id}`, { token })).body;
    expect(read).toEqual(cleared.body);
  });

  it("checks endsAt against the stored startsAt and the reverse", async () => {
    const { accessToken: token } = await register();
    const session = await createSession(token, { title: "T", startsAt: "2026-03-01T10:00:00Z", endsAt: "2026-03-01T12:00:00Z" });
    let res = await patchSession(token, session.id, { endsAt: "2026-03-01T09:00:00Z" });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.endsAt"]);
    res = await patchSession(token, session.id, { startsAt: "2026-03-01T12:30:00Z" });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.startsAt"]);
    // Moving both together is fine.
    res = await patchSession(token, session.id, { startsAt: "2026-03-02T10:00:00Z", endsAt: "2026-03-02T12:00:00Z" });
    expect(res.status, res.text).toBe(200);
  });

  it.each([
    ["an empty body", {}, "body"],
    ["a null title", { title: null }, "body.title"],
    ["a bad status", { status: "ARCHIVED" }, "body.status"],
    ["a bad currency", { price: { amount: 1, currency: "E1R" } }, "body.price.currency"],
    ["ownerId", { ownerId: "x" }, "body.ownerId"],
    ["id", { id: "x", title: "Renamed" }, "body.id"],
  ])("400 for %s, and nothing changes", async (_, json, path) => {
    const { accessToken: token } = await register();
    const session = await createSession(token, { title: "Kept" });
    const res = await patchSession(token, session.id, json);
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toContain(path);
    const [row] = await db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row).toMatchObject({ title: "Kept", status: "LEAD" });
  });

  it("404 for an unknown id", async () => {
    const { accessToken: token } = await register();
    expectProblem(await patchSession(token, newId(), { title: "X" }), 404, "NOT_FOUND");
  });
});

describe("DELETE /api/sessions/:id", () => {
  it("204, then 404; its files' rows and R2 objects are gone, other objects stay", async () => {
    const account = await register();
    const token = account.accessToken;
    const session = await createSession(token, { title: "With files" });
    const keep = await createSession(token, { title: "Keeps its files" });
    const fileRow = (sessionId: string) => {
      const id = newId();
      return { id, ownerId: account.user.id, sessionId, name: "a.jpg", contentType: "image/jpeg", size: 3, r2Key: `${account.user.id}/files/${id}`, updatedAt: new Date() };
    };
    const doomed = fileRow(session.id);
    const kept = fileRow(keep.id);
    await env.FILES.put(doomed.r2Key, "abc");
    await env.FILES.put(kept.r2Key, "xyz");
    await auditedBatch(db, { type: "USER", id: account.user.id, requestId: null }, [db.insert(files).values([doomed, kept])]);

    const detail = await api(`/api/sessions/${session.id}`, { token });
    expect(detail.body.files).toEqual([{ id: doomed.id, name: "a.jpg", size: 3, contentType: "image/jpeg", createdAt: expect.any(String) }]);

    const res = await api(`/api/sessions/${session.id}`, { method: "DELETE", token });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectProblem(await api(`/api/sessions/${session.id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/sessions/${session.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect(await env.FILES.get(doomed.r2Key)).toBeNull();
    expect(await db.select().from(files).where(eq(files.id, doomed.id))).toEqual([]);
    expect(await (await env.FILES.get(kept.r2Key))!.text()).toBe("xyz");
  });
});

describe("audit", () => {
  it("create, update and delete are recorded with the actor and request id, and readable as history", async () => {
    const account = await register();
    const token = account.accessToken;
    const tag = await createTag(token);
    const created = await api("/api/sessions", { token, json: { title: "Audited", price: { amount: 100, currency: "EUR" }, tagIds: [tag.id] } });
    const updated = await patchSession(token, created.body.id, { status: "CONFIRMED" });
    const deleted = await api(`/api/sessions/${created.body.id}`, { method: "DELETE", token });
    expect(deleted.status).toBe(204);

    const trail = await auditOf("session", created.body.id);
    expect(trail.map((t) => [t.action, t.actorType, t.actorId, t.ownerId, t.requestId])).toEqual([
      ["CREATE", "USER", account.user.id, account.user.id, created.headers.get("x-request-id")],
      ["UPDATE", "USER", account.user.id, account.user.id, created.headers.get("x-request-id")],
      ["UPDATE", "USER", account.user.id, account.user.id, updated.headers.get("x-request-id")],
      ["UPDATE", "USER", account.user.id, account.user.id, deleted.headers.get("x-request-id")],
      ["DELETE", "USER", account.user.id, account.user.id, deleted.headers.get("x-request-id")],
    ]);
    expect(trail[0]!.changes).toMatchObject({ title: { before: null, after: "Audited" }, priceAmount: { before: null, after: 100 } });
    expect(trail[1]!.changes).toEqual({ tag: { before: null, after: tag.id } });
    expect(trail[2]!.changes).toEqual({ status: { before: "LEAD", after: "CONFIRMED" } });
    expect(trail[3]!.changes).toEqual({ tag: { before: tag.id, after: null } });

    // History stays readable after the delete, newest first, with every page once.
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await api(`/api/sessions/${created.body.id}/history?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token });
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.map((h) => h.action)).toEqual(["DELETE", "UPDATE", "UPDATE", "UPDATE", "CREATE"]);
    expect(seen[2]).toEqual({
      id: String(trail[2]!.seq),
      ownerId: account.user.id,
      entityType: "session",
      entityId: created.body.id,
      action: "UPDATE",
      actorType: "USER",
      actorId: account.user.id,
      changes: { status: { before: "LEAD", after: "CONFIRMED" } },
      requestId: updated.headers.get("x-request-id"),
      createdAt: expect.any(String),
    });
  });

  it("history is 404 for an id that never existed, and refuses a bad cursor", async () => {
    const { accessToken: token } = await register();
    expectProblem(await api(`/api/sessions/${newId()}/history`, { token }), 404, "NOT_FOUND");
    const session = await createSession(token);
    const res = await api(`/api/sessions/${session.id}/history?cursor=zzz`, { token });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["query.cursor"]);
  });
});

describe("authentication", () => {
  it.each([
    ["POST", "/api/sessions"],
    ["GET", "/api/sessions"],
    ["GET", "/api/sessions/x"],
    ["PATCH", "/api/sessions/x"],
    ["DELETE", "/api/sessions/x"],
    ["GET", "/api/sessions/x/history"],
    ["PUT", "/api/sessions/x/contacts/y"],
    ["DELETE", "/api/sessions/x/contacts/y"],
    ["PUT", "/api/sessions/x/tags/y"],
    ["DELETE", "/api/sessions/x/tags/y"],
    ["PUT", "/api/sessions/x/providers/y"],
    ["DELETE", "/api/sessions/x/providers/y"],
  ])("%s %s is 401 without a token", async (method, path) => {
    expectProblem(await api(path, { method, ...(method === "POST" || method === "PATCH" ? { json: { title: "T" } } : {}) }), 401, "UNAUTHORIZED");
    expectProblem(await api(path, { method, token: "not-a-token" }), 401, "UNAUTHORIZED");
  });
});
