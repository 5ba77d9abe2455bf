// Rooms, messages, typing, read receipts, presence and pushes, with several users holding several tabs each,
// all through the official socket.io-client against the Worker under `wrangler dev`.
import { readFile } from "node:fs/promises";
import { describe, expect, inject, it } from "vitest";
import { api, register, type Account } from "../support/node/api";
import { connected, join, settle } from "../support/node/sockets";

async function conversationOf(owner: Account, others: Account[], title = "Shoot prep"): Promise<string> {
  const res = await api<{ id: string }>("/api/conversations", {
    token: owner.accessToken,
    json: { participantIds: others.map((o) => o.user.id), title },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

interface Message {
  id: string;
  conversationId: string;
  senderId: string;
  content: string;
  createdAt: string;
}

describe("rooms and messages", () => {
  it("acks a sendMessage with the stored message and fans it out to every joined tab of every participant", async () => {
    const [ana, ben, chloe, dan] = await Promise.all([register(), register(), register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!, chloe!, dan!]);
    const tabs = await Promise.all([ana, ana, ben, ben, chloe, chloe].map((u) => connected(u!.accessToken)));
    await Promise.all(tabs.map((tab) => join(tab, conversationId)));
    const notJoined = await connected(dan!.accessToken); // a participant whose socket did not join the room

    const message = (await tabs[2]!.socket.emitWithAck("sendMessage", { conversationId, content: "Golden hour at 19:40" })) as Message;
    expect(message).toMatchObject({ id: expect.any(String), conversationId, senderId: ben!.user.id, content: "Golden hour at 19:40" });

    // Stored before anyone was told: the REST history already has it.
    const history = await api<{ items: Message[] }>(`/api/conversations/${conversationId}/messages`, { token: dan!.accessToken });
    expect(history.body.items.map((m) => m.id)).toContain(message.id);

    for (const tab of tabs) expect(await tab.next<Message>("receiveMessage", (m) => m.id === message.id)).toEqual(message);
    await settle();
    for (const tab of tabs) expect(tab.all<Message>("receiveMessage", (m) => m.id === message.id)).toHaveLength(1);
    expect(notJoined.all("receiveMessage")).toEqual([]);
  });

  it("announces joins and leaves to the room and stops delivering to a socket that left", async () => {
    const [ana, ben] = await Promise.all([register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!]);
    const a = await connected(ana!.accessToken);
    const b = await connected(ben!.accessToken);
    await join(a, conversationId);
    await join(b, conversationId);
    expect(await a.next("userJoinRoom", (d: { userId: string }) => d.userId === ben!.user.id)).toEqual({ conversationId, userId: ben!.user.id });

    b.socket.emit("leaveRoom", conversationId);
    expect(await b.next("leaveRoomSuccess")).toEqual({ conversationId });
    expect(await a.next("userLeaveRoom")).toEqual({ conversationId, userId: ben!.user.id });
    const sent = (await a.socket.emitWithAck("sendMessage", { conversationId, content: "still there?" })) as Message;
    await a.next<Message>("receiveMessage", (m) => m.id === sent.id);
    await settle();
    expect(b.all("receiveMessage")).toEqual([]);
  });

  it("refuses outsiders with an error event and keeps their socket", async () => {
    const [ana, ben, outsider] = await Promise.all([register(), register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!]);
    const a = await connected(ana!.accessToken);
    await join(a, conversationId);
    const o = await connected(outsider!.accessToken);

    for (const [event, arg] of [
      ["joinRoom", conversationId],
      ["leaveRoom", conversationId],
      ["sendMessage", { conversationId, content: "let me in" }],
      ["getMessageHistory", { conversationId }],
      ["startTyping", conversationId],
      ["markMessageRead", { conversationId, messageId: "m" }],
    ] as const) {
      const ack = await o.socket.emitWithAck(event, arg);
      expect(ack, event).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
      expect(o.all("error", (e: { event: string }) => e.event === event), event).toEqual([{ event, code: "NOT_FOUND", message: expect.any(String) }]);
    }
    expect(o.socket.connected).toBe(true);
    await settle();
    expect(a.all("receiveMessage")).toEqual([]);
    expect(a.all("userTyping")).toEqual([]);
    const history = await api<{ items: Message[] }>(`/api/conversations/${conversationId}/messages`, { token: ana!.accessToken });
    expect(history.body.items).toEqual([]);
  });

  it("sends typing indicators and read receipts only to the others", async () => {
    const [ana, ben] = await Promise.all([register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!]);
    const [a1, a2, b1] = await Promise.all([connected(ana!.accessToken), connected(ana!.accessToken), connected(ben!.accessToken)]);
    await Promise.all([a1, a2, b1].map((s) => join(s, conversationId)));

    a1.socket.emit("startTyping", conversationId);
    expect(await b1.next("userTyping")).toEqual({ conversationId, userId: ana!.user.id });
    a1.socket.emit("stopTyping", { conversationId });
    expect(await b1.next("userStoppedTyping")).toEqual({ conversationId, userId: ana!.user.id });

    const sent = (await b1.socket.emitWithAck("sendMessage", { conversationId, content: "proofs are up" })) as Message;
    const receipt = await a1.socket.emitWithAck("markMessageRead", { conversationId, messageId: sent.id });
    expect(receipt).toEqual({ conversationId, userId: ana!.user.id, messageId: sent.id });
    expect(await b1.next("messageRead")).toEqual({ conversationId, userId: ana!.user.id, messageId: sent.id });
    await settle();
    for (const own of [a1, a2]) {
      expect(own.all("userTyping")).toEqual([]);
      expect(own.all("userStoppedTyping")).toEqual([]);
      expect(own.all("messageRead")).toEqual([]);
    }
    const list = await api<{ items: { id: string; unreadCount: number }[] }>("/api/conversations", { token: ana!.accessToken });
    expect(list.body.items.find((c) => c.id === conversationId)?.unreadCount).toBe(0);
  });

  it("pages history newest first without gaps, and a reconnecting client catches up with before", async () => {
    const [ana, ben] = await Promise.all([register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!]);
    const a = await connected(ana!.accessToken);
    const sent: Message[] = [];
    for (let i = 0; i < 25; i++) sent.push((await a.socket.emitWithAck("sendMessage", { conversationId, content: `m${i}` })) as Message);
    a.socket.disconnect();

    const b = await connected(ben!.accessToken);
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page++) {
      const history = (await b.socket.emitWithAck("getMessageHistory", { conversationId, limit: 10, ...(before ? { before } : {}) })) as {
        messages: Message[];
        nextCursor: string | null;
      };
      seen.push(...history.messages.map((m) => m.content));
      if (!history.nextCursor) break;
      before = history.nextCursor;
    }
    expect(seen).toEqual(sent.map((m) => m.content).reverse());
    expect(await b.next("messageHistory")).toMatchObject({ conversationId, messages: expect.any(Array) });
    const list = await api<{ items: { id: string; unreadCount: number; lastMessage: Message }[] }>("/api/conversations", { token: ben!.accessToken });
    expect(list.body.items.find((c) => c.id === conversationId)).toMatchObject({ unreadCount: 25, lastMessage: { id: sent[24]!.id } });
  });
});

describe("pushes from the REST API", () => {
  it("pushes REST-sent, edited, deleted and read messages to the room", async () => {
    const [ana, ben] = await Promise.all([register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!]);
    const b = await connected(ben!.accessToken);
    await join(b, conversationId);

    const posted = await api<Message>(`/api/conversations/${conversationId}/messages`, { token: ana!.accessToken, json: { content: "contract attached" } });
    expect(posted.status, posted.text).toBe(201);
    expect(await b.next<Message>("receiveMessage")).toEqual(posted.body);

    const edited = await api(`/api/conversations/${conversationId}/messages/${posted.body.id}`, { method: "PATCH", token: ana!.accessToken, json: { content: "contract v2 attached" } });
    expect(edited.status, edited.text).toBe(200);
    expect(await b.next("messageUpdated")).toMatchObject({ id: posted.body.id, content: "contract v2 attached" });

    const deleted = await api(`/api/conversations/${conversationId}/messages/${posted.body.id}`, { method: "DELETE", token: ana!.accessToken });
    expect(deleted.status).toBe(204);
    expect(await b.next("messageDeleted")).toEqual({ conversationId, messageId: posted.body.id });

    const second = await api<Message>(`/api/conversations/${conversationId}/messages`, { token: ben!.accessToken, json: { content: "got it" } });
    const a = await connected(ana!.accessToken);
    await join(a, conversationId);
    const read = await api(`/api/conversations/${conversationId}/read`, { token: ben!.accessToken, json: { messageId: second.body.id } });
    expect(read.status).toBe(204);
    expect(await a.next("messageRead")).toEqual({ conversationId, userId: ben!.user.id, messageId: second.body.id });
  });

  it("stops pushing to a participant the moment they are removed", async () => {
    const [ana, ben, chloe] = await Promise.all([register(), register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!, chloe!]);
    const b = await connected(ben!.accessToken);
    await join(b, conversationId);
    const removed = await api(`/api/conversations/${conversationId}/participants/${ben!.user.id}`, { method: "DELETE", token: ana!.accessToken });
    expect(removed.status).toBe(204);
    expect(await b.next("leaveRoomSuccess")).toEqual({ conversationId });
    await api(`/api/conversations/${conversationId}/messages`, { token: chloe!.accessToken, json: { content: "after removal" } });
    b.socket.emit("startTyping", conversationId);
    expect(await b.next("error")).toMatchObject({ event: "startTyping", code: "NOT_FOUND" });
    await settle();
    expect(b.all("receiveMessage")).toEqual([]);
    expect(b.socket.connected).toBe(true);
  });

  it("pushes a new notification to every tab of its user", async () => {
    const [ana, ben] = await Promise.all([register(), register()]);
    const tabs = await Promise.all([connected(ben!.accessToken), connected(ben!.accessToken)]);
    const conversationId = await conversationOf(ana!, [ben!], "Wedding in June");
    for (const tab of tabs) {
      expect(await tab.next("notification")).toMatchObject({ id: expect.any(String), type: "CONVERSATION_ADDED", data: { conversationId } });
    }
    const listed = await api<{ items: { id: string; type: string }[] }>("/api/notifications?unread=true", { token: ben!.accessToken });
    expect(listed.body.items.map((n) => n.type)).toContain("CONVERSATION_ADDED");
  });
});

describe("presence", () => {
  it("announces online on a user's first connection and offline on their last disconnect", async () => {
    const [ana, ben, stranger] = await Promise.all([register(), register(), register()]);
    await conversationOf(ana!, [ben!]);
    const b = await connected(ben!.accessToken);
    const s = await connected(stranger!.accessToken);
    const isAna = (d: { userId: string }) => d.userId === ana!.user.id;

    const tab1 = await connected(ana!.accessToken);
    expect(await b.next("userStatus", isAna)).toEqual({ userId: ana!.user.id, status: "online" });
    const tab2 = await connected(ana!.accessToken);
    tab1.socket.disconnect();
    await settle(800);
    expect(b.all("userStatus", isAna)).toEqual([{ userId: ana!.user.id, status: "online" }]);
    tab2.socket.disconnect();
    expect(await b.next("userStatus", (d: { userId: string; status: string }) => isAna(d) && d.status === "offline")).toEqual({
      userId: ana!.user.id,
      status: "offline",
    });
    expect(s.all("userStatus")).toEqual([]); // shares no conversation with Ana
  });
});

describe("hibernation", () => {
  const hubStarts = async (userId: string) =>
    (await readFile(inject("workerLogPath"), "utf8")).split("\n").filter((line) => line.includes('"user hub started"') && line.includes(userId)).length;

  it("delivers to a user whose hub was evicted while idle", async () => {
    const [ana, ben] = await Promise.all([register(), register()]);
    const conversationId = await conversationOf(ana!, [ben!]);
    const b = await connected(ben!.accessToken);
    await join(b, conversationId);
    await settle(500);
    const before = await hubStarts(ben!.user.id); // the first start logs no user yet: the hub learns it on attach

    // The runtime evicts an object after 10 s without events; Ben's hub gets none (pings come from his connection's alarm).
    await settle(13_000);
    const sent = await api<Message>(`/api/conversations/${conversationId}/messages`, { token: ana!.accessToken, json: { content: "wake up" } });
    expect(await b.next<Message>("receiveMessage")).toEqual(sent.body);
    await settle(300);
    expect(await hubStarts(ben!.user.id)).toBe(before + 1);
  });
});
