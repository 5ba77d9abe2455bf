// `npm run bench:booking [-- --duration 5 --rounds 5 --connections 10 --warmup 2 --bookings 300 --contenders 200
//   --contention-runs 5 --clients 20 --hosts 20 --book-seconds 6 --book-rounds 3 --live --out FILE]`
// Scheduling and public booking: (1) a host's public availability for 31 days (weekly rules, 300 bookings) as
// a ratio to `baseline` (GET /api/health), rounds alternating; (2) 200 simultaneous bookings of one slot must
// make exactly one booking (201 once, 409 for the rest; the exit code is 1 otherwise), timed until all are
// answered; (3) bookings/s over distinct slots of one host and of many hosts, closed loop. Markdown on stdout
// and in bench/results/booking-latest.md. See bench/README.md, "Booking".
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LOAD_OPTIONS, alternate, createReport, fmtMs, formatRounds, formatTable, markdownTableRows, median, projectRoot, runningGroups, snapshotSources, startApp, stopAll } from "./lib.mjs";
import { countOutputLines } from "./lib/proc-stats.mjs";
import { bookAsGuest, closedLoop, createHost, devProxyRetries, getJson, listOpenSlots, machineTicks, percentile, seedBookings, settle, workerdCpu } from "./lib/seed-booking.mjs";

const { values: args } = parseArgs({
  options: {
    ...LOAD_OPTIONS,
    bookings: { type: "string", default: "300" },
    contenders: { type: "string", default: "200" },
    "contention-runs": { type: "string", default: "5" },
    clients: { type: "string", default: "20" },
    hosts: { type: "string", default: "20" },
    "book-seconds": { type: "string", default: "6" },
    "book-rounds": { type: "string", default: "3" },
    out: { type: "string", default: join(projectRoot, "bench", "results", "booking-latest.md") },
  },
});
const names = ["duration", "rounds", "connections", "warmup", "bookings", "contenders", "contention-runs", "clients", "hosts", "book-seconds", "book-rounds"];
const [duration, rounds, connections, warmup, bookingCount, contenders, contentionRuns, clients, hostCount, bookSeconds, bookRounds] = names.map((k) => Number(args[k]));
for (const name of names) {
  if (!(Number(args[name]) >= (name === "warmup" ? 0 : 1))) throw new Error(`--${name} must be a positive number`);
}
const log = (...parts) => console.error(...parts);
const loadAtStart = loadavg()[0];
const startedAt = new Date();
const DAY = 86_400_000;
const AVAILABILITY_GOAL = { ratioTo: "baseline", min: 0.4 };
/** Bookings are spread over this many days from the first day of the measured range (31 days). */
const SPREAD_DAYS = 90;

const report = createReport({ log });
const { section } = report;
const found = {};
const violations = []; // broken guarantees: any one makes the exit code 1

/** Monday 00:00 UTC after today (at least a day ahead): a range of whole days that starts on a working day. */
function nextMonday(now = new Date()) {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
  return day;
}

const publicPath = (handle, what) => `/api/public/booking/${handle}/${what}`;
const rangeQuery = (from, days) => `from=${from.toISOString()}&to=${new Date(from.getTime() + days * DAY).toISOString()}`;

// ─── availability ───────────────────────────────────────────────────────────────────────────────────────────

