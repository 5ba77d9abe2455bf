// SocketConnection: one Durable Object per WebSocket, speaking Engine.IO v4 / Socket.IO v5 to socket.io-client.
//
// Why one object per connection: the Worker must pick an object when the upgrade arrives, but the user is only
// known once the Socket.IO CONNECT packet brings its `auth` payload, after the upgrade. So every socket gets a
// fresh object of its own, which verifies CONNECT and then registers with the user's UserHub. Each object is
// small, hibernates on its own, and no object is shared by strangers' traffic.
//
// Hibernation: the socket is accepted with the Hibernation API, so an idle connection holds no memory. The
// server's Engine.IO pings come from an alarm every pingInterval (waking the object briefly), and the client's
// pong is answered by the runtime's auto-response without waking it; the next alarm drops a client whose
// last pong is older than the previous ping.
import { DurableObject } from "cloudflare:workers";
import { getConfig, type Config } from "@shared/config";
import { createDb } from "@shared/db/client";
import type { Env } from "@shared/env";
import { randomToken } from "@shared/lib/crypto";
import { ApiError } from "@shared/lib/errors";
import { AccessTokenError, verifyAccessToken } from "@shared/lib/jwt";
import { decodeEnginePacket, EngineProtocolError, openPacket } from "./socket-io/engine";
import { ackFrame, connectErrorFrame, connectFrame, eventFrame, NOOP_FRAME, PING_FRAME, PONG_FRAME } from "./socket-io/frames";
import { decodeSocketPacket, SocketProtocolError, type SocketPacket } from "./socket-io/parser";
import { eventHandlers, type EventContext } from "./socket-events";

interface Attachment {
  engineSid: string;
  openedAt: number;
  /** Tokens offered outside the CONNECT packet, kept only until CONNECT. */
  queryToken: string | null;
  headerToken: string | null;
  /** Set once CONNECT is accepted. */
  userId: string | null;
  socketSid: string | null;
  pingSentAt: number | null;
}

export const AUTH_MESSAGES = {
  missing: "Authentication failed - token missing",
  invalid: "Authentication failed - invalid token",
  payload: "Authentication failed - invalid token payload",
} as const;

const log = (level: "info" | "error", msg: string, fields: Record<string, unknown>) => console[level === "error" ? "error" : "log"](JSON.stringify({ level, msg, ...fields }));

export class SocketConnection extends DurableObject<Env> {
  private readonly config: Config;
  /** Events of one connection are handled in arrival order, one at a time (messages keep their order). */
  private queue: Promise<void> = Promise.resolve();
  /** Token bucket for the per-connection event rate; in memory, as a hibernated connection is an idle one. */
  private tokens: number;
  private refilledAt = Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = getConfig(env);
    this.tokens = this.config.socket.eventsPerSecond * 2;
    // Pongs never wake the object: the runtime answers them with a no-op packet and records the time.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PONG_FRAME, NOOP_FRAME));
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const attachment: Attachment = {
      engineSid: randomToken(15),
      openedAt: Date.now(),
      queryToken: url.searchParams.get("token"),
      headerToken: bearer,
      userId: null,
      socketSid: null,
      pingSentAt: null,
    };
    server.serializeAttachment(attachment);
    const { pingIntervalMs, pingTimeoutMs, maxPayloadBytes } = this.config.socket;
    server.send(openPacket({ sid: attachment.engineSid, upgrades: [], pingInterval: pingIntervalMs, pingTimeout: pingTimeoutMs, maxPayload: maxPayloadBytes }));
    await this.ctx.storage.setAlarm(Date.now() + pingIntervalMs);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Called by the user's hub: false once this connection's socket is gone (the hub then forgets it). */
  async deliver(frame: string): Promise<boolean> {
    const ws = this.socket();
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(frame);
    return true;
  }

