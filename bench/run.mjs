// `npm run bench [-- --duration 5 --rounds 5 --connections 10 --warmup 2 --live --out FILE]`
// Auth and users figures: the bare floor Worker, GET /api/health, GET /api/users/me, POST /api/auth/login,
// the CPU cost of one password hash, and the deployed bundle size. Markdown on stdout and in
// bench/results/latest.md; progress on stderr. See bench/README.md.
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LOAD_OPTIONS, alternate, bytesByPackage, createReport, esbuildContributors, fmtMs, formatRounds, formatTable, goalMet, kib, markdownTableRows, median, nodePbkdf2CpuMs, projectRoot, request, runningGroups, snapshotSources, startApp, startFloor, stopAll, wranglerBundleSize } from "./lib.mjs";

const { values: args } = parseArgs({
  options: {
    ...LOAD_OPTIONS,
    out: { type: "string", default: join(projectRoot, "bench", "results", "latest.md") },
  },
});
const duration = Number(args.duration);
const rounds = Number(args.rounds);
const connections = Number(args.connections);
const warmup = Number(args.warmup);
for (const [name, value] of Object.entries({ duration, rounds, connections })) {
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
}
// The 1-connection latency runs only need enough samples for stable medians.
const latencyDuration = Math.max(3, Math.round(duration * 0.6));
const log = (...parts) => console.error(...parts);
const loadAtStart = loadavg()[0];

const USER = { email: "bench@lightbox.example", password: "correct horse battery staple", firstName: "Bench", lastName: "User" };
const ME_RATIO_GOAL = { ratioTo: "floor", min: 0.5 };
const BUNDLE_GZIP_GOAL_KIB = 1024;

const report = createReport({ log });
const { section } = report;
const found = {}; // figures the summary at the top repeats

async function nodeHashSection() {
  const hash = await nodePbkdf2CpuMs({ iterations: 100_000, count: 20 });
  found.hashNode = hash;
  log(`  ${hash.cpuMs.toFixed(1)} CPU ms per hash (median ${hash.cpuMsMedian.toFixed(1)}, min ${hash.cpuMsMin.toFixed(1)})`);
  return (
    `WebCrypto PBKDF2-SHA256, ${hash.iterations.toLocaleString("en-US")} iterations, ${hash.count} hashes one after another, ` +
    `each timed with process.cpuUsage (all threads of the process): **${hash.cpuMs.toFixed(1)} CPU ms per hash** over the ` +
    `${hash.count} (median ${hash.cpuMsMedian.toFixed(1)}, fastest ${hash.cpuMsMin.toFixed(1)}; ${hash.wallMs.toFixed(1)} ms wall, median).`
  );
}

async function bundleSection(source) {
  const uploaded = await wranglerBundleSize({ config: source.config });
  log(`  ${uploaded.line}`);
  const minified = await esbuildContributors({ root: source.dir, entry: "workers/index.ts" });
  const asUploaded = new Map(bytesByPackage(uploaded.metafile, uploaded.root).map((p) => [p.name, p.bytes]));
  const met = uploaded.gzipKiB < BUNDLE_GZIP_GOAL_KIB;
  found.bundle = { ...uploaded, met };
  const rows = minified.packages
    .slice(0, 12)
    .map((p) => [p.name, kib(p.bytes), `${((100 * p.bytes) / minified.bytes).toFixed(1)} %`, asUploaded.has(p.name) ? kib(asUploaded.get(p.name)) : "n/a"]);
  return [
    `\`wrangler deploy --dry-run\`: **${uploaded.line}** (goal: gzip < 1 MiB: ${met ? "met" : "**not met**"}, ` +
      `${((100 * uploaded.gzipKiB) / BUNDLE_GZIP_GOAL_KIB).toFixed(0)} % of it).`,
    "",
    `Largest contributors (esbuild metafile, \`bytesInOutput\` per package, minified as a deploy with ` +
      `\`minify = true\` would be: ${kib(minified.bytes)}, ${kib(minified.gzipBytes)} gzipped; the last column is ` +
      `the same package in wrangler's unminified upload):`,
    "",
    markdownTableRows(["Package", "Minified", "Share", "As uploaded (unminified)"], rows),
  ].join("\n");
}

