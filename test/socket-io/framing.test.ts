import { describe, expect, it } from "vitest";
import { decodeEnginePacket, encodeEnginePacket, EngineProtocolError, openPacket } from "../../durable-objects/socket-io/engine";
import { decodeSocketPacket, encodeSocketPacket, SocketProtocolError, type SocketPacket } from "../../durable-objects/socket-io/parser";
import { ackFrame, connectErrorFrame, connectFrame, eventFrame, NOOP_FRAME, PING_FRAME, PONG_FRAME } from "../../durable-objects/socket-io/frames";

// Examples are those of the Engine.IO v4 and Socket.IO v5 protocol documents.
describe("Engine.IO v4 packets", () => {
  it("encodes and decodes the documented frames", () => {
    expect(openPacket({ sid: "lv_VI97HAXpY6yYWAAAC", upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 })).toBe(
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    );
    expect(encodeEnginePacket({ type: "ping" })).toBe("2");
    expect(encodeEnginePacket({ type: "message", data: "hello" })).toBe("4hello");
    expect(decodeEnginePacket("3", 100)).toEqual({ type: "pong" });
    expect(decodeEnginePacket("4hello", 100)).toEqual({ type: "message", data: "hello" });
    expect(decodeEnginePacket("1", 100)).toEqual({ type: "close" });
  });

  it("refuses binary frames, unknown types and frames over maxPayload", () => {
    expect(() => decodeEnginePacket(new ArrayBuffer(4), 100)).toThrow(EngineProtocolError);
    expect(() => decodeEnginePacket("9x", 100)).toThrow(/unknown Engine.IO packet type/);
    expect(() => decodeEnginePacket("", 100)).toThrow(EngineProtocolError);
    expect(() => decodeEnginePacket(`4${"x".repeat(100)}`, 100)).toThrow(/exceeds maxPayload/);
  });
});

describe("Socket.IO v5 packets", () => {
  const documented: [string, SocketPacket][] = [
    ["0", { type: "CONNECT", nsp: "/" }],
    ['0{"token":"123"}', { type: "CONNECT", nsp: "/", data: { token: "123" } }],
    ['0/admin,{"token":"123"}', { type: "CONNECT", nsp: "/admin", data: { token: "123" } }],
    ['0{"sid":"oSO0OpakMV_3jnilAAAA"}', { type: "CONNECT", nsp: "/", data: { sid: "oSO0OpakMV_3jnilAAAA" } }],
    ['4{"message":"Not authorized"}', { type: "CONNECT_ERROR", nsp: "/", data: { message: "Not authorized" } }],
    ['2["foo"]', { type: "EVENT", nsp: "/", data: ["foo"] }],
    ['2/admin,["bar"]', { type: "EVENT", nsp: "/admin", data: ["bar"] }],
    ['212["foo"]', { type: "EVENT", nsp: "/", id: 12, data: ["foo"] }],
    ['312["bar"]', { type: "ACK", nsp: "/", id: 12, data: ["bar"] }],
    ['3/admin,13["bar"]', { type: "ACK", nsp: "/admin", id: 13, data: ["bar"] }],
    ["1", { type: "DISCONNECT", nsp: "/" }],
    ["1/admin,", { type: "DISCONNECT", nsp: "/admin" }],
    ['51-["baz",{"_placeholder":true,"num":0}]', { type: "BINARY_EVENT", nsp: "/", attachments: 1, data: ["baz", { _placeholder: true, num: 0 }] }],
    ['61-/admin,15[{"_placeholder":true,"num":0}]', { type: "BINARY_ACK", nsp: "/admin", id: 15, attachments: 1, data: [{ _placeholder: true, num: 0 }] }],
  ];

  for (const [text, packet] of documented) {
    it(`decodes and re-encodes ${text}`, () => {
      expect(decodeSocketPacket(text)).toEqual(packet);
      expect(encodeSocketPacket(packet)).toBe(text);
    });
  }

  it("refuses malformed packets with a reason", () => {
    const refusals: [string, RegExp][] = [
      ["9", /unknown Socket.IO packet type/],
      ["2{", /not valid JSON/],
      ['2{"a":1}', /invalid payload for EVENT/],
      ["2[]", /invalid payload for EVENT/],
      ["2[1]", /invalid payload for EVENT/],
      ['3"x"', /invalid payload for ACK/],
      ['0["a"]', /invalid payload for CONNECT/],
      ["5[\"a\"]", /attachment count/],
      ["2999999999999999999999[\"a\"]", /ack id out of range/],
    ];
    for (const [text, reason] of refusals) expect(() => decodeSocketPacket(text), text).toThrow(reason);
    expect(() => decodeSocketPacket("")).toThrow(SocketProtocolError);
  });
});

describe("ready-to-send frames", () => {
  it("wraps Socket.IO packets in Engine.IO message packets, decodable by the parser", () => {
    expect(eventFrame("receiveMessage", { id: "m1" })).toBe('42["receiveMessage",{"id":"m1"}]');
    expect(ackFrame(7, { ok: true })).toBe('437[{"ok":true}]');
    expect(connectFrame("abc")).toBe('40{"sid":"abc"}');
    expect(connectErrorFrame("Authentication failed - token missing")).toBe('44{"message":"Authentication failed - token missing"}');
    expect(connectErrorFrame("Invalid namespace", "/admin")).toBe('44/admin,{"message":"Invalid namespace"}');
    expect(decodeSocketPacket(eventFrame("x", [1, "two"]).slice(1))).toEqual({ type: "EVENT", nsp: "/", data: ["x", [1, "two"]] });
    expect([PING_FRAME, PONG_FRAME, NOOP_FRAME]).toEqual(["2", "3", "6"]);
  });
});
