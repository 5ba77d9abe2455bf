// The official socket.io-client against the Worker under `wrangler dev`: handshake, token placements, the three
// refusal messages of API.md, refused frames that keep the socket open, and server pings.
import { createHash } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { api, expectProblem, register, workerUrl } from "../support/node/api";
import { connected, refused, settle, type TokenPlacement } from "../support/node/sockets";

const MISSING = "Authentication failed - token missing";
const INVALID = "Authentication failed - invalid token";
const PAYLOAD = "Authentication failed - invalid token payload";

/** The Worker's key id for a secret (shared/lib/jwt.ts keyId: derived from the secret itself). */
const keyId = (secret: string) => createHash("sha256").update(`lightbox-jwt-kid:${secret}`).digest("hex").slice(0, 16);

/** A token signed with the Worker's own key and headers, with the given claims (to omit required ones). */
async function forge(claims: Record<string, unknown>, expiresAt = Math.floor(Date.now() / 1000) + 600): Promise<string> {
  const secret = inject("jwtSecret");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: keyId(secret) })
    .setIssuer("lightbox")
    .setAudience("lightbox-api")
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

describe("Socket.IO handshake", () => {
  it.each<TokenPlacement>(["auth", "query", "header"])("accepts the access token from %s", async (placement) => {
    const owner = await register();
    const client = await connected(owner.accessToken, placement);
    expect(client.socket.connected).toBe(true);
    expect(client.socket.id).toEqual(expect.any(String));
  });

  it("refuses a connection without a token", async () => {
    expect(await refused(null)).toBe(MISSING);
  });

  it.each<TokenPlacement>(["auth", "query", "header"])("refuses an unverifiable token from %s", async (placement) => {
    expect(await refused("not-a-jwt", placement)).toBe(INVALID);
  });

  it("refuses expired tokens and tokens signed with another secret as invalid", async () => {
    const owner = await register();
    const [, payload] = owner.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    expect(await refused(await forge({ sub: owner.user.id, jti: "j", sid: claims.sid }, Math.floor(Date.now() / 1000) - 60))).toBe(INVALID);
    const tampered = `${owner.accessToken.slice(0, -4)}${owner.accessToken.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    expect(await refused(tampered)).toBe(INVALID);
  });

  it("refuses a verified token that lacks required claims as an invalid payload", async () => {
    expect(await refused(await forge({ jti: "j1", sid: "s1" }))).toBe(PAYLOAD);
    expect(await refused(await forge({ sub: "u1", sid: "s1" }))).toBe(PAYLOAD);
  });

  it("refuses namespaces other than /", async () => {
    const owner = await register();
    expect(await refused(owner.accessToken, "auth", "/admin")).toBe("Invalid namespace");
  });

  it("answers a handshake it does not serve with a problem naming what is wrong", async () => {
    const polling = await api(`/socket.io/?EIO=4&transport=polling`);
    expectProblem(polling, 400, "VALIDATION_FAILED");
    expect(polling.body.errors).toEqual([{ path: "query.transport", message: expect.stringContaining("websocket") }]);
    const v3 = await api(`/socket.io/?EIO=3&transport=websocket`);
    expectProblem(v3, 400, "VALIDATION_FAILED");
    expect(v3.body.errors.map((e: { path: string }) => e.path)).toEqual(["query.EIO"]);
  });
});

describe("refused frames keep the socket open", () => {
  it("answers an unknown event and a malformed payload with error", async () => {
    const owner = await register();
    const client = await connected(owner.accessToken);
    client.socket.emit("noSuchEvent", 1);
    expect(await client.next("error")).toEqual({ event: "noSuchEvent", code: "NOT_FOUND", message: expect.stringContaining("noSuchEvent") });
    const acked = await client.socket.emitWithAck("sendMessage", { conversationId: 42 });
    expect(acked).toEqual({ error: { code: "VALIDATION_FAILED", message: expect.stringContaining("data.conversationId") } });
    expect(client.socket.connected).toBe(true);
    // Still usable: a valid request gets its normal answer.
    const missing = await client.socket.emitWithAck("joinRoom", "does-not-exist");
    expect(missing).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });

  it("refuses binary payloads with an error event", async () => {
    const owner = await register();
    const client = await connected(owner.accessToken);
    client.socket.emit("sendMessage", { conversationId: "c", content: Buffer.from([1, 2, 3]) });
    const error = await client.next<{ code: string; message: string }>("error", (e) => e.code === "VALIDATION_FAILED");
    expect(error.message).toMatch(/binary/i);
    await settle();
    expect(client.socket.connected).toBe(true);
  });

  it("refuses frames over the size limit and floods over the rate limit, then keeps serving", async () => {
    const owner = await register();
    const client = await connected(owner.accessToken);
    const tooBig = await client.socket.emitWithAck("sendMessage", { conversationId: "c", content: "x".repeat(70_000) });
    expect(tooBig).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("65536") } });
    expect(client.all("error")).toContainEqual({ event: "sendMessage", code: "PAYLOAD_TOO_LARGE", message: expect.any(String) });

    for (let i = 0; i < 80; i++) client.socket.emit("startTyping", "c");
    await client.next("error", (e: { code: string }) => e.code === "RATE_LIMITED");
    expect(client.all("error", (e: { code: string }) => e.code === "RATE_LIMITED").length).toBeGreaterThan(0);
    expect(client.socket.connected).toBe(true);
    await settle(2500); // the bucket refills
    expect(await client.socket.emitWithAck("joinRoom", "nope")).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });
});

describe("server pings", () => {
  const rawUrl = () => `${workerUrl().replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;

  it("keeps a client that answers pings connected across several intervals", async () => {
    const owner = await register();
    const client = await connected(owner.accessToken);
    let pings = 0;
    client.socket.io.engine.on("ping", () => pings++);
    await settle(inject("socketPingIntervalMs") * 3 + 500);
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(client.socket.connected).toBe(true);
  });

  it("drops a client that stops answering pings, and announces it offline", async () => {
    const [owner, partner] = await Promise.all([register(), register()]);
    const created = await api("/api/conversations", { token: partner.accessToken, json: { participantIds: [owner.user.id] } });
    expect(created.status, created.text).toBe(201);
    const watcher = await connected(partner.accessToken);
    const raw = new WebSocket(rawUrl());
    const frames: string[] = [];
    raw.on("message", (data) => frames.push(String(data)));
    await new Promise((resolve) => raw.once("open", resolve));
    const closed = new Promise<number>((resolve) => raw.once("close", (code) => resolve(code)));
    raw.send(`40${JSON.stringify({ token: owner.accessToken })}`);
    const started = Date.now();
    expect(await watcher.next("userStatus")).toEqual({ userId: owner.user.id, status: "online" });
    const code = await closed; // it never answers the server's "2" with "3"
    expect(frames[0]).toMatch(/^0\{"sid":/);
    expect(frames).toContain("2");
    expect(frames.some((f) => f.startsWith('40{"sid":'))).toBe(true);
    expect(code).toBe(4002);
    expect(Date.now() - started).toBeLessThan(inject("socketPingIntervalMs") * 4);
    expect(await watcher.next("userStatus", (d: { status: string }) => d.status === "offline")).toEqual({ userId: owner.user.id, status: "offline" });
  });

  it("announces offline a socket closed while its CONNECT was being verified", async () => {
    const [owner, partner] = await Promise.all([register(), register()]);
    await api("/api/conversations", { token: partner.accessToken, json: { participantIds: [owner.user.id] } });
    const watcher = await connected(partner.accessToken);
    const raw = new WebSocket(rawUrl());
    await new Promise((resolve) => raw.once("open", resolve));
    raw.send(`40${JSON.stringify({ token: owner.accessToken })}`);
    raw.close(); // before the CONNECT answer
    const isOwner = (d: { userId: string }) => d.userId === owner.user.id;
    expect(await watcher.next("userStatus", (d: { userId: string; status: string }) => isOwner(d) && d.status === "offline")).toEqual({
      userId: owner.user.id,
      status: "offline",
    });
    // Not left counted as connected: the owner's next connection is announced online again.
    const again = await connected(owner.accessToken);
    expect(again.socket.connected).toBe(true);
    await watcher.next("userStatus", (d: { userId: string; status: string }) => isOwner(d) && d.status === "online" && watcher.all("userStatus", isOwner).length >= 3);
  });

  it("refuses events before CONNECT and closes a socket that never sends CONNECT", async () => {
    const raw = new WebSocket(rawUrl());
    const frames: string[] = [];
    raw.on("message", (data) => frames.push(String(data)));
    const closed = new Promise<number>((resolve) => raw.once("close", (c) => resolve(c)));
    await new Promise((resolve) => raw.once("open", resolve));
    raw.send('421["joinRoom","c1"]');
    expect(await closed).toBe(4001);
    const error = frames.find((f) => f.startsWith('42["error"'));
    expect(JSON.parse(error!.slice(2))).toEqual(["error", { event: "joinRoom", code: "UNAUTHORIZED", message: expect.any(String) }]);
    expect(JSON.parse(frames.find((f) => f.startsWith("431"))!.slice(3))).toEqual([{ error: { code: "UNAUTHORIZED", message: expect.any(String) } }]);
  });
});

describe("a refused connection is not left half-open", () => {
  it("lets the same client connect again with a good token after a refusal", async () => {
    const owner = await register();
    expect(await refused("bad")).toBe(INVALID);
    const client = await connected(owner.accessToken);
    expect(client.socket.connected).toBe(true);
  });
});
