// The reference for the real-time benchmark: the npm `socket.io` server (4.8.4) speaking the same events as
// Lightbox for a fan-out, with in-memory rooms and no persistence. It runs in a child process of its own
// (startReferenceServer), so its event loop is not the one the benchmark's 50 clients measure with.
//
// Child side (this file run by fork): listens on 127.0.0.1, port 0, then waits for the parent's set-up
// message { tokens: { [token]: userId }, conversations: { [id]: userIds[] } } and answers { ready, port }.
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

const isChild = process.argv[2] === "--serve";

// ─── parent side ───────────────────────────────────────────────────────────────────────────────────────────

const children = new Set();
let exitHookInstalled = false;

/** Forks the reference server and hands it the users and conversations; resolves with { url, pid, stop }. */
export async function startReferenceServer({ tokens, conversations, timeoutMs = 20_000 }) {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort (process.exit elsewhere, a signal handler in servers.mjs): the child also exits on its own
    // when its IPC channel closes, so this only covers a parent that is still alive but leaving.
    process.once("exit", () => {
      for (const child of children) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    });
  }
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.add(child);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
  };
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reference server did not start within ${timeoutMs} ms`)), timeoutMs);
      child.once("exit", (code, signal) => reject(new Error(`reference server exited (${code ?? signal}) before it was ready`)));
      child.on("message", (message) => {
        if (message?.listening) child.send({ tokens, conversations });
        if (message?.ready) {
          clearTimeout(timer);
          resolve(message.port);
        }
      });
    });
    return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ─── child side ────────────────────────────────────────────────────────────────────────────────────────────

async function serve() {
  const { Server } = await import("socket.io");
  let users = new Map(); // token → user id
  let members = new Map(); // conversation id → Set of user ids
  const httpServer = createServer();
  const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });

  io.use((socket, next) => {
    const userId = users.get(socket.handshake.auth?.token);
    if (!userId) return next(new Error("Authentication failed - invalid token"));
    socket.data.userId = userId;
    next();
  });

  io.on("connection", (socket) => {
    const { userId } = socket.data;
    const refuse = (event, message, ack) => {
      const error = { code: "NOT_FOUND", message };
      socket.emit("error", { event, ...error });
      if (typeof ack === "function") ack({ error });
    };
    socket.on("joinRoom", (arg, ack) => {
      const conversationId = typeof arg === "string" ? arg : arg?.conversationId;
      if (!members.get(conversationId)?.has(userId)) return refuse("joinRoom", "Conversation not found", ack);
      socket.join(conversationId);
      socket.emit("joinRoomSuccess", { conversationId });
      socket.to(conversationId).emit("userJoinRoom", { conversationId, userId });
      if (typeof ack === "function") ack({ conversationId });
    });
    socket.on("sendMessage", (arg, ack) => {
      const conversationId = arg?.conversationId;
      if (!members.get(conversationId)?.has(userId)) return refuse("sendMessage", "Conversation not found", ack);
      if (typeof arg.content !== "string" || !arg.content.trim()) return refuse("sendMessage", "content: must not be empty", ack);
      const message = { id: randomUUID(), conversationId, senderId: userId, content: arg.content.trim(), createdAt: new Date().toISOString(), editedAt: null };
      io.to(conversationId).emit("receiveMessage", message);
      if (typeof ack === "function") ack(message);
    });
  });

  process.on("message", (message) => {
    users = new Map(Object.entries(message.tokens));
    members = new Map(Object.entries(message.conversations).map(([id, userIds]) => [id, new Set(userIds)]));
    process.send({ ready: true, port: httpServer.address().port });
  });
  // The parent went away (crash, kill -9, Ctrl-C): nobody will stop this server, so it stops itself.
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => {
    io.close();
    process.exit(0);
  });
  httpServer.listen(0, "127.0.0.1", () => process.send({ listening: true }));
}

if (isChild) await serve();
