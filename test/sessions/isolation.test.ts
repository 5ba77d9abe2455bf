import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionContacts, sessions } from "@shared/db/schema";
import { api, expectProblem, register } from "../support/http";
import { auditOf, createContact, createProvider, createSession, createTag, db } from "./helpers";

describe("sessions are per tenant", () => {
  it("a second user gets 404 on every route of the first user's session, and their list stays their own", async () => {
    const owner = await register();
    const intruder = await register();
    const contact = await createContact(owner.accessToken, "Client");
    const session = await createSession(owner.accessToken, { title: "Private", contactIds: [contact.id] });
    const ownTag = await createTag(intruder.accessToken);
    const ownContact = await createContact(intruder.accessToken);
    const ownProvider = await createProvider(intruder.accessToken);
    await createSession(intruder.accessToken, { title: "Theirs" });
    const token = intruder.accessToken;
    const base = `/api/sessions/${session.id}`;

    const attempts: [string, string, unknown?][] = [
      ["GET", base],
      ["PATCH", base, { title: "Stolen" }],
      ["PATCH", base, { status: "CANCELLED" }],
      ["DELETE", base],
      ["GET", `${base}/history`],
      ["PUT", `${base}/contacts/${ownContact.id}`],
      ["PUT", `${base}/tags/${ownTag.id}`],
      ["PUT", `${base}/providers/${ownProvider.id}`],
      ["DELETE", `${base}/contacts/${contact.id}`],
      ["DELETE", `${base}/tags/${ownTag.id}`],
      ["DELETE", `${base}/providers/${ownProvider.id}`],
    ];
    for (const [method, path, json] of attempts) {
      const res = await api(path, { method, token, ...(json ? { json } : {}) });
      const problem = expectProblem(res, 404, "NOT_FOUND");
      expect(JSON.stringify(problem)).not.toContain("Private");
    }

    const list = await api("/api/sessions", { token });
    expect(list.body.items.map((s: any) => s.title)).toEqual(["Theirs"]);
    // Filtering by the owner's contact finds nothing either.
    expect((await api(`/api/sessions?contactId=${contact.id}`, { token })).body.items).toEqual([]);

    const [row] = await db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row).toMatchObject({ title: "Private", status: "LEAD", ownerId: owner.user.id });
    expect(await db.select().from(sessionContacts).where(eq(sessionContacts.sessionId, session.id))).toHaveLength(1);
    expect((await auditOf("session", session.id)).every((t) => t.actorId === owner.user.id)).toBe(true);
  });

  it("the history of a deleted session stays the owner's alone", async () => {
    const owner = await register();
    const intruder = await register();
    const session = await createSession(owner.accessToken, { title: "Gone" });
    expect((await api(`/api/sessions/${session.id}`, { method: "DELETE", token: owner.accessToken })).status).toBe(204);
    expect((await api(`/api/sessions/${session.id}/history`, { token: owner.accessToken })).body.items.map((h: any) => h.action)).toEqual(["DELETE", "CREATE"]);
    expectProblem(await api(`/api/sessions/${session.id}/history`, { token: intruder.accessToken }), 404, "NOT_FOUND");
  });

  it("ownerId and id in bodies have no effect", async () => {
    const owner = await register();
    const other = await register();
    const session = await createSession(owner.accessToken, { title: "Mine" });
    for (const json of [{ title: "X", ownerId: other.user.id }, { title: "X", id: session.id }]) {
      expectProblem(await api("/api/sessions", { token: other.accessToken, json }), 400, "VALIDATION_FAILED");
    }
    for (const json of [{ ownerId: other.user.id }, { id: "new-id" }]) {
      expectProblem(await api(`/api/sessions/${session.id}`, { method: "PATCH", token: owner.accessToken, json }), 400, "VALIDATION_FAILED");
    }
    expect(await db.select({ id: sessions.id, ownerId: sessions.ownerId }).from(sessions).where(eq(sessions.ownerId, owner.user.id))).toEqual([
      { id: session.id, ownerId: owner.user.id },
    ]);
    expect(await db.select().from(sessions).where(eq(sessions.ownerId, other.user.id))).toEqual([]);
  });
});
