// Socket.IO load for the real-time benchmark, with the official socket.io-client exactly as a frontend uses
// it: one function for Lightbox and for the reference server, parametrized by origin and tokens.
//   connectSockets  open N authenticated sockets (a few at a time), resolve once every one is connected
//   joinRoom        emit joinRoom and wait for joinRoomSuccess
//   fanoutRound     the closed-loop fan-out: one sender, every socket in the room, every delivery timed
//   percentile, closeSockets, within (a race against a timer that does not outlive it)
import { io } from "socket.io-client";

/** Resolves with `promise`'s value, or with `fallback` after `ms` (the timer does not outlive the race). */
export function within(promise, ms, fallback) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms, fallback)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentile of an ascending array (or typed array). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** One socket, connected and authenticated (CONNECT accepted), or a rejection with the server's reason. */
export function connectSocket(origin, token, { timeoutMs = 20_000 } = {}) {
  // forceNew: every call is its own connection, as each browser tab is (socket.io-client would otherwise
  // multiplex sockets of one origin over a shared Manager).
  const socket = io(origin, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`socket to ${origin} not connected within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(new Error(`connect_error from ${origin}: ${error.message}`));
    });
  });
}

/** Connects one socket per token, `concurrency` handshakes at a time; on any failure closes those opened. */
export async function connectSockets(origin, tokens, { concurrency = 10, timeoutMs, onConnected } = {}) {
  const sockets = new Array(tokens.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, tokens.length) }, async () => {
        while (next < tokens.length) {
          const i = next++;
          sockets[i] = await connectSocket(origin, tokens[i], { timeoutMs });
          onConnected?.(i, sockets[i]);
        }
      }),
    );
  } catch (error) {
    closeSockets(sockets.filter(Boolean));
    throw error;
  }
  return sockets;
}

export function closeSockets(sockets) {
  for (const socket of sockets) socket?.disconnect();
}

/** joinRoom, resolved by the matching joinRoomSuccess; an `error` event for joinRoom rejects. */
export function joinRoom(socket, conversationId, { timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    const done = (fn, value) => {
      clearTimeout(timer);
      socket.off("joinRoomSuccess", onSuccess);
      socket.off("error", onError);
      fn(value);
    };
    const onSuccess = (data) => data?.conversationId === conversationId && done(resolve, data);
    const onError = (data) => data?.event === "joinRoom" && done(reject, new Error(`joinRoom refused: ${JSON.stringify(data)}`));
    const timer = setTimeout(() => done(reject, new Error(`no joinRoomSuccess within ${timeoutMs} ms`)), timeoutMs);
    socket.on("joinRoomSuccess", onSuccess);
    socket.on("error", onError);
    socket.emit("joinRoom", conversationId);
  });
}

/**
 * One fan-out round. Every token gets one socket, which joins `conversationId`; the first token's socket then
 * sends `messages` messages with emitWithAck, each only after the previous ack (a closed loop: the latency
 * measured is a message's, not a queue's). Every receiveMessage is timed against its message's send time
 * (messages carry `<tag> #<seq>`), and every message must reach every socket exactly once, or this throws.
 * With `awaitDeliveries`, each message is sent only once the previous one reached every socket (a diagnostic:
 * nothing of one message's fan-out is still in flight when the next is sent).
 *
 * Returns { deliveries, acks, firsts, lasts (ascending ms: every delivery, every ack, and per message its first
 * and last delivery), totalMs, messagesPerSec, outOfOrder, setupMs }.
 */
export async function fanoutRound({ origin, tokens, conversationId, messages, tag, awaitDeliveries = false, ackTimeoutMs = 30_000, drainTimeoutMs = 30_000 }) {
  const setupStarted = performance.now();
  const sockets = await connectSockets(origin, tokens);
  const n = sockets.length;
  const sentAt = new Float64Array(messages).fill(NaN);
  const received = Array.from({ length: n }, () => new Uint16Array(messages));
  const lastSeq = new Int32Array(n).fill(-1);
  const deliveries = new Float64Array(messages * n);
  const firsts = new Float64Array(messages).fill(Infinity);
  const lasts = new Float64Array(messages).fill(-Infinity);
  const perMessage = new Uint16Array(messages);
  let messageDone = null; // resolves when the awaited message reached every socket
  const problems = { stray: 0, duplicates: 0, errors: [], disconnects: [] };
  let delivered = 0;
  let outOfOrder = 0;
  let lastDeliveryAt = 0;
  let allDelivered;
  const everything = new Promise((resolve) => (allDelivered = resolve));
  const pattern = /^(\S+) #(\d+)$/;
  try {
    sockets.forEach((socket, i) => {
      socket.on("receiveMessage", (message) => {
        const now = performance.now();
        const match = pattern.exec(message?.content ?? "");
        const seq = match && match[1] === tag ? Number(match[2]) : -1;
        if (seq < 0 || seq >= messages || Number.isNaN(sentAt[seq])) return void problems.stray++;
        if (received[i][seq]++ > 0) return void problems.duplicates++;
        if (seq < lastSeq[i]) outOfOrder++;
        lastSeq[i] = seq;
        const latency = now - sentAt[seq];
        deliveries[delivered++] = latency;
        firsts[seq] = Math.min(firsts[seq], latency);
        lasts[seq] = Math.max(lasts[seq], latency);
        if (++perMessage[seq] === n && messageDone?.seq === seq) messageDone.resolve();
        lastDeliveryAt = now;
        if (delivered === messages * n) allDelivered();
      });
      socket.on("error", (data) => problems.errors.push({ socket: i, data }));
      socket.on("disconnect", (reason) => problems.disconnects.push({ socket: i, reason }));
    });
    await Promise.all(sockets.map((socket) => joinRoom(socket, conversationId)));
    const setupMs = performance.now() - setupStarted;

    const sender = sockets[0];
    const acks = new Float64Array(messages);
    const started = performance.now();
    for (let seq = 0; seq < messages; seq++) {
      const content = `${tag} #${seq}`;
      const reachedAll = awaitDeliveries ? new Promise((resolve) => (messageDone = { seq, resolve })) : null;
      sentAt[seq] = performance.now();
      const ack = await sender.timeout(ackTimeoutMs).emitWithAck("sendMessage", { conversationId, content });
      acks[seq] = performance.now() - sentAt[seq];
      if (ack?.error || ack?.content !== content || !ack?.id) throw new Error(`sendMessage #${seq}: unexpected ack ${JSON.stringify(ack)}`);
      if (problems.disconnects.length) throw new Error(`sockets disconnected mid-round: ${JSON.stringify(problems.disconnects.slice(0, 5))}`);
      if (reachedAll && !(await within(reachedAll.then(() => true), drainTimeoutMs, false))) throw new Error(`message #${seq} did not reach every socket`);
    }
    const acked = performance.now();
    await within(everything, drainTimeoutMs);

    const missing = [];
    for (let i = 0; i < n; i++) {
      for (let seq = 0; seq < messages; seq++) if (received[i][seq] === 0) missing.push([i, seq]);
    }
    if (missing.length || problems.duplicates || problems.stray || problems.errors.length || problems.disconnects.length) {
      const sample = missing.slice(0, 10).map(([i, seq]) => `socket ${i} #${seq}`).join(", ");
      throw new Error(
        `fan-out to ${origin} incomplete: ${delivered}/${messages * n} delivered once; ${missing.length} missing (${sample}), ` +
          `${problems.duplicates} duplicates, ${problems.stray} stray, errors ${JSON.stringify(problems.errors.slice(0, 3))}, ` +
          `disconnects ${JSON.stringify(problems.disconnects.slice(0, 3))}`,
      );
    }
    const totalMs = lastDeliveryAt - started;
    return {
      sockets: n,
      messages,
      deliveries: deliveries.sort(),
      acks: acks.sort(),
      firsts: firsts.sort(),
      lasts: lasts.sort(),
      totalMs,
      sendMs: acked - started,
      messagesPerSec: (messages * 1000) / totalMs,
      outOfOrder,
      setupMs,
    };
  } finally {
    closeSockets(sockets);
  }
}