async function availabilitySection({ app, host, from, seeded }) {
  // What the measured request answers: open slots only, none of the seeded bookings among them.
  const answer = await getJson(app.url, `${publicPath(host.handle, "availability")}?${rangeQuery(from, 31)}`);
  const end = from.getTime() + 31 * DAY;
  const bookedInRange = seeded.booked.filter((s) => Date.parse(s) >= from.getTime() && Date.parse(s) < end);
  const offered = new Set(answer.slots.map((s) => Date.parse(s.start)));
  const leaked = bookedInRange.filter((s) => offered.has(Date.parse(s)));
  if (leaked.length) violations.push(`availability offers ${leaked.length} booked slots (first ${leaked[0]})`);
  found.availabilityShape = { slots: answer.slots.length, bookedInRange: bookedInRange.length, bytes: JSON.stringify(answer).length };
  log(`  31 days: ${answer.slots.length} open slots, ${bookedInRange.length} of the ${seeded.booked.length} bookings in range, ${found.availabilityShape.bytes} bytes`);

  const targets = [
    { name: "baseline", url: app.url, path: "/api/health" },
    { name: "booking.info", url: app.url, path: publicPath(host.handle, "info") },
    { name: "availability.1d", url: app.url, path: `${publicPath(host.handle, "availability")}?${rangeQuery(from, 1)}` },
    { name: "availability.31d", url: app.url, path: `${publicPath(host.handle, "availability")}?${rangeQuery(from, 31)}` },
  ];
  const summary = await alternate(targets, { rounds, duration, connections, warmup, ratioTo: ["baseline"], log });
  found.availability = summary["availability.31d"];
  // Machine time per request at saturation (1000 / req/s), minus the neighbour's, within each round.
  const cost = (name, round) => 1000 / summary[name].runs[round].requestsPerSec;
  const step = (a, b) => median(summary[a].runs.map((_, i) => cost(a, i) - (b ? cost(b, i) : 0)));
  const steps = [
    ["`baseline`: middleware, log line, one D1 `SELECT 1`", step("baseline")],
    ["resolve the host by handle (one D1 read) instead of `SELECT 1` (info − baseline)", step("booking.info", "baseline")],
    ["availability of one day: one batch (rules, exceptions, bookings, holds), the calendar row, a day of slots (1d − info)", step("availability.1d", "booking.info")],
    ["30 more days: expanding, filtering and serializing their slots (31d − 1d)", step("availability.31d", "availability.1d")],
  ];
  return [
    formatTable(summary, {
      references: ["baseline"],
      describe: {
        baseline: { label: "GET /api/health (middleware + D1 `SELECT 1`)" },
        "booking.info": { label: "GET /api/public/booking/:handle/info (one D1 read)" },
        "availability.1d": { label: "availability, 1 day (a Monday)" },
        "availability.31d": { label: `availability, 31 days (${answer.slots.length} open slots)`, goal: AVAILABILITY_GOAL },
      },
    }),
    "",
    `31 days from ${from.toISOString().slice(0, 10)}: ${answer.slots.length} open slots (${found.availabilityShape.bytes.toLocaleString("en-US")} bytes of JSON); ` +
      `${bookedInRange.length} of the ${seeded.booked.length} bookings fall in the range and none of them is offered.`,
    "",
    "Machine time per request at saturation (1000 ÷ req/s; differences within each round, median over rounds; the 2 cores are shared with the load generator):",
    "",
    markdownTableRows(["Step", "ms"], steps.map(([label, ms]) => [label, fmtMs(ms)])),
    "",
    "req/s per round:",
    "",
    formatRounds(summary),
  ].join("\n");
}

// ─── contention ─────────────────────────────────────────────────────────────────────────────────────────────

