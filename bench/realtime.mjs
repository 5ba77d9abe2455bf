// `npm run bench:realtime [-- --rounds 3 --messages 500 --participants 50 --warmup 50 --idle-users 20
//   --idle-tabs 50 --idle-seconds 60 --ping-interval 10000 --only fanout|idle --await-deliveries --live --out FILE]`
// Real time, with the official socket.io-client: (1) fan-out of a 50-participant conversation, one socket each,
// 500 messages from one sender in a closed loop, against Lightbox under `wrangler dev` and against the npm
// `socket.io` reference server (in-memory, in a child process), rounds alternating; (2) 1,000 idle Lightbox
// connections: memory, CPU and hub wake-ups while hibernated. Markdown on stdout and in
// bench/results/realtime-latest.md, figures in bench/results/realtime-<timestamp>.json. See bench/README.md.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createReport, fmtMs, markdownTableRows, median, projectRoot, request, runningGroups, snapshotSources, startApp, stopAll, stopWorker } from "./lib.mjs";
import { measureIdleConnections } from "./lib/idle-connections.mjs";
import { createConversation, registerUsers } from "./lib/seed-realtime.mjs";
import { fanoutRound, percentile } from "./lib/socket-load.mjs";
import { startReferenceServer } from "./lib/socket-reference-server.mjs";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    messages: { type: "string", default: "500" },
    participants: { type: "string", default: "50" },
    // Messages per target sent once before the first round, untimed (cold Durable Objects, JIT).
    warmup: { type: "string", default: "50" },
    "idle-users": { type: "string", default: "20" },
    "idle-tabs": { type: "string", default: "50" },
    "idle-seconds": { type: "string", default: "60" },
    "ping-interval": { type: "string", default: "10000" },
    // Diagnostic: send each message only once the previous one reached every socket (not a closed loop on acks).
    "await-deliveries": { type: "boolean", default: false },
    // Run one part only: "fanout" or "idle".
    only: { type: "string" },
    live: { type: "boolean", default: false },
    out: { type: "string", default: join(projectRoot, "bench", "results", "realtime-latest.md") },
  },
});
const [rounds, messages, participants, warmup, idleUsers, idleTabs, idleSeconds, pingIntervalMs] = [
  "rounds", "messages", "participants", "warmup", "idle-users", "idle-tabs", "idle-seconds", "ping-interval",
].map((k) => Number(args[k]));
if (args.only && !["fanout", "idle"].includes(args.only)) throw new Error('--only must be "fanout" or "idle"');
if (!(participants >= 2 && messages >= 1 && rounds >= 1)) throw new Error("--participants ≥ 2, --messages ≥ 1 and --rounds ≥ 1");
const idleConnections = idleUsers * idleTabs;
const P99_RATIO_GOAL = 3;
const log = (...parts) => console.error(...parts);
const loadAtStart = loadavg()[0];
const startedAt = new Date();
const report = createReport({ log });
const { section } = report;
const found = {}; // everything the JSON file records

// The default of 20 events/s per connection stops floods; a benchmark sender is one, so it is raised here.
// Tokens live an hour so that none expires while a long run still uses it.
const FANOUT_VARS = { SOCKET_EVENTS_PER_SECOND: "1000", ACCESS_TOKEN_TTL_SECONDS: "3600" };
const IDLE_VARS = { SOCKET_PING_INTERVAL_MS: String(pingIntervalMs), SOCKET_PING_TIMEOUT_MS: String(pingIntervalMs), ACCESS_TOKEN_TTL_SECONDS: "3600" };

/** On a failure, what wrangler printed last: the Worker's own error lines are usually the explanation. */
function logOutputTail(app, error) {
  log(`  ${error.message.split("\n")[0]}\n  wrangler's last output:\n${app.output().slice(-4000)}`);
}

// ─── fan-out ────────────────────────────────────────────────────────────────────────────────────────────────

const summarize = (r) => ({
  p50: percentile(r.deliveries, 50),
  p99: percentile(r.deliveries, 99),
  max: r.deliveries[r.deliveries.length - 1],
  ackP50: percentile(r.acks, 50),
  ackP99: percentile(r.acks, 99),
  firstP50: percentile(r.firsts, 50),
  lastP50: percentile(r.lasts, 50),
  lastP99: percentile(r.lasts, 99),
  messagesPerSec: r.messagesPerSec,
  totalMs: r.totalMs,
  deliveries: r.deliveries.length,
  outOfOrder: r.outOfOrder,
  setupMs: r.setupMs,
});

