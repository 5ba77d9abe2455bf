import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { conversationParticipants, conversations, messages, notifications } from "@shared/db/schema";
import { allPages, api, errorPaths, expectProblem, register } from "../support/http";
import { accounts, conversation, db, newConversation, send } from "./helpers";

const person = (account: { user: { id: string } }, i: number) => ({ id: account.user.id, firstName: `User${i}`, lastName: `Tester${i}` });
const notificationsOf = (userId: string) => db.select().from(notifications).where(eq(notifications.userId, userId));

describe("conversations", () => {
  it("creates a conversation: the caller always in it, duplicates and the caller's own id collapsed", async () => {
    const [a, b, c] = await accounts(3);
    const created = await api("/api/conversations", {
      token: a!.accessToken,
      json: { participantIds: [b!.user.id, a!.user.id, c!.user.id, b!.user.id], title: "  Smith wedding  " },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      title: "Smith wedding",
      participants: expect.any(Array),
      createdBy: a!.user.id,
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      lastMessage: null,
      unreadCount: 0,
    });
    const expected = [person(a!, 0), person(b!, 1), person(c!, 2)].sort((x, y) => x.id.localeCompare(y.id));
    expect([...created.body.participants].sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id))).toEqual(expected);
    expect(await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, created.body.id))).toHaveLength(3);
    // Everyone in it sees the same conversation.
    for (const account of [b!, c!]) expect(await conversation(account.accessToken, created.body.id)).toEqual(created.body);

    // Each added user is told, through a notification; the creator is not.
    for (const added of [b!, c!]) {
      expect(await notificationsOf(added.user.id)).toEqual([
        expect.objectContaining({ type: "CONVERSATION_ADDED", data: { conversationId: created.body.id, addedBy: a!.user.id } }),
      ]);
    }
    expect(await notificationsOf(a!.user.id)).toEqual([]);
  });

  it("a conversation with only the caller, and titles: optional, null, blank as null", async () => {
    const { accessToken: token, user } = await register();
    const alone = await newConversation(token, [user.id]);
    expect(alone).toMatchObject({ title: null, participants: [{ id: user.id }] });
    expect((await newConversation(token, [user.id], null)).title).toBeNull();
    expect((await newConversation(token, [user.id], "   ")).title).toBeNull();
  });

  it("400 naming the field: unknown users by index, bad sizes, unknown fields; nothing is stored", async () => {
    const [a, b] = await accounts(2);
    const token = a!.accessToken;
    const unknown = "0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e";
    const res = await api("/api/conversations", { token, json: { participantIds: [b!.user.id, unknown, b!.user.id, "nobody"] } });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.body.errors).toEqual([
      { path: "body.participantIds.1", message: "no such user" },
      { path: "body.participantIds.3", message: "no such user" },
    ]);
    const cases: [unknown, string][] = [
      [{}, "body.participantIds"],
      [{ participantIds: [] }, "body.participantIds"],
      [{ participantIds: Array.from({ length: 101 }, () => b!.user.id) }, "body.participantIds"],
      [{ participantIds: b!.user.id }, "body.participantIds"],
      [{ participantIds: [""] }, "body.participantIds.0"],
      [{ participantIds: [42] }, "body.participantIds.0"],
      [{ participantIds: [b!.user.id], title: "x".repeat(201) }, "body.title"],
      [{ participantIds: [b!.user.id], title: 7 }, "body.title"],
      [{ participantIds: [b!.user.id], createdBy: b!.user.id }, "body.createdBy"],
    ];
    for (const [json, field] of cases) {
      const refused = await api("/api/conversations", { token, json });
      expectProblem(refused, 400, "VALIDATION_FAILED");
      expect(errorPaths(refused), JSON.stringify(json).slice(0, 80)).toContain(field);
    }
    expect(await allPages(token, "/api/conversations")).toEqual([]);
    expect(await notificationsOf(b!.user.id)).toEqual([]);
  });

  it("lists the caller's conversations by newest activity, every one exactly once across pages", async () => {
    const [a, b] = await accounts(2);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await newConversation(a!.accessToken, [b!.user.id], `C${i}`)).id);
    // A message moves its conversation to the top, for everyone in it.
    await send(b!.accessToken, ids[2]!, "bump");
    const expected = [ids[2], ids[6], ids[5], ids[4], ids[3], ids[1], ids[0]];
    for (const account of [a!, b!]) {
      const items = await allPages(account.accessToken, "/api/conversations?limit=3");
      expect(items.map((item) => item.id)).toEqual(expected);
    }
    const first = await api("/api/conversations?limit=3", { token: a!.accessToken });
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(first.body.items[0]).toMatchObject({ id: ids[2], lastMessage: { content: "bump", senderId: b!.user.id }, unreadCount: 1 });
    expect((await api("/api/conversations", { token: a!.accessToken })).body).toMatchObject({ nextCursor: null });

    for (const [query, field] of [["limit=0", "query.limit"], ["limit=101", "query.limit"], ["cursor=nope", "query.cursor"]]) {
      const res = await api(`/api/conversations?${query}`, { token: a!.accessToken });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toContain(field);
    }
  });

  it("any participant renames it (updatedAt moves); bad titles are 400", async () => {
    const [a, b] = await accounts(2);
    const { id, updatedAt } = await newConversation(a!.accessToken, [b!.user.id], "Old");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = await api(`/api/conversations/${id}`, { method: "PATCH", token: b!.accessToken, json: { title: " New " } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id, title: "New", createdBy: a!.user.id });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThan(Date.parse(updatedAt));
    const cleared = await api(`/api/conversations/${id}`, { method: "PATCH", token: a!.accessToken, json: { title: null } });
    expect(cleared.body.title).toBeNull();
    for (const [json, field] of [[{}, "body.title"], [{ title: "x".repeat(201) }, "body.title"], [{ title: "A", createdBy: b!.user.id }, "body.createdBy"]] as const) {
      const res = await api(`/api/conversations/${id}`, { method: "PATCH", token: a!.accessToken, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toContain(field);
    }
  });

  it("only the creator deletes it, messages included; the others are told to leave instead", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    await send(b!.accessToken, id, "hello");
    const refused = expectProblem(await api(`/api/conversations/${id}`, { method: "DELETE", token: b!.accessToken }), 403, "FORBIDDEN");
    expect(refused.detail).toContain(`/api/conversations/${id}/participants/${b!.user.id}`);
    expect(await conversation(b!.accessToken, id)).toMatchObject({ id });

    expect((await api(`/api/conversations/${id}`, { method: "DELETE", token: a!.accessToken })).status).toBe(204);
    for (const account of [a!, b!]) {
      expectProblem(await api(`/api/conversations/${id}`, { token: account.accessToken }), 404, "NOT_FOUND");
      expect(await allPages(account.accessToken, "/api/conversations")).toEqual([]);
    }
    expect(await db.select().from(messages).where(eq(messages.conversationId, id))).toEqual([]);
    expect(await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, id))).toEqual([]);
    expectProblem(await api(`/api/conversations/${id}`, { method: "DELETE", token: a!.accessToken }), 404, "NOT_FOUND");
  });
});