async function contentionRun(app, host, start) {
  const cpuBefore = workerdCpu(app);
  // Fresh connections, as a crowd of guests would open. (Opening them beforehand with a burst of GETs made
  // wrangler dev's proxy lose far more requests to its idle-connection race: see DEV_PROXY_LOST.)
  const retriesBefore = devProxyRetries.count;
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: contenders }, () => bookAsGuest(app.url, host.handle, start)));
  const totalMs = performance.now() - t0;
  // All but one were refused, which enqueues nothing: this is what a request costs up to the lock's answer.
  const cpuPerRequest = (workerdCpu(app) - cpuBefore) / contenders;
  const statuses = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const winner = answers.find((a) => a.status === 201);
  const losers = answers.filter((a) => a.status === 409).map((a) => a.ms).sort((x, y) => x - y);
  // What the host sees: bookings starting exactly at that instant.
  const to = new Date(Date.parse(start) + 1).toISOString();
  const listed = await getJson(app.url, `/api/bookings?from=${start}&to=${to}&limit=100`, { headers: { authorization: `Bearer ${host.token}` } });
  const stored = listed.items.filter((b) => Date.parse(b.start) === Date.parse(start));
  const ok = statuses[201] === 1 && statuses[409] === contenders - 1 && stored.length === 1;
  if (!ok) {
    const other = answers.find((a) => a.status !== 201 && a.status !== 409);
    violations.push(`contention at ${start}: statuses ${JSON.stringify(statuses)}, ${stored.length} bookings stored${other ? ` (a ${other.status}: ${other.body.slice(0, 200)})` : ""}`);
  }
  return { start, totalMs, cpuPerRequest, statuses, stored: stored.length, retries: devProxyRetries.count - retriesBefore, winnerMs: winner?.ms ?? NaN, loserP50: percentile(losers, 50), loserMax: losers.at(-1) ?? NaN, ok };
}

async function contentionSection({ app, host, from }) {
  const open = await listOpenSlots(app.url, host.handle, from, 31);
  // One booking first: the host's BookingLock and the booking path are warm when the first burst arrives.
  const first = await bookAsGuest(app.url, host.handle, open[0]);
  if (first.status !== 201) throw new Error(`warm-up booking answered ${first.status}: ${first.body.slice(0, 300)}`);
  const runs = [];
  for (let i = 0; i < contentionRuns; i++) {
    const start = open[1 + i * 7]; // a fresh slot each time, on different days
    const run = await contentionRun(app, host, start);
    runs.push(run);
    log(
      `  run ${i + 1}/${contentionRuns} ${start}: all ${contenders} answered in ${run.totalMs.toFixed(0)} ms, statuses ${JSON.stringify(run.statuses)}, ` +
        `${run.stored} stored, ${run.cpuPerRequest.toFixed(1)} workerd CPU ms per request, ${run.retries} dev-proxy resends; the 201 after ${run.winnerMs.toFixed(0)} ms, 409s p50 ${run.loserP50.toFixed(0)} / max ${run.loserMax.toFixed(0)} ms`,
    );
  }
  const totals = runs.map((r) => r.totalMs);
  found.contention = { median: median(totals), max: Math.max(...totals), cpuPerRequest: median(runs.map((r) => r.cpuPerRequest)), ok: runs.every((r) => r.ok), runs };
  return [
    markdownTableRows(
      ["Run", "Slot", "all answered (ms)", "201", "409", "other", "stored at that start", "the 201 after (ms)", "409 p50 / max (ms)", "workerd CPU ms per request", "dev-proxy resends"],
      runs.map((r, i) => [
        String(i + 1),
        r.start,
        r.totalMs.toFixed(0),
        String(r.statuses[201] ?? 0),
        String(r.statuses[409] ?? 0),
        String(Object.entries(r.statuses).filter(([s]) => s !== "201" && s !== "409").reduce((n, [, c]) => n + c, 0)),
        String(r.stored),
        r.winnerMs.toFixed(0),
        `${r.loserP50.toFixed(0)} / ${r.loserMax.toFixed(0)}`,
        r.cpuPerRequest.toFixed(1),
        String(r.retries),
      ]),
    ),
    "",
    `${contenders} simultaneous \`POST /api/public/booking/:handle/book\` for one slot, each from its own address and email, ${contentionRuns} runs on fresh slots: ` +
      `exactly one booking every time: **${found.contention.ok ? "yes" : "NO"}**. Time until all ${contenders} were answered: median **${found.contention.median.toFixed(0)} ms**, ` +
      `max ${found.contention.max.toFixed(0)} ms (${(contenders / (found.contention.median / 1000)).toFixed(0)} answers/s through one host's lock); ` +
      `workerd used ${found.contention.cpuPerRequest.toFixed(1)} CPU ms per request (median over runs), the dev proxy's relaying included.`,
  ].join("\n");
}