  /** Asked by the hub before it decides a new connection is the user's first: is this one still open? */
  async isOpen(): Promise<boolean> {
    return this.socket()?.readyState === WebSocket.OPEN;
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    await this.inOrder(() => this.receive(ws, frame));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // Already closed by the runtime.
    }
    // Behind any CONNECT still in progress, so a socket closed mid-handshake is detached after it attached.
    await this.inOrder(() => this.shutDown(ws));
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.inOrder(() => this.shutDown(ws));
  }

  override async alarm(): Promise<void> {
    await this.inOrder(() => this.tick());
  }

  /** Every pingInterval: drop a socket that never connected or missed the last ping, else ping it again. */
  private async tick(): Promise<void> {
    const ws = this.socket();
    if (!ws) {
      // The socket vanished without a close event (the object was reset): tell the hub it is gone.
      const userId = await this.ctx.storage.get<string>("userId");
      if (userId) await this.hub(userId).detach(this.ctx.id.toString());
      return this.ctx.storage.deleteAll();
    }
    const state = this.attachment(ws);
    const now = Date.now();
    if (!state.userId) return this.drop(ws, 4001, "no Socket.IO CONNECT in time");
    const lastPong = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    if (state.pingSentAt !== null && lastPong < state.pingSentAt) return this.drop(ws, 4002, "ping timeout");
    ws.send(PING_FRAME);
    ws.serializeAttachment({ ...state, pingSentAt: now });
    await this.ctx.storage.setAlarm(now + this.config.socket.pingIntervalMs);
  }

  private async receive(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    if (!this.takeToken()) {
      const { event, ackId } = peekEvent(frame);
      return this.refuse(ws, event, "RATE_LIMITED", `more than ${this.config.socket.eventsPerSecond} events per second; slow down`, ackId);
    }
    const { maxPayloadBytes } = this.config.socket;
    if (typeof frame === "string" && frame.length > maxPayloadBytes / 4 && new TextEncoder().encode(frame).length > maxPayloadBytes) {
      const { event, ackId } = peekEvent(frame);
      return this.refuse(ws, event, "PAYLOAD_TOO_LARGE", `frames are limited to ${maxPayloadBytes} bytes`, ackId);
    }
    let packet: SocketPacket;
    try {
      const engine = decodeEnginePacket(frame, Number.MAX_SAFE_INTEGER);
      if (engine.type === "close") return this.drop(ws, 1000, "client closed");
      if (engine.type === "pong" || engine.type === "noop") return;
      if (engine.type !== "message") throw new EngineProtocolError(`unexpected Engine.IO ${engine.type} packet`);
      packet = decodeSocketPacket(engine.data ?? "");
    } catch (error) {
      if (error instanceof EngineProtocolError || error instanceof SocketProtocolError) {
        const { event, ackId } = peekEvent(frame);
        return this.refuse(ws, event, "VALIDATION_FAILED", error.message, ackId);
      }
      throw error;
    }
    if (packet.nsp !== "/") {
      if (packet.type === "CONNECT") return ws.send(connectErrorFrame("Invalid namespace", packet.nsp));
      return this.refuse(ws, eventName(packet), "NOT_FOUND", `namespace ${packet.nsp} does not exist; only "/" is served`, packet.id);
    }
    switch (packet.type) {
      case "CONNECT":
        return this.handshake(ws, packet.data as Record<string, unknown> | undefined);
      case "EVENT":
        return this.event(ws, packet);
      case "DISCONNECT":
        return this.drop(ws, 1000, "client disconnected");
      case "ACK":
        return; // The server never emits with an ack, so there is nothing to match; a stray ack is harmless.
      default:
        return this.refuse(ws, eventName(packet), "VALIDATION_FAILED", `${packet.type} packets are not supported (binary data cannot be sent)`, packet.id);
    }
  }

  private async handshake(ws: WebSocket, auth: Record<string, unknown> | undefined): Promise<void> {
    const state = this.attachment(ws);
    if (state.userId && state.socketSid) return ws.send(connectFrame(state.socketSid));
    const offered = auth?.token ?? state.queryToken ?? state.headerToken;
    const token = typeof offered === "string" ? offered.replace(/^Bearer\s+/i, "").trim() : "";
    if (!token) return ws.send(connectErrorFrame(AUTH_MESSAGES.missing));
    let userId: string;
    try {
      userId = (await verifyAccessToken(this.config.jwt, token)).sub;
    } catch (error) {
      if (!(error instanceof AccessTokenError)) throw error;
      return ws.send(connectErrorFrame(error.reason === "payload" ? AUTH_MESSAGES.payload : AUTH_MESSAGES.invalid));
    }
    const connectionId = this.ctx.id.toString();
    const socketSid = randomToken(15);
    // Known before the hub is told: pushes may reach this socket as soon as it is attached (the client
    // buffers events that arrive before its CONNECT answer), and the alarm can detach it if the object resets.
    ws.serializeAttachment({ ...state, userId, socketSid, queryToken: null, headerToken: null } satisfies Attachment);
    await this.ctx.storage.put("userId", userId);
    try {
      await this.hub(userId).attach(connectionId, userId);
    } catch (error) {
      log("error", "socket registration failed", { userId, connectionId, error: String(error) });
      ws.serializeAttachment({ ...state, userId: null, socketSid: null } satisfies Attachment);
      await this.ctx.storage.delete("userId");
      return ws.send(connectErrorFrame("Connection failed - try again"));
    }
    ws.send(connectFrame(socketSid));
    log("info", "socket connected", { userId, connectionId });
  }

  private async event(ws: WebSocket, packet: SocketPacket): Promise<void> {
    const [name, ...args] = packet.data as [string, ...unknown[]];
    const userId = this.attachment(ws).userId;
    if (!userId) return this.refuse(ws, name, "UNAUTHORIZED", "connect with a valid token before emitting events", packet.id);
    const handler = Object.hasOwn(eventHandlers, name) ? eventHandlers[name] : undefined;
    if (!handler) return this.refuse(ws, name, "NOT_FOUND", `unknown event "${name}"`, packet.id);
    const ctx: EventContext = {
      deps: { env: this.env, db: createDb(this.env.DB), config: this.config },
      userId,
      connectionId: this.ctx.id.toString(),
      hub: this.hub(userId),
      emit: (event, data) => ws.send(eventFrame(event, data)),
    };
    let outcome;
    try {
      outcome = await handler(ctx, args);
    } catch (error) {
      if (error instanceof ApiError) return this.refuse(ws, name, error.code, errorMessage(error), packet.id);
      log("error", "socket event failed", { event: name, userId, error: String(error) });
      return this.refuse(ws, name, "INTERNAL", "the event could not be handled; try again", packet.id);
    }
    if (packet.id !== undefined) ws.send(ackFrame(packet.id, outcome.ack));
    try {
      await outcome.after?.();
    } catch (error) {
      // The event itself succeeded; telling the room can fail only if the user left the conversation meanwhile.
      if (!(error instanceof ApiError)) log("error", "socket event announcement failed", { event: name, userId, error: String(error) });
    }
  }

  /** A refused event answers `error` (and the ack, if one was asked for) and keeps the socket open. */
  private refuse(ws: WebSocket, event: string | null, code: string, message: string, ackId?: number): void {
    ws.send(eventFrame("error", { event, code, message }));
    if (ackId !== undefined) ws.send(ackFrame(ackId, { error: { code, message } }));
  }

  /** Runs `task` after every earlier frame and close of this connection has been handled. */
  private inOrder(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((error) => log("error", "socket frame failed", { error: String(error) }));
    return run.catch(() => undefined);
  }

  private async drop(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
    await this.shutDown(ws);
  }

  private async shutDown(ws: WebSocket): Promise<void> {
    const { userId } = this.attachment(ws);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (userId) await this.hub(userId).detach(this.ctx.id.toString());
  }

  private takeToken(): boolean {
    const now = Date.now();
    const rate = this.config.socket.eventsPerSecond;
    this.tokens = Math.min(rate * 2, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private socket(): WebSocket | undefined {
    return this.ctx.getWebSockets()[0];
  }

  private attachment(ws: WebSocket): Attachment {
    return ws.deserializeAttachment() as Attachment;
  }

  private hub(userId: string) {
    return this.env.USER_HUBS.get(this.env.USER_HUBS.idFromName(userId));
  }
}

const eventName = (packet: SocketPacket): string | null =>
  Array.isArray(packet.data) && typeof packet.data[0] === "string" ? packet.data[0] : null;

/** The event name and ack id of a frame refused before it could be decoded (too large, rate limited, malformed). */
function peekEvent(frame: string | ArrayBuffer): { event: string | null; ackId?: number } {
  const match = typeof frame === "string" ? /^42(\d{1,15})?\["((?:[^"\\]|\\.){1,100})"/.exec(frame.slice(0, 160)) : null;
  if (!match) return { event: null };
  return { event: match[2]!, ...(match[1] ? { ackId: Number(match[1]) } : {}) };
}

function errorMessage(error: ApiError): string {
  const fields = error.extras.errors?.map((e) => `${e.path}: ${e.message}`).join("; ");
  return fields ? `${error.message} (${fields})` : error.message;
}