async function fanoutSection(source) {
  log(`\n  starting Lightbox (wrangler dev, ${Object.entries(FANOUT_VARS).map(([k, v]) => `${k}=${v}`).join(", ")})`);
  const app = await startApp({ config: source.config, vars: FANOUT_VARS });
  let reference;
  try {
    log(`  Lightbox ${app.url} (process group ${app.pid}); registering ${participants} users`);
    const users = await registerUsers(app.url, participants, "fanout");
    const conversation = await createConversation(app.url, users[0], users.slice(1), "Fan-out bench");
    if (conversation.participants.length !== participants) throw new Error(`conversation has ${conversation.participants.length} participants, expected ${participants}`);
    // The reference knows the same users and conversation, authenticated by opaque tokens of its own.
    const refTokens = users.map(() => `ref-${randomUUID()}`);
    reference = await startReferenceServer({
      tokens: Object.fromEntries(refTokens.map((token, i) => [token, users[i].id])),
      conversations: { [conversation.id]: users.map((u) => u.id) },
    });
    log(`  reference socket.io ${reference.url} (pid ${reference.pid})`);
    const targets = {
      lightbox: { origin: app.url, tokens: users.map((u) => u.token) },
      reference: { origin: reference.url, tokens: refTokens },
    };
    const run = async (name, tag, count) => {
      const result = await fanoutRound({ ...targets[name], conversationId: conversation.id, messages: count, tag, awaitDeliveries: args["await-deliveries"] });
      if (name === "lightbox") {
        // Every acked message is stored: the conversation's newest message is the last one sent.
        const stored = await request(app.url, "GET", `/api/conversations/${conversation.id}`, { headers: { authorization: `Bearer ${users[0].token}` } });
        if (stored.lastMessage?.content !== `${tag} #${count - 1}`) throw new Error(`Lightbox's lastMessage is ${JSON.stringify(stored.lastMessage)}, expected "${tag} #${count - 1}"`);
      }
      return result;
    };
    if (warmup > 0) {
      for (const name of Object.keys(targets)) {
        const r = await run(name, `warmup-${name}`, warmup);
        log(`  warm-up ${name}: ${warmup} messages, delivery p50 ${fmtMs(percentile(r.deliveries, 50))} ms`);
      }
    }
    const perRound = { lightbox: [], reference: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const name of ["lightbox", "reference"]) {
        const s = summarize(await run(name, `r${round}-${name}`, messages));
        perRound[name].push(s);
        log(
          `  round ${round} ${name.padEnd(9)}: delivery p50 ${fmtMs(s.p50)} / p99 ${fmtMs(s.p99)} ms, ack p50 ${fmtMs(s.ackP50)} / p99 ${fmtMs(s.ackP99)} ms, first/all sockets p50 ${fmtMs(s.firstP50)}/${fmtMs(s.lastP50)} ms, ` +
            `${s.messagesPerSec.toFixed(1)} msg/s, ${s.deliveries} deliveries, ${s.outOfOrder} out of order`,
        );
      }
    }
    const med = (name, key) => median(perRound[name].map((s) => s[key]));
    const ratioP99 = median(perRound.lightbox.map((s, i) => s.p99 / perRound.reference[i].p99));
    const ratioP50 = median(perRound.lightbox.map((s, i) => s.p50 / perRound.reference[i].p50));
    const keys = ["p50", "p99", "max", "ackP50", "ackP99", "firstP50", "lastP50", "lastP99", "messagesPerSec", "totalMs", "outOfOrder"];
    found.fanout = {
      participants,
      messages,
      rounds,
      warmup,
      conversationId: conversation.id,
      lightboxVars: FANOUT_VARS,
      medians: Object.fromEntries(["lightbox", "reference"].map((name) => [name, Object.fromEntries(keys.map((k) => [k, med(name, k)]))])),
      perRound,
      p99Ratio: ratioP99,
      p50Ratio: ratioP50,
      p99RatioGoal: P99_RATIO_GOAL,
      p99RatioMet: ratioP99 <= P99_RATIO_GOAL,
    };
    const row = (name, label) => [
      label,
      fmtMs(med(name, "p50")),
      fmtMs(med(name, "p99")),
      fmtMs(med(name, "ackP50")),
      fmtMs(med(name, "ackP99")),
      fmtMs(med(name, "firstP50")),
      fmtMs(med(name, "lastP50")),
      med(name, "messagesPerSec").toFixed(1),
      `${(messages * participants).toLocaleString("en-US")} × ${rounds}, exactly once`,
    ];
    return [
      markdownTableRows(
        ["Target", "delivery p50 ms", "delivery p99 ms", "ack p50 ms", "ack p99 ms", "first socket p50 ms", `all ${participants} sockets p50 ms`, "messages/s", "deliveries"],
        [row("lightbox", "Lightbox (wrangler dev, every message stored in D1)"), row("reference", "socket.io 4.8.4 reference (in memory)")],
      ),
      "",
      `Lightbox p99 / reference p99: **${ratioP99.toFixed(2)}×** (goal ≤ ${P99_RATIO_GOAL}×: ${ratioP99 <= P99_RATIO_GOAL ? "met" : "**not met**"}); ` +
        `p50 ratio ${ratioP50.toFixed(2)}×. Medians of ${rounds} rounds (ratios taken within each round).`,
      "",
      "Per round:",
      "",
      markdownTableRows(
        ["Round", "Target", "delivery p50", "delivery p99", "max", "ack p50", "ack p99", "messages/s", "out of order"],
        perRound.lightbox.flatMap((l, i) =>
          [["lightbox", l], ["reference", perRound.reference[i]]].map(([name, s]) => [
            String(i + 1), name, fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max), fmtMs(s.ackP50), fmtMs(s.ackP99), s.messagesPerSec.toFixed(1), String(s.outOfOrder),
          ]),
        ),
      ),
    ].join("\n");
  } catch (error) {
    logOutputTail(app, error);
    throw error;
  } finally {
    await reference?.stop();
    await stopWorker(app);
  }
}