// ─── bookings per second ────────────────────────────────────────────────────────────────────────────────────

async function throughputSection({ app, solo, many, from }) {
  // Slot pools: every open slot of the year for the single host; four months of each of the many.
  const pool = async (host, days) => (await listOpenSlots(app.url, host.handle, from, days)).map((start) => ({ host, start }));
  const soloSlots = await pool(solo, 365);
  const manySlots = await Promise.all(many.map((h) => pool(h, 124)));
  log(`  ${soloSlots.length} open slots for the single host, ${manySlots.reduce((n, s) => n + s.length, 0)} over the ${many.length} hosts`);
  let turn = 0;
  const nextSolo = () => soloSlots.shift();
  const nextMany = () => {
    for (let tries = 0; tries < manySlots.length; tries++) {
      const slot = manySlots[turn++ % manySlots.length].shift();
      if (slot) return slot;
    }
    return undefined;
  };
  // The 1-guest loop is the uncontended latency of one booking; the others are throughput.
  const modes = [
    { name: "one host", guests: clients, next: nextSolo, label: "one host: distinct slots, all through its BookingLock" },
    { name: `${many.length} hosts`, guests: clients, next: nextMany, label: `${many.length} hosts: round-robin, one BookingLock each` },
    { name: "one host, 1 guest", guests: 1, next: nextSolo, label: "one host, one guest at a time (a booking's own latency)" },
  ];
  for (const mode of modes.slice(0, 2)) {
    const w = await closedLoop(app.url, { guests: mode.guests, seconds: 2, next: mode.next });
    log(`  warm-up ${mode.name}: ${w.booked} bookings`);
  }
  await settle(app, 20_000);
  const runs = Object.fromEntries(modes.map((m) => [m.name, []]));
  for (let round = 1; round <= bookRounds; round++) {
    for (const mode of modes) {
      // workerd CPU from the round's start until its queue jobs are done too (or 12 s after it ended).
      const cpuBefore = workerdCpu(app);
      const ticksBefore = machineTicks();
      const r = await closedLoop(app.url, { guests: mode.guests, seconds: bookSeconds, next: mode.next });
      if (r.exhausted) violations.push(`bookings/s (${mode.name}, round ${round}): ran out of open slots (lower --book-seconds)`);
      const ticksAfter = machineTicks();
      const machineBusy = (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total);
      const tail = await settle(app, 12_000);
      const cpuPerBooking = (workerdCpu(app) - cpuBefore) / r.booked;
      const waited = tail.ms;
      runs[mode.name].push({ ...r, waited, machineBusy, cpuPerBooking, settled: tail.settled });
      const others = Object.entries(r.statuses).filter(([s]) => s !== "201");
      if (others.length) violations.push(`bookings/s (${mode.name}, round ${round}): ${others.map(([s, n]) => `${n} × ${s}`).join(", ")}: ${r.unexpected.join(" | ")}`);
      log(
        `  round ${round}/${bookRounds} ${mode.name.padEnd(17)} ${r.perSec.toFixed(1).padStart(6)} bookings/s  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms` +
          `  (${r.booked} booked, machine ${(100 * machineBusy).toFixed(0)} % busy, workerd ${cpuPerBooking.toFixed(0)} CPU ms per booking${tail.settled ? "" : " or more"}, jobs settled ${(waited / 1000).toFixed(1)} s after, ${r.retries} dev-proxy resends)${others.length ? `  other statuses ${JSON.stringify(Object.fromEntries(others))}` : ""}`,
      );
    }
  }
  // Every 201 is one stored booking, on the host it was made for.
  for (const host of [solo, ...many]) {
    const stats = await getJson(app.url, "/api/bookings/stats", { headers: { authorization: `Bearer ${host.token}` } });
    if (stats.total !== host.booked) violations.push(`host ${host.handle}: ${host.booked} bookings answered 201, ${stats.total} stored`);
  }
  const med = (name, key) => median(runs[name].map((r) => r[key]));
  found.throughput = Object.fromEntries(modes.map((m) => [m.name, { guests: m.guests, perSec: med(m.name, "perSec"), p50: med(m.name, "p50"), p99: med(m.name, "p99"), cpuPerBooking: med(m.name, "cpuPerBooking") }]));
  const lowerBound = (name) => (runs[name].some((r) => !r.settled) ? "≥ " : "");
  const [one, spread] = modes.map((m) => found.throughput[m.name]);
  const intact = !violations.some((v) => v.startsWith("bookings/s") || v.startsWith("host "));
  return [
    markdownTableRows(
      ["Target", "guests", "bookings/s", "p50 ms", "p99 ms", "per round (bookings/s)", "machine busy", "workerd CPU ms per booking, jobs included"],
      modes.map((m) => [
        m.label,
        String(m.guests),
        med(m.name, "perSec").toFixed(1),
        fmtMs(med(m.name, "p50")),
        fmtMs(med(m.name, "p99")),
        runs[m.name].map((r) => r.perSec.toFixed(1)).join(" / "),
        `${(100 * med(m.name, "machineBusy")).toFixed(0)} %`,
        `${lowerBound(m.name)}${med(m.name, "cpuPerBooking").toFixed(0)}`,
      ]),
    ),
    "",
    `Closed loop: each guest books the next open slot as soon as its previous booking is answered, ${bookSeconds} s per round, ${bookRounds} rounds alternating ` +
      `(medians shown). After each round the bench waits until workerd is idle again (at most 12 s), so the next round does not inherit its queue jobs ` +
      `(\`booking.announce\` and the emails it sends), and the CPU column counts workerd's CPU from the round's start to that point, divided by the round's bookings ` +
      `("≥" when a round's jobs were still running after 12 s). Machine busy: all processes on the 2 cores during the round, the load generator and other people's work included. ${many.length} hosts / one host: **${(spread.perSec / one.perSec).toFixed(2)}×**. ` +
      `Every answer was 201 and every host's \`GET /api/bookings/stats\` total equals its 201s: **${intact ? "yes" : "NO"}**.`,
  ].join("\n");
}