async function throughputSection({ floor, app, freshToken, loginTarget }) {
  const summary = await alternate(
    [
      { name: "floor", url: floor.url, path: "/" },
      { name: "floor.d1", url: floor.url, path: "/d1" },
      { name: "baseline", url: app.url, path: "/api/health" },
      { name: "users.me", url: app.url, path: "/api/users/me", prepare: freshToken },
      { name: "auth.login", ...loginTarget },
    ],
    { rounds, duration, connections, warmup, ratioTo: ["floor", "floor.d1", "baseline"], log },
  );
  found.throughput = summary;
  return [
    formatTable(summary, {
      references: ["floor", "floor.d1", "baseline"],
      describe: {
        floor: { label: "bare Worker, GET /" },
        "floor.d1": { label: "bare Worker + one D1 `SELECT 1`, GET /d1 (the ceiling for any D1 route)" },
        baseline: { label: "GET /api/health (full middleware, D1 `SELECT 1`)" },
        "users.me": { label: "GET /api/users/me (JWT verify + 1 D1 read)", goal: ME_RATIO_GOAL },
        "auth.login": { label: "POST /api/auth/login (1 PBKDF2 100k hash)" },
      },
    }),
    "",
    "Ratios are medians of per-round ratios (each target against the floor or baseline run of the same round).",
    "",
    "req/s per round:",
    "",
    formatRounds(summary),
  ].join("\n");
}

async function latencySection({ floor, app, freshToken, loginTarget }) {
  const latency = await alternate(
    [
      { name: "floor@1", url: floor.url, path: "/" },
      { name: "app.404@1", url: app.url, path: "/api/bench-not-found", expectStatus: 404 },
      { name: "baseline@1", url: app.url, path: "/api/health" },
      { name: "users.me@1", url: app.url, path: "/api/users/me", prepare: freshToken },
      { name: "auth.login@1", ...loginTarget },
    ],
    { rounds, duration: latencyDuration, connections: 1, warmup: 1, log },
  );
  // Differences are taken within a round (runs seconds apart), then the median over rounds.
  const diff = (fn, key = "p50") => median(latency["floor@1"].runs.map((_, i) => fn((name) => latency[name].runs[i][key])));
  const d1 = (at) => at("baseline@1") - at("app.404@1");
  const hash = (at) => at("auth.login@1") - at("baseline@1");
  const hashNet = (at) => at("auth.login@1") - at("app.404@1") - 2 * d1(at);
  const steps = [
    ["bare Worker under wrangler dev (floor@1)", (at) => at("floor@1")],
    ["app middleware stack + JSON log line, no D1 (app.404@1 − floor@1)", (at) => at("app.404@1") - at("floor@1")],
    ["one local D1 round trip, `SELECT 1` (baseline@1 − app.404@1)", d1],
    ["JWT verify + one D1 read (users.me@1 − app.404@1)", (at) => at("users.me@1") - at("app.404@1")],
    ["**password hash: login − baseline**", hash],
    ["password hash, rough, net of login's second D1 round trip (login − app.404 − 2 × D1)", hashNet],
  ];
  const worker = { p50: diff(hash), mean: diff(hash, "mean"), net: diff(hashNet) };
  found.hashWorker = worker;
  log(`  ${worker.p50.toFixed(1)} ms per hash (login p50 − baseline p50), ${worker.net.toFixed(1)} ms net of D1`);
  const loginRps = found.throughput?.["auth.login"]?.requestsPerSec;
  return [
    markdownTableRows(
      ["Target (1 connection)", "req/s", "p50 ms", "mean ms", "p99 ms", "unexpected status / errors"],
      Object.entries(latency).map(([name, s]) => [name, s.requestsPerSec.toFixed(0), fmtMs(s.p50), fmtMs(s.mean), fmtMs(s.p99), `${s.unexpected} / ${s.errors + s.timeouts}`]),
    ),
    "",
    "Where a request's time goes (differences within a round, median over rounds):",
    "",
    markdownTableRows(["Step", "p50 ms", "mean ms"], steps.map(([label, fn]) => [label, fmtMs(diff(fn)), fmtMs(diff(fn, "mean"))])),
    "",
    `CPU per hash seen from the Worker: login p50 − baseline p50 at 1 connection = **${worker.p50.toFixed(1)} ms** ` +
      `(mean difference ${worker.mean.toFixed(1)} ms). workerd runs an isolate on one thread, so this approximates the ` +
      `hash's CPU time; it also holds what login does beyond baseline (a second D1 round trip, a JWT signature, a ` +
      `SHA-256): net of that second round trip, roughly ${worker.net.toFixed(1)} ms. ` +
      `In Node: **${found.hashNode ? found.hashNode.cpuMs.toFixed(1) : "n/a"} CPU ms** per hash.`,
    "",
    `At ~${worker.p50.toFixed(0)} ms per hash one isolate signs in at most ~${(1000 / worker.p50).toFixed(0)} users/s; ` +
      `the ${connections}-connection run above reached ${loginRps ? loginRps.toFixed(0) : "n/a"} req/s.`,
  ].join("\n");
}