// ─── idle connections ───────────────────────────────────────────────────────────────────────────────────────

const mib = (kib) => (kib / 1024).toFixed(1);

async function idleSection(source) {
  log(`\n  starting Lightbox (wrangler dev, ${Object.entries(IDLE_VARS).map(([k, v]) => `${k}=${v}`).join(", ")})`);
  const app = await startApp({ config: source.config, vars: IDLE_VARS });
  try {
    log(`  Lightbox ${app.url} (process group ${app.pid}); registering ${idleUsers} users`);
    const users = await registerUsers(app.url, idleUsers, "idle");
    const conversation = await createConversation(app.url, users[0], users.slice(1), "Idle bench");
    const i = await measureIdleConnections(app, { users, conversation, tabs: idleTabs, idleSeconds, pingIntervalMs, log });
    found.idle = { ...i, lightboxVars: IDLE_VARS };
    if (i.problems.length) throw new Error(i.problems.join("; "));
    const perConnection = (p) => `${((p.rssConnectedKiB - p.rssBeforeKiB) / i.connections).toFixed(0)} KiB`;
    const rows = i.processes.map((p) => [`workerd ${p.pid}: ${p.role}`, mib(p.rssBeforeKiB), mib(p.rssConnectedKiB), mib(p.rssAfterIdleKiB), mib(p.rssClosedKiB), perConnection(p), p.cpuIdleMs.toFixed(0)]);
    rows.push(["**both**", mib(i.rssBeforeKiB), mib(i.rssConnectedKiB), mib(i.rssAfterIdleKiB), mib(i.rssClosedKiB), `${i.perConnectionKiB.toFixed(0)} KiB`, i.cpuIdleMs.toFixed(0)]);
    const runtime = i.processes.find((p) => p.role === "Worker runtime");
    const n = (v) => v.toLocaleString("en-US");
    return [
      markdownTableRows(
        ["Process", "RSS before MiB", `RSS with ${n(i.connections)} connected MiB`, `RSS after ${idleSeconds} s idle MiB`, "RSS 10 s after closing MiB", "per connection", `CPU ms in the ${idleSeconds} s window`],
        rows,
      ),
      "",
      `- ${n(i.connections)} sockets (${idleUsers} users × ${idleTabs} tabs) connected in ${(i.connectMs / 1000).toFixed(1)} s ` +
        `(${((1000 * i.connections) / i.connectMs).toFixed(0)}/s, 20 handshakes at a time); workerd memory per connection ` +
        `((connected − before) / ${n(i.connections)}): **${i.perConnectionKiB.toFixed(0)} KiB**${runtime ? `, of which ${perConnection(runtime)} in the Worker runtime` : ""}.`,
      `- Idle window ${(i.windowMs / 1000).toFixed(1)} s, ping interval ${pingIntervalMs} ms: **${i.cpuIdleMs.toFixed(0)} CPU ms** in workerd ` +
        `(${((100 * i.cpuIdleMs) / i.windowMs).toFixed(1)} % of one core), ${n(i.pingsDuringWindow)} server pings received ` +
        `(${n(i.expectedPings)} expected; per socket ${i.pingsPerSocket.min}–${i.pingsPerSocket.max}, median ${i.pingsPerSocket.median}): ` +
        `${i.cpuMsPerPing.toFixed(3)} CPU ms per ping.`,
      `- "user hub started" lines during the window: **${i.hubStartsDuringWindow}** (${i.hubStartsBeforeWindow} before it, while connecting).`,
      `- After the window: **${n(i.stillConnected)} / ${n(i.connections)} still connected**, ${i.disconnects.length} disconnect events ` +
        `(${n(i.stillConnectedAfterWake)} still connected after the message below).`,
      `- A message sent after the window (sendMessage from user 0's first tab): ack in ${i.wake.ackMs.toFixed(1)} ms, ` +
        `reached ${i.wake.delivered} / ${i.wake.expected} joined tabs (one per user), the last after ${i.wake.lastDeliveryMs.toFixed(1)} ms; ` +
        `${i.wake.hubStarts} "user hub started" lines while it was delivered.`,
    ].join("\n");
  } catch (error) {
    logOutputTail(app, error);
    throw error;
  } finally {
    await stopWorker(app);
  }
}