describe("participants", () => {
  it("any participant adds people: the new ones notified, those already in ignored, unknown ones 400 by index", async () => {
    const [a, b, c, d] = await accounts(4);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const added = await api(`/api/conversations/${id}/participants`, { token: b!.accessToken, json: { participantIds: [a!.user.id, c!.user.id, c!.user.id, b!.user.id] } });
    expect(added.status, added.text).toBe(200);
    expect(added.body.participants.map((p: { id: string }) => p.id).sort()).toEqual([a!.user.id, b!.user.id, c!.user.id].sort());
    expect(await notificationsOf(c!.user.id)).toEqual([expect.objectContaining({ type: "CONVERSATION_ADDED", data: { conversationId: id, addedBy: b!.user.id } })]);
    // Already in: no second notification for b (only the one from creation), none for a.
    expect(await notificationsOf(b!.user.id)).toHaveLength(1);
    expect(await notificationsOf(a!.user.id)).toEqual([]);
    expect(await conversation(c!.accessToken, id)).toMatchObject({ id });

    const refused = await api(`/api/conversations/${id}/participants`, { token: a!.accessToken, json: { participantIds: [d!.user.id, "ghost"] } });
    expectProblem(refused, 400, "VALIDATION_FAILED");
    expect(refused.body.errors).toEqual([{ path: "body.participantIds.1", message: "no such user" }]);
    expectProblem(await api(`/api/conversations/${id}`, { token: d!.accessToken }), 404, "NOT_FOUND");
    for (const json of [{}, { participantIds: [] }, { participantIds: [d!.user.id], extra: 1 }]) {
      const res = await api(`/api/conversations/${id}/participants`, { token: a!.accessToken, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res).some((path) => path.startsWith("body."))).toBe(true);
    }
  });

  it("anyone leaves, the creator removes anyone, others may not; a removed participant gets 404 everywhere", async () => {
    const [a, b, c] = await accounts(3);
    const { id } = await newConversation(a!.accessToken, [b!.user.id, c!.user.id]);
    const message = await send(a!.accessToken, id, "before the removal");
    expectProblem(await api(`/api/conversations/${id}/participants/${c!.user.id}`, { method: "DELETE", token: b!.accessToken }), 403, "FORBIDDEN");
    expectProblem(await api(`/api/conversations/${id}/participants/${"0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e"}`, { method: "DELETE", token: a!.accessToken }), 404, "NOT_FOUND");

    expect((await api(`/api/conversations/${id}/participants/${c!.user.id}`, { method: "DELETE", token: a!.accessToken })).status).toBe(204);
    expect((await api(`/api/conversations/${id}/participants/${b!.user.id}`, { method: "DELETE", token: b!.accessToken })).status).toBe(204);
    for (const removed of [b!, c!]) {
      const token = removed.accessToken;
      expectProblem(await api(`/api/conversations/${id}`, { token }), 404, "NOT_FOUND");
      expectProblem(await api(`/api/conversations/${id}/messages`, { token }), 404, "NOT_FOUND");
      expectProblem(await api(`/api/conversations/${id}/messages`, { token, json: { content: "still here?" } }), 404, "NOT_FOUND");
      expectProblem(await api(`/api/conversations/${id}/read`, { token, json: { messageId: message.id } }), 404, "NOT_FOUND");
      expect(await allPages(token, "/api/conversations")).toEqual([]);
    }
    expect((await conversation(a!.accessToken, id)).participants).toEqual([person(a!, 0)]);
    // Removing someone already gone is a 404, like any non-participant.
    expectProblem(await api(`/api/conversations/${id}/participants/${b!.user.id}`, { method: "DELETE", token: a!.accessToken }), 404, "NOT_FOUND");
  });

  it("the last participant out deletes the conversation", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    await send(a!.accessToken, id, "bye");
    expect((await api(`/api/conversations/${id}/participants/${a!.user.id}`, { method: "DELETE", token: a!.accessToken })).status).toBe(204);
    expect(await db.select().from(conversations).where(eq(conversations.id, id))).toHaveLength(1);
    expect((await api(`/api/conversations/${id}/participants/${b!.user.id}`, { method: "DELETE", token: b!.accessToken })).status).toBe(204);
    expect(await db.select().from(conversations).where(eq(conversations.id, id))).toEqual([]);
    expect(await db.select().from(messages).where(eq(messages.conversationId, id))).toEqual([]);
  });
});

