import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConfig } from "@shared/config";
import { conversationParticipants, messages } from "@shared/db/schema";
import { ApiError } from "@shared/lib/errors";
import { deleteMessage, editMessage, listMessages, markRead, publishMessage, sendMessage } from "../../workers/modules/conversations/messages";
import { MessageContentSchema } from "../../workers/modules/conversations/schemas";
import { coParticipantIds, requireParticipant } from "../../workers/modules/conversations/service";
import { api, errorPaths, expectProblem, register, type ApiResponse } from "../support/http";
import { accounts, conversation, db, newConversation, send, wholeHistory } from "./helpers";

const read = (token: string, id: string, messageId: string) => api(`/api/conversations/${id}/read`, { token, json: { messageId } });
const edit = (token: string, id: string, messageId: string, content: unknown) =>
  api(`/api/conversations/${id}/messages/${messageId}`, { method: "PATCH", token, json: { content } });
const remove = (token: string, id: string, messageId: string) => api(`/api/conversations/${id}/messages/${messageId}`, { method: "DELETE", token });

describe("sending and reading history", () => {
  it("stores a message and answers it (trimmed), moving the conversation's activity", async () => {
    const [a, b] = await accounts(2);
    const { id, createdAt } = await newConversation(a!.accessToken, [b!.user.id]);
    const res = await api(`/api/conversations/${id}/messages`, { token: b!.accessToken, json: { content: "  Hello there \n" } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), conversationId: id, senderId: b!.user.id, content: "Hello there", createdAt: expect.any(String), editedAt: null });
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(Date.parse(createdAt));
    expect((await api(`/api/conversations/${id}/messages`, { token: a!.accessToken })).body).toEqual({ items: [res.body], nextCursor: null });
    expect(await conversation(a!.accessToken, id)).toMatchObject({ lastMessage: res.body, unreadCount: 1 });
  });

  it("400 on body.content for empty, blank, too long or missing content; nothing stored", async () => {
    const [a] = await accounts(1);
    const { id } = await newConversation(a!.accessToken, [a!.user.id]);
    const refused: [unknown, string][] = [
      [{ content: "" }, "body.content"],
      [{ content: " \n\t " }, "body.content"],
      [{ content: "x".repeat(10_001) }, "body.content"],
      [{ content: 12 }, "body.content"],
      [{}, "body.content"],
      [{ content: "ok", senderId: a!.user.id }, "body.senderId"],
    ];
    for (const [json, field] of refused) {
      const res = await api(`/api/conversations/${id}/messages`, { token: a!.accessToken, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), JSON.stringify(json).slice(0, 60)).toEqual([field]);
    }
    expect((await send(a!.accessToken, id, "x".repeat(10_000))).content).toHaveLength(10_000);
    expect(await db.select().from(messages).where(eq(messages.conversationId, id))).toHaveLength(1);
  });

  it("pages newest first with `before`, every message exactly once, no gaps, while new ones keep arriving", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const sent: string[] = [];
    for (let i = 0; i < 23; i++) sent.push((await send(i % 2 ? a!.accessToken : b!.accessToken, id, `m${i}`)).id);

    const seen: { id: string; content: string }[] = [];
    let before: string | null = null;
    let arrived = 0;
    do {
      const res: ApiResponse = await api(`/api/conversations/${id}/messages?limit=5${before ? `&before=${before}` : ""}`, { token: a!.accessToken });
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.items);
      before = res.body.nextCursor;
      if (before) expect(before).toBe(res.body.items.at(-1).id);
      // New messages between page fetches land after the walk's start: they never shift the pages.
      await send(b!.accessToken, id, `late${arrived++}`);
    } while (before);
    expect(seen.map((m) => m.id)).toEqual([...sent].reverse());
    expect(seen.map((m) => m.content)).toEqual(sent.map((_, i) => `m${i}`).reverse());

    // A fresh walk sees the late ones too, still each exactly once.
    const all = await wholeHistory(a!.accessToken, id, 7);
    expect(all).toHaveLength(23 + arrived);
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    expect(all.slice(arrived).map((m) => m.id)).toEqual([...sent].reverse());
  });

  it("leaves deleted messages out, and a `before` naming a deleted message still pages on", async () => {
    const [a] = await accounts(1);
    const { id } = await newConversation(a!.accessToken, [a!.user.id]);
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await send(a!.accessToken, id, `m${i}`));
    expect((await remove(a!.accessToken, id, sent[3]!.id)).status).toBe(204);
    expect((await wholeHistory(a!.accessToken, id, 2)).map((m) => m.content)).toEqual(["m5", "m4", "m2", "m1", "m0"]);
    const after = await api(`/api/conversations/${id}/messages?before=${sent[3]!.id}`, { token: a!.accessToken });
    expect(after.body.items.map((m: { content: string }) => m.content)).toEqual(["m2", "m1", "m0"]);
  });

  it("400 on query.before for a message of another conversation or none, and on bad limits", async () => {
    const [a] = await accounts(1);
    const { id } = await newConversation(a!.accessToken, [a!.user.id]);
    const other = await newConversation(a!.accessToken, [a!.user.id]);
    const elsewhere = await send(a!.accessToken, other.id, "elsewhere");
    for (const [query, field] of [
      [`before=${elsewhere.id}`, "query.before"],
      ["before=0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e", "query.before"],
      [`before=${"x".repeat(65)}`, "query.before"],
      ["limit=0", "query.limit"],
      ["limit=101", "query.limit"],
      ["limit=ten", "query.limit"],
    ]) {
      const res = await api(`/api/conversations/${id}/messages?${query}`, { token: a!.accessToken });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), query).toEqual([field]);
    }
  });

  it("20 simultaneous sends: all stored, each exactly once, each with its own seq", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api(`/api/conversations/${id}/messages`, { token: i % 2 ? a!.accessToken : b!.accessToken, json: { content: `c${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const rows = await db.select().from(messages).where(eq(messages.conversationId, id));
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.seq)).size).toBe(20);
    expect(rows.map((r) => r.content).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(results.map((r) => r.body.id)));
    const history = await wholeHistory(a!.accessToken, id, 6);
    expect(history.map((m) => m.id)).toEqual([...rows].sort((x, y) => y.seq - x.seq).map((r) => r.id));
    // Each sender's read position sits on their own newest message.
    const positions = await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, id));
    for (const position of positions) {
      expect(position.lastReadSeq).toBe(Math.max(...rows.filter((r) => r.senderId === position.userId).map((r) => r.seq)));
    }
  });
});

describe("unread counts and last messages", () => {
  it("follow sends, reads (never moving back), edits and deletes; one's own messages are never unread", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const m1 = await send(a!.accessToken, id, "one");
    const m2 = await send(a!.accessToken, id, "two");
    const m3 = await send(a!.accessToken, id, "three");
    const state = async (token: string) => {
      const view = await conversation(token, id);
      const [listed] = (await api("/api/conversations", { token })).body.items;
      expect(listed).toEqual(view);
      return { unread: view.unreadCount, last: view.lastMessage?.content ?? null };
    };
    expect(await state(a!.accessToken)).toEqual({ unread: 0, last: "three" });
    expect(await state(b!.accessToken)).toEqual({ unread: 3, last: "three" });

    expect((await read(b!.accessToken, id, m2.id)).status).toBe(204);
    expect(await state(b!.accessToken)).toEqual({ unread: 1, last: "three" });
    expect((await read(b!.accessToken, id, m1.id)).status).toBe(204);
    expect(await state(b!.accessToken)).toEqual({ unread: 1, last: "three" });

    // Sending moves the sender's own read position to their message.
    const reply = await send(b!.accessToken, id, "four");
    expect(await state(b!.accessToken)).toEqual({ unread: 0, last: "four" });
    expect(await state(a!.accessToken)).toEqual({ unread: 1, last: "four" });

    const edited = await edit(b!.accessToken, id, reply.id, "four, edited");
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toEqual({ ...reply, content: "four, edited", editedAt: expect.any(String) });
    expect((await conversation(a!.accessToken, id)).lastMessage).toEqual(edited.body);

    // Deleting the last message shows the one before; deleting an unread one takes it off the count.
    expect((await remove(b!.accessToken, id, reply.id)).status).toBe(204);
    expect(await state(a!.accessToken)).toEqual({ unread: 0, last: "three" });
    const five = await send(b!.accessToken, id, "five");
    await send(b!.accessToken, id, "six");
    expect(await state(a!.accessToken)).toEqual({ unread: 2, last: "six" });
    expect((await remove(b!.accessToken, id, five.id)).status).toBe(204);
    expect(await state(a!.accessToken)).toEqual({ unread: 1, last: "six" });
    const [row] = await db.select().from(messages).where(eq(messages.id, five.id));
    expect(row).toMatchObject({ content: "", deletedAt: expect.any(Date) });

    for (const m of [m1, m2, m3]) expect((await remove(a!.accessToken, id, m.id)).status).toBe(204);
    expect(await state(b!.accessToken)).toEqual({ unread: 0, last: "six" });
  });

  it("read refusals: a message of another conversation is 404, a missing messageId 400", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const other = await newConversation(a!.accessToken, [b!.user.id]);
    const elsewhere = await send(a!.accessToken, other.id, "elsewhere");
    expect(await conversation(b!.accessToken, id)).toMatchObject({ unreadCount: 0 });
    expect((await read(b!.accessToken, id, elsewhere.id)).body).toMatchObject({ status: 404, code: "NOT_FOUND", detail: "Message not found" });
    expect((await read(b!.accessToken, id, "0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e")).status).toBe(404);
    expect(await conversation(b!.accessToken, other.id)).toMatchObject({ unreadCount: 1 });
    for (const json of [{}, { messageId: "" }, { messageId: 5 }]) {
      const res = await api(`/api/conversations/${id}/read`, { token: b!.accessToken, json });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual(["body.messageId"]);
    }
  });
});

describe("editing and deleting messages", () => {
  it("only the sender: another participant 403; another conversation's, missing or deleted messages 404", async () => {
    const [a, b] = await accounts(2);
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);
    const other = await newConversation(a!.accessToken, [b!.user.id]);
    const mine = await send(a!.accessToken, id, "mine");
    const elsewhere = await send(a!.accessToken, other.id, "elsewhere");

    expectProblem(await edit(b!.accessToken, id, mine.id, "hijacked"), 403, "FORBIDDEN");
    expectProblem(await remove(b!.accessToken, id, mine.id), 403, "FORBIDDEN");
    for (const messageId of [elsewhere.id, "0190f5c4-7d1e-7c3a-9b0e-1f2a3b4c5d6e"]) {
      expect((await edit(a!.accessToken, id, messageId, "x")).body).toMatchObject({ status: 404, detail: "Message not found" });
      expect((await remove(a!.accessToken, id, messageId)).body).toMatchObject({ status: 404, detail: "Message not found" });
    }
    for (const content of ["", "   ", "x".repeat(10_001)]) {
      const res = await edit(a!.accessToken, id, mine.id, content);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual(["body.content"]);
    }
    expect((await api(`/api/conversations/${id}/messages`, { token: b!.accessToken })).body.items).toEqual([mine]);

    expect((await remove(a!.accessToken, id, mine.id)).status).toBe(204);
    expectProblem(await remove(a!.accessToken, id, mine.id), 404, "NOT_FOUND");
    expectProblem(await edit(a!.accessToken, id, mine.id, "back"), 404, "NOT_FOUND");
    expect((await api(`/api/conversations/${other.id}/messages`, { token: a!.accessToken })).body.items).toEqual([elsewhere]);
  });
});

describe("the functions the socket Durable Object calls", () => {
  const deps = () => ({ env, db, config: getConfig(env) });

  it("send, publish, list and mark read, with the REST answers' shapes and refusals", async () => {
    const [a, b] = await accounts(2);
    const { user: stranger } = await register();
    const { id } = await newConversation(a!.accessToken, [b!.user.id]);

    expect((await requireParticipant(db, b!.user.id, id)).sort()).toEqual([a!.user.id, b!.user.id].sort());
    await expect(requireParticipant(db, stranger.id, id)).rejects.toMatchObject({ code: "NOT_FOUND" });

    const { message, participantIds } = await sendMessage(db, a!.user.id, id, "  from a socket ");
    expect(message).toMatchObject({ conversationId: id, senderId: a!.user.id, content: "from a socket", editedAt: null });
    expect(participantIds.sort()).toEqual([a!.user.id, b!.user.id].sort());
    // Nobody is connected in these tests: publishing reports everyone offline and must not throw.
    await publishMessage(deps(), message, participantIds);

    const blank = await sendMessage(db, a!.user.id, id, "   ").catch((error: unknown) => error);
    expect(blank).toBeInstanceOf(ApiError);
    expect(blank).toMatchObject({ code: "VALIDATION_FAILED", extras: { errors: [{ path: "body.content", message: "must not be empty" }] } });
    expect(MessageContentSchema.safeParse("   ").success).toBe(false);
    await expect(sendMessage(db, stranger.id, id, "hi")).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await listMessages(db, b!.user.id, id, { limit: 20 })).toEqual({ items: [message], nextCursor: null });
    await expect(listMessages(db, stranger.id, id, { limit: 20 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(listMessages(db, b!.user.id, id, { limit: 20, before: "nope" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });

    expect((await markRead(db, b!.user.id, id, message.id)).participantIds.sort()).toEqual(participantIds);
    expect(await conversation(b!.accessToken, id)).toMatchObject({ unreadCount: 0 });
    await expect(markRead(db, stranger.id, id, message.id)).rejects.toMatchObject({ code: "NOT_FOUND" });

    const edited = await editMessage(deps(), a!.user.id, id, message.id, "edited");
    expect(edited).toMatchObject({ id: message.id, content: "edited", editedAt: expect.any(String) });
    await deleteMessage(deps(), a!.user.id, id, message.id);
    expect((await listMessages(db, a!.user.id, id, { limit: 20 })).items).toEqual([]);
  });

  it("co-participants: everyone sharing a conversation with the user, once each, never the user", async () => {
    const [a, b, c, d] = await accounts(4);
    await newConversation(a!.accessToken, [b!.user.id, c!.user.id]);
    await newConversation(b!.accessToken, [a!.user.id]);
    await newConversation(d!.accessToken, [d!.user.id]);
    expect((await coParticipantIds(db, a!.user.id)).sort()).toEqual([b!.user.id, c!.user.id].sort());
    expect((await coParticipantIds(db, c!.user.id)).sort()).toEqual([a!.user.id, b!.user.id].sort());
    expect(await coParticipantIds(db, d!.user.id)).toEqual([]);
  });
});