await report.run(
  async () => {
    const source = args.live ? { dir: projectRoot, config: "wrangler.toml" } : await snapshotSources();
    log(args.live ? "serving the working tree (--live)" : `sources snapshot: ${source.dir}`);
    if (args.only !== "idle") await section(`Fan-out: ${participants} participants, ${messages} messages from one sender (median of ${rounds} rounds)`, () => fanoutSection(source));
    if (args.only !== "fanout" && idleConnections > 0) await section(`${idleConnections.toLocaleString("en-US")} idle connections while hibernated`, () => idleSection(source));
  },
  { stopAll, runningGroups },
);

const goals = [];
const f = found.fanout;
if (f) {
  goals.push(
    `- Fan-out delivery p99, Lightbox / reference ≤ ${P99_RATIO_GOAL}×: ${f.p99RatioMet ? "met" : "**not met**"} (${f.p99Ratio.toFixed(2)}×: ` +
      `${fmtMs(f.medians.lightbox.p99)} ms vs ${fmtMs(f.medians.reference.p99)} ms; p50 ${fmtMs(f.medians.lightbox.p50)} vs ${fmtMs(f.medians.reference.p50)} ms; ` +
      `${f.medians.lightbox.messagesPerSec.toFixed(1)} vs ${f.medians.reference.messagesPerSec.toFixed(1)} messages/s)`,
  );
}
if (found.idle) {
  const i = found.idle;
  goals.push(
    `- ${i.connections.toLocaleString("en-US")} idle connections: +${mib(i.rssConnectedKiB - i.rssBeforeKiB)} MiB workerd RSS, ${i.cpuIdleMs.toFixed(0)} CPU ms over ${(i.windowMs / 1000).toFixed(0)} s idle, ` +
      `${i.hubStartsDuringWindow} hub wake-ups, ${i.stillConnected} still connected`,
  );
}
const cpu = cpus();
const command = `npm run bench:realtime -- --rounds ${rounds} --messages ${messages} --participants ${participants} --warmup ${warmup} --idle-users ${idleUsers} --idle-tabs ${idleTabs} --idle-seconds ${idleSeconds} --ping-interval ${pingIntervalMs}${args["await-deliveries"] ? " --await-deliveries" : ""}${args.only ? ` --only ${args.only}` : ""}${args.live ? " --live" : ""}`;
const machine = `${cpu.length} cores (${cpu[0]?.model?.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
const loadAtEnd = loadavg()[0];
await report.write(
  [
    "# Lightbox benchmarks: real time",
    "",
    `- Date: ${startedAt.toISOString()}`,
    `- Machine: ${machine}`,
    `- Command: \`${command}\``,
    `- Servers: Lightbox under \`wrangler dev\` on 127.0.0.1 (${args.live ? "working tree" : "snapshot of the sources"}); the reference \`socket.io\` 4.8.4 server in a child Node process; clients: socket.io-client 4.8.4 in this process`,
    `- Load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${loadAtEnd.toFixed(2)}`,
    ...(goals.length ? ["", ...goals] : []),
  ],
  args.out,
);
const jsonPath = join(projectRoot, "bench", "results", `realtime-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await mkdir(join(projectRoot, "bench", "results"), { recursive: true });
await writeFile(
  jsonPath,
  `${JSON.stringify({ date: startedAt.toISOString(), machine, command, load: { start: loadAtStart, end: loadAtEnd }, failures: report.failures, ...found }, null, 2)}\n`,
);
log(`figures written to ${jsonPath}`);