describe("conversation refusals", () => {
  it("401 on every route without a token", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const message = await send(a!.accessToken, id, "hi");
    const routes: [string, string, unknown?][] = [
      ["POST", "/api/conversations", { participantIds: [b!.user.id] }],
      ["GET", "/api/conversations"],
      ["GET", `/api/conversations/${id}`],
      ["PATCH", `/api/conversations/${id}`, { title: "x" }],
      ["DELETE", `/api/conversations/${id}`],
      ["POST", `/api/conversations/${id}/participants`, { participantIds: [b!.user.id] }],
      ["DELETE", `/api/conversations/${id}/participants/${b!.user.id}`],
      ["POST", `/api/conversations/${id}/messages`, { content: "x" }],
      ["GET", `/api/conversations/${id}/messages`],
      ["POST", `/api/conversations/${id}/read`, { messageId: message.id }],
      ["PATCH", `/api/conversations/${id}/messages/${message.id}`, { content: "x" }],
      ["DELETE", `/api/conversations/${id}/messages/${message.id}`],
    ];
    for (const [method, path, json] of routes) expectProblem(await api(path, { method, json }), 401, "UNAUTHORIZED");
    expect(await conversation(a!.accessToken, id)).toMatchObject({ title: null, lastMessage: { id: message.id } });
  });

  it("a registered non-participant gets 404 on every route, exactly like a missing id, and never sees it listed", async () => {
    const [a, b] = await accounts(2);
    const { accessToken: outsider, user } = await register();
    const { id } = await newConversation(a!.accessToken, [b!.user.id], "Private");
    const message = await send(a!.accessToken, id, "secret");
    const missing = "0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e";
    for (const target of [id, missing]) {
      const routes: [string, string, unknown?][] = [
        ["GET", `/api/conversations/${target}`],
        ["PATCH", `/api/conversations/${target}`, { title: "Pwned" }],
        ["DELETE", `/api/conversations/${target}`],
        ["POST", `/api/conversations/${target}/participants`, { participantIds: [user.id] }],
        ["DELETE", `/api/conversations/${target}/participants/${user.id}`],
        ["DELETE", `/api/conversations/${target}/participants/${b!.user.id}`],
        ["GET", `/api/conversations/${target}/messages`],
        ["GET", `/api/conversations/${target}/messages?before=${message.id}`],
        ["POST", `/api/conversations/${target}/messages`, { content: "hi" }],
        ["POST", `/api/conversations/${target}/read`, { messageId: message.id }],
        ["PATCH", `/api/conversations/${target}/messages/${message.id}`, { content: "edited" }],
        ["DELETE", `/api/conversations/${target}/messages/${message.id}`],
      ];
      for (const [method, path, json] of routes) {
        const res = await api(path, { method, json, token: outsider });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body).toMatchObject({ code: "NOT_FOUND", detail: "Conversation not found" });
      }
    }
    expect(await allPages(outsider, "/api/conversations")).toEqual([]);
    // Nothing the outsider tried changed anything.
    expect(await conversation(a!.accessToken, id)).toMatchObject({ title: "Private", lastMessage: { id: message.id, content: "secret" } });
    expect((await conversation(a!.accessToken, id)).participants).toHaveLength(2);
    expect(await db.select().from(messages).where(and(eq(messages.conversationId, id)))).toHaveLength(1);
  });

  it("400 for ids that cannot be ids", async () => {
    const { accessToken: token } = await register();
    const long = "x".repeat(65);
    const routes: [string, string, string, unknown?][] = [
      ["GET", `/api/conversations/${long}`, "path.id"],
      ["PATCH", `/api/conversations/${long}`, "path.id", { title: "x" }],
      ["DELETE", `/api/conversations/${long}`, "path.id"],
      ["DELETE", `/api/conversations/abc/participants/${long}`, "path.userId"],
      ["PATCH", `/api/conversations/abc/messages/${long}`, "path.messageId", { content: "x" }],
      ["DELETE", `/api/conversations/abc/messages/${long}`, "path.messageId"],
    ];
    for (const [method, path, field, json] of routes) {
      const res = await api(path, { method, json, token });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), `${method} ${path}`).toContain(field);
    }
  });
});