// ─── run ────────────────────────────────────────────────────────────────────────────────────────────────────

await report.run(
  async () => {
    const source = args.live ? { dir: projectRoot, config: "wrangler.toml" } : await snapshotSources();
    log(args.live ? "serving the working tree (--live)" : `sources snapshot: ${source.dir}`);
    log("\n== Starting the app (wrangler dev on 127.0.0.1)");
    // Access tokens outlive the run (the host's token is used at the end to check what was stored).
    const app = await startApp({ config: source.config, vars: { ACCESS_TOKEN_TTL_SECONDS: "3600" } });
    log(`  app ${app.url} (process group ${app.pid})`);
    // Queue jobs that failed (and will be retried): the Worker logs each as "job failed" with its error.
    found.jobFailures = countOutputLines(app, /"msg":"job failed"/);
    found.jobConnectionLost = countOutputLines(app, /"msg":"job failed".*Network connection lost/);
    try {
      const from = nextMonday();
      log(`\n== Seeding: ${hostCount + 3} hosts with weekly rules, ${bookingCount} bookings for the first`);
      const host = await createHost(app.url, { handle: "bench-availability", index: 1 });
      const contended = await createHost(app.url, { handle: "bench-contention", index: 2 });
      const solo = { ...(await createHost(app.url, { handle: "bench-one-host", index: 3 })), booked: 0 };
      const many = [];
      for (let i = 0; i < hostCount; i++) many.push({ ...(await createHost(app.url, { handle: `bench-host-${i}`, index: 10 + i })), booked: 0 });
      const seedStarted = performance.now();
      const seeded = await seedBookings(app.url, host, { count: bookingCount, from, days: SPREAD_DAYS });
      found.seed = { ms: performance.now() - seedStarted, openBefore: seeded.openBefore };
      log(`  ${bookingCount} bookings over ${SPREAD_DAYS} days (${seeded.openBefore} slots open before) in ${(found.seed.ms / 1000).toFixed(1)} s`);
      const seedTail = await settle(app, 45_000);
      log(`  queue jobs ${seedTail.settled ? "settled" : "still running"} after ${(seedTail.ms / 1000).toFixed(1)} s`);
      await section(`Public availability for 31 days (median of ${rounds} rounds × ${duration} s, ${connections} connections)`, () => availabilitySection({ app, host, from, seeded }));
      await settle(app, 15_000);
      await section(`Contention: ${contenders} simultaneous bookings of one slot (${contentionRuns} runs)`, () => contentionSection({ app, host: contended, from }));
      await section(`Bookings per second over distinct slots (${clients} guests at once, ${bookRounds} rounds × ${bookSeconds} s)`, () => throughputSection({ app, solo, many, from }));
    } catch (error) {
      log(`  wrangler's last output:\n${app.output().slice(-4000)}`);
      throw error;
    }
  },
  { stopAll, runningGroups },
);