// Everything is measured on one snapshot of the sources (or the working tree with --live). The finally
// block stops both Workers and removes the snapshot, whatever failed.
await report.run(async () => {
  const source = args.live ? { dir: projectRoot, config: "wrangler.toml" } : await snapshotSources();
  log(args.live ? "serving the working tree (--live)" : `sources snapshot: ${source.dir}`);

  // Quiet-machine measurements first, before any Worker is running.
  await section("Password hash: CPU per PBKDF2-SHA256 hash in Node", nodeHashSection);
  await section("Bundle", () => bundleSection(source));

  log("\n== Starting the floor and app Workers (wrangler dev on 127.0.0.1)");
  const [floor, app] = await Promise.all([startFloor(), startApp({ config: source.config })]);
  log(`  floor ${floor.url} (process group ${floor.pid})  app ${app.url} (process group ${app.pid})`);

  await request(app.url, "POST", "/api/auth/register", { body: USER, expect: [201] });
  const credentials = { email: USER.email, password: USER.password };
  const loginTarget = { url: app.url, method: "POST", path: "/api/auth/login", body: credentials };
  // A fresh access token before each /me run: tokens last 15 minutes, a long run outlives one.
  const freshToken = async () => {
    const { accessToken } = await request(app.url, "POST", "/api/auth/login", { body: credentials, expect: [200] });
    return { headers: { authorization: `Bearer ${accessToken}` } };
  };
  const servers = { floor, app, freshToken, loginTarget };

  await section(`Throughput (median of ${rounds} rounds × ${duration} s, ${connections} connections)`, () => throughputSection(servers));
  await section("Latency at 1 connection, and the CPU per hash seen from the Worker", () => latencySection(servers));
}, { stopAll, runningGroups });

// Report.
const goals = [];
const me = found.throughput?.["users.me"];
const d1Floor = found.throughput?.["floor.d1"];
if (me) {
  goals.push(
    `- GET /api/users/me ≥ 0.5 × floor: ${goalMet(me, ME_RATIO_GOAL) ? "met" : "**not met**"} (${me.ratios.floor.toFixed(2)}×)` +
      (d1Floor ? `; a bare Worker doing only one local D1 query reaches ${d1Floor.ratios.floor.toFixed(2)}× floor, and /me reaches ${me.ratios["floor.d1"].toFixed(2)}× of that` : ""),
  );
}
if (found.bundle) goals.push(`- Bundle gzip < 1 MiB: ${found.bundle.met ? "met" : "**not met**"} (${found.bundle.gzipKiB.toFixed(1)} KiB gzipped)`);
if (found.hashNode || found.hashWorker) {
  goals.push(
    `- CPU per password hash: ${found.hashNode ? `${found.hashNode.cpuMs.toFixed(1)} ms in Node` : "n/a in Node"}, ` +
      `${found.hashWorker ? `${found.hashWorker.p50.toFixed(1)} ms from the Worker (login − baseline at 1 connection)` : "n/a from the Worker"}`,
  );
}
const cpu = cpus();
await report.write(
  [
    `# Lightbox benchmarks: auth and users`,
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} cores (${cpu[0]?.model?.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`,
    `- Command: \`npm run bench -- --duration ${duration} --rounds ${rounds} --connections ${connections} --warmup ${warmup}${args.live ? " --live" : ""}\``,
    `- Servers: \`wrangler dev\` (local workerd) on 127.0.0.1, ${args.live ? "from the working tree" : "from a snapshot of the sources"}; load: autocannon in this process, same machine`,
    `- Load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${loadavg()[0].toFixed(2)} (other work on the machine shows here)`,
    ...(goals.length ? ["", ...goals] : []),
  ],
  args.out,
);
