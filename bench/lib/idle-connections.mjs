// What idle Socket.IO connections cost a Worker under `wrangler dev`: many tabs connect, then nobody talks for
// a while. Measured on both workerd processes (memory, CPU), in the Worker's own log lines (hub wake-ups),
// and on the clients (server pings, disconnects); then one message must still reach every user.
import { randomUUID } from "node:crypto";
import { workerdPids } from "./memory.mjs";
import { countOutputLines, cpuMs, rssKiB, workerdRole } from "./proc-stats.mjs";
import { closeSockets, connectSockets, joinRoom, within } from "./socket-load.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const memoryOf = (pids) => pids.map(rssKiB);
const countOf = (values) => values.reduce((a, b) => a + b, 0);

/** Sends `content` from `sender` and times its arrival on each of `sockets`. */
async function messageAfterIdle(sender, sockets, conversationId) {
  const content = `after idle ${randomUUID()}`;
  const arrivals = [];
  const sent = performance.now();
  const received = Promise.all(
    sockets.map(
      (socket) =>
        new Promise((resolve) => {
          const onMessage = (message) => {
            if (message?.content !== content) return;
            arrivals.push(performance.now() - sent);
            socket.off("receiveMessage", onMessage);
            resolve();
          };
          socket.on("receiveMessage", onMessage);
        }),
    ),
  );
  const ack = await sender.timeout(30_000).emitWithAck("sendMessage", { conversationId, content });
  const ackMs = performance.now() - sent;
  if (ack?.content !== content) throw new Error(`sendMessage after the idle window: unexpected ack ${JSON.stringify(ack)}`);
  const allArrived = await within(received.then(() => true), 30_000, false);
  return { ackMs, allArrived, delivered: arrivals.length, expected: sockets.length, lastDeliveryMs: Math.max(...arrivals) };
}

/**
 * `users.length × tabs` sockets connect (20 handshakes at a time, tabs in user order 0, 1, …, 0, 1, …); the
 * first tab of each user joins `conversation`. After 5 s of settling, `idleSeconds` without client traffic.
 * Then user 0's first tab sends a message every user's first tab must receive, and every socket closes.
 *
 * Returns the figures, per workerd process and summed, and `problems` (empty when every socket stayed
 * connected and the message reached every user).
 */
export async function measureIdleConnections(app, { users, conversation, tabs, idleSeconds, pingIntervalMs, log = console.error }) {
  const hubStarts = countOutputLines(app, /"msg":"user hub started"/);
  const total = users.length * tabs;
  let sockets = [];
  try {
    const pids = workerdPids(app.pid);
    await sleep(3_000); // registration and the conversation settle
    const before = memoryOf(pids);

    const tokens = Array.from({ length: total }, (_, i) => users[i % users.length].token);
    const pings = new Uint32Array(total);
    const disconnects = [];
    const connectStarted = performance.now();
    sockets = await connectSockets(app.url, tokens, {
      concurrency: 20,
      timeoutMs: 60_000,
      onConnected: (i, socket) => {
        socket.io.on("ping", () => pings[i]++);
        socket.on("disconnect", (reason) => disconnects.push({ socket: i, user: i % users.length, reason, at: new Date().toISOString() }));
        if ((i + 1) % 200 === 0) log(`  ${i + 1} connected`);
      },
    });
    const connectMs = performance.now() - connectStarted;
    log(`  ${sockets.length} sockets connected in ${(connectMs / 1000).toFixed(1)} s`);
    // One tab of each user joins the conversation, so that a message after the window has a room to reach.
    const joined = sockets.slice(0, users.length);
    await Promise.all(joined.map((socket) => joinRoom(socket, conversation.id)));
    await sleep(5_000);
    const connected = memoryOf(pids);

    const hubStartsBefore = hubStarts.count;
    const pingsAtStart = Uint32Array.from(pings);
    const cpuBefore = pids.map(cpuMs);
    const windowStarted = performance.now();
    log(`  idle for ${idleSeconds} s (ping interval ${pingIntervalMs} ms)`);
    await sleep(idleSeconds * 1000);
    const cpuAfter = pids.map(cpuMs);
    const windowMs = performance.now() - windowStarted;
    const idle = memoryOf(pids);
    const hubStartsDuringWindow = hubStarts.count - hubStartsBefore;
    const pingsPerSocket = pings.map((count, i) => count - pingsAtStart[i]).sort();
    const pingsDuringWindow = countOf(pingsPerSocket);
    const stillConnected = sockets.filter((s) => s.connected).length;
    log(`  after the window: ${stillConnected}/${sockets.length} connected, ${pingsDuringWindow} pings received, ${hubStartsDuringWindow} hub starts`);

    // Every user's hub must wake (or still be there) and reach that user's joined tab.
    const wakeHubsBefore = hubStarts.count;
    const wake = await messageAfterIdle(joined[0], joined, conversation.id);
    await sleep(1_000); // the hubs' start lines reach us
    wake.hubStarts = hubStarts.count - wakeHubsBefore;
    log(`  wake: ack ${wake.ackMs.toFixed(1)} ms, ${wake.delivered}/${wake.expected} tabs reached, last after ${wake.lastDeliveryMs.toFixed(1)} ms, ${wake.hubStarts} hub starts`);
    const stillConnectedAfterWake = sockets.filter((s) => s.connected).length;
    const dropped = [...disconnects]; // before our own closes add theirs

    // What workerd gives back once every connection's object and hub have forgotten it.
    closeSockets(sockets);
    await sleep(10_000);
    const closed = memoryOf(pids);

    const processes = pids.map((pid, i) => ({
      pid,
      role: workerdRole(pid),
      rssBeforeKiB: before[i],
      rssConnectedKiB: connected[i],
      rssAfterIdleKiB: idle[i],
      rssClosedKiB: closed[i],
      cpuIdleMs: cpuAfter[i] - cpuBefore[i],
    }));
    const sum = (key) => countOf(processes.map((p) => p[key]));
    const problems = [];
    if (stillConnected !== total || stillConnectedAfterWake !== total) problems.push(`${total - stillConnectedAfterWake} sockets disconnected (${JSON.stringify(dropped.slice(0, 3))})`);
    if (!wake.allArrived) problems.push(`the message after the idle window reached ${wake.delivered} of ${wake.expected} users' tabs`);
    return {
      users: users.length,
      tabsPerUser: tabs,
      connections: total,
      connectMs,
      windowMs,
      pingIntervalMs,
      processes,
      rssBeforeKiB: sum("rssBeforeKiB"),
      rssConnectedKiB: sum("rssConnectedKiB"),
      rssAfterIdleKiB: sum("rssAfterIdleKiB"),
      rssClosedKiB: sum("rssClosedKiB"),
      perConnectionKiB: (sum("rssConnectedKiB") - sum("rssBeforeKiB")) / total,
      cpuIdleMs: sum("cpuIdleMs"),
      pingsDuringWindow,
      expectedPings: Math.floor(windowMs / pingIntervalMs) * total,
      cpuMsPerPing: sum("cpuIdleMs") / Math.max(1, pingsDuringWindow),
      pingsPerSocket: { min: pingsPerSocket[0], median: pingsPerSocket[total >> 1], max: pingsPerSocket[total - 1] },
      hubStartsBeforeWindow: hubStartsBefore,
      hubStartsDuringWindow,
      stillConnected,
      stillConnectedAfterWake,
      disconnects: dropped,
      wake,
      problems,
    };
  } finally {
    hubStarts.stop();
    if (sockets.some((s) => s.connected)) {
      closeSockets(sockets);
      await sleep(2_000); // the close frames go out before wrangler is stopped
    }
  }
}
