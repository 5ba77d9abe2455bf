// The live side of portal events: the owner's open dashboards get `notification` and `messages:new` over
// Socket.IO. A raw Engine.IO v4 / Socket.IO v5 WebSocket into the Worker, as socket.io-client speaks it.
import { SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ORIGIN } from "../support/http";
import { portal, quoteScenario } from "./helpers";

async function ownerSocket(accessToken: string) {
  const res = await SELF.fetch(`${ORIGIN}/socket.io/?EIO=4&transport=websocket`, { headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const events: { event: string; data: any }[] = [];
  let connected = false;
  ws.addEventListener("message", (message) => {
    const frame = String(message.data);
    if (frame === "2") ws.send("3");
    else if (frame.startsWith("0")) ws.send(`40${JSON.stringify({ token: accessToken })}`);
    else if (frame.startsWith("40")) connected = true;
    else if (frame.startsWith("42")) {
      const [event, data] = JSON.parse(frame.slice(2));
      events.push({ event, data });
    }
  });
  ws.accept();
  await vi.waitFor(() => expect(connected).toBe(true), { timeout: 10_000, interval: 50 });
  return { events, close: () => ws.close(1000) };
}

describe("pushes to the owner", () => {
  it("a client's message reaches the owner's sockets as messages:new and notification; an accept as notification", async () => {
    const { studio, contact, quote, link } = await quoteScenario();
    const socket = await ownerSocket(studio.token);
    try {
      const sent = await portal("/messages", link.token, { json: { body: "Is the date still free?" } });
      expect(sent.status).toBe(201);
      await vi.waitFor(() => expect(socket.events.map((e) => e.event)).toEqual(expect.arrayContaining(["messages:new", "notification"])), { timeout: 10_000, interval: 50 });
      expect(socket.events.find((e) => e.event === "messages:new")!.data).toEqual({ contactId: contact.id, message: sent.body });
      expect(socket.events.find((e) => e.event === "notification")!.data).toMatchObject({ type: "CLIENT_MESSAGE_RECEIVED", data: { contactId: contact.id } });

      expect((await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" })).status).toBe(200);
      await vi.waitFor(() => expect(socket.events.filter((e) => e.event === "notification").map((e) => e.data.type)).toContain("QUOTE_ACCEPTED"), { timeout: 10_000, interval: 50 });
    } finally {
      socket.close();
    }
  });
});
