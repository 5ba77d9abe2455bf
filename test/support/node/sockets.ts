// Real socket.io-client connections to the Worker under `wrangler dev`, as frontends open them
// (`transports: ["websocket"]`), with a recorder of every event each socket receives.
import { io, type Socket } from "socket.io-client";
import { afterEach } from "vitest";
import { workerUrl } from "./api";

export type TokenPlacement = "auth" | "query" | "header";

export interface Recorded {
  event: string;
  data: unknown;
}

export interface TestSocket {
  socket: Socket;
  /** Every event received so far, in order. */
  events: Recorded[];
  /** Resolves with the data of the first received (past or future) `event` matching `match`; bounded. */
  next<T = any>(event: string, match?: (data: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Data of every received `event` matching `match`. */
  all<T = any>(event: string, match?: (data: T) => boolean): T[];
}

const open: Socket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) socket.disconnect();
});

/** Opens a socket without waiting for the Socket.IO connection (use `connected()` or `refused()`). */
export function openSocket(token: string | null, placement: TokenPlacement = "auth", path = "/"): TestSocket {
  const socket = io(`${workerUrl()}${path === "/" ? "" : path}`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 15_000,
    ...(token && placement === "auth" ? { auth: { token } } : {}),
    ...(token && placement === "query" ? { query: { token } } : {}),
    ...(token && placement === "header" ? { extraHeaders: { Authorization: `Bearer ${token}` } } : {}),
  });
  open.push(socket);
  const events: Recorded[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((event, data) => {
    events.push({ event, data });
    for (const wake of waiters) wake();
  });
  const all = <T>(event: string, match: (data: T) => boolean = () => true) =>
    events.filter((e) => e.event === event && match(e.data as T)).map((e) => e.data as T);
  const next = <T>(event: string, match: (data: T) => boolean = () => true, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = all<T>(event, match)[0];
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no "${event}" within ${timeoutMs} ms; received: ${JSON.stringify(events.map((e) => e.event))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) waiters.add(wake);
    });
  return { socket, events, next, all };
}

/** A socket whose Socket.IO connection was accepted. */
export async function connected(token: string, placement: TokenPlacement = "auth"): Promise<TestSocket> {
  const client = openSocket(token, placement);
  await new Promise<void>((resolve, reject) => {
    client.socket.once("connect", () => resolve());
    client.socket.once("connect_error", (error) => reject(new Error(`connect_error: ${error.message}`)));
  });
  return client;
}

/** The message of the `connect_error` a refused connection gets. */
export function refused(token: string | null, placement: TokenPlacement = "auth", path = "/"): Promise<string> {
  const client = openSocket(token, placement, path);
  return new Promise<string>((resolve, reject) => {
    client.socket.once("connect", () => reject(new Error("connected, expected a refusal")));
    client.socket.once("connect_error", (error) => resolve(error.message));
  });
}

/** Joins a room and waits for the server's confirmation. */
export async function join(client: TestSocket, conversationId: string): Promise<void> {
  client.socket.emit("joinRoom", conversationId);
  await client.next("joinRoomSuccess", (d: { conversationId: string }) => d.conversationId === conversationId);
}

/** Lets in-flight pushes arrive before asserting that something did NOT arrive. */
export const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));