const goals = [];
const a = found.availability;
if (a) goals.push(`- Availability (31 days, ${bookingCount} bookings) ≥ 0.4 × baseline: ${a.ratios.baseline >= AVAILABILITY_GOAL.min && !a.unexpected ? "met" : "**not met**"} (${a.ratios.baseline.toFixed(2)}×, p99 ${fmtMs(a.p99)} ms)`);
if (found.contention) goals.push(`- ${contenders} bookings of one slot → exactly 1 booking: ${found.contention.ok ? "met" : "**not met**"} (${contentionRuns} runs; all answered in median ${found.contention.median.toFixed(0)} ms, max ${found.contention.max.toFixed(0)} ms)`);
if (found.throughput) goals.push(`- Bookings/s: ${Object.entries(found.throughput).map(([m, t]) => `${m} ${t.perSec.toFixed(1)} (${t.guests} guests, p50 ${fmtMs(t.p50)} ms)`).join("; ")}`);
for (const v of violations) goals.push(`- **Violation:** ${v}`);
const cpu = cpus();
const command = `npm run bench:booking -- --duration ${duration} --rounds ${rounds} --connections ${connections} --warmup ${warmup} --bookings ${bookingCount} --contenders ${contenders} --contention-runs ${contentionRuns} --clients ${clients} --hosts ${hostCount} --book-seconds ${bookSeconds} --book-rounds ${bookRounds}${args.live ? " --live" : ""}`;
await report.write(
  [
    "# Lightbox benchmarks: scheduling and booking",
    "",
    `- Date: ${startedAt.toISOString()} – ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} cores (${cpu[0]?.model?.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    `- Command: \`${command}\``,
    `- Data: hosts with MO–FR 09:00–18:00 and SA 09:00–12:00 Europe/Paris rules in 30-minute slots; the availability host has ${bookingCount} bookings over ${SPREAD_DAYS} days` +
      (found.seed ? ` (made through the public API in ${(found.seed.ms / 1000).toFixed(1)} s)` : ""),
    `- Load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${loadavg()[0].toFixed(2)}`,
    `- Booking requests resent because wrangler dev's proxy lost them before the Worker (503 "Your worker restarted mid-request", cloudflare/workers-sdk#14641) or closed a kept-alive connection as they went out: ${devProxyRetries.count}; GETs sent again after 20 s without an answer: ${devProxyRetries.stalled}`,
    ...(found.jobFailures
      ? [`- Queue job attempts that failed and were retried (the Worker's "job failed" lines): ${found.jobFailures.count}, of which "Network connection lost" (miniflare's loopback, cloudflare/workers-sdk#14848): ${found.jobConnectionLost.count}`]
      : []),
    ...(goals.length ? ["", ...goals] : []),
  ],
  args.out,
);
if (violations.length) process.exitCode = 1;
