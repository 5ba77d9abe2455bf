// `npm run bench:analytics [-- --duration 5 --rounds 5 --connections 10 --warmup 2 --invoices 5000 --live --out FILE]`
// Analytics: one studio with 5,000 invoices (and proportional payments, quotes, sessions, bookings) seeded as
// SQL into the local D1 while the Worker is stopped; EXPLAIN QUERY PLAN of every analytics statement on that
// data after ANALYZE (no SCAN of a tenant table allowed: the exit code is 1 otherwise); then GET
// /api/analytics/dashboard and the twelve whole months before this one of revenue by month against `baseline`
// (GET /api/health), rounds alternating. Markdown on stdout and in bench/results/analytics-latest.md. See bench/README.md, "Analytics".
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LOAD_OPTIONS, alternate, createReport, fmtMs, formatRounds, formatTable, markdownTableRows, projectRoot, request, runningGroups, snapshotSources, startApp, stopAll, stopWorker } from "./lib.mjs";
import { analyticsSeedSql, analyticsStatements, executeLocal } from "./lib/seed-analytics.mjs";

const { values: args } = parseArgs({
  options: { ...LOAD_OPTIONS, invoices: { type: "string", default: "5000" }, "covering-indexes": { type: "boolean", default: false }, out: { type: "string", default: join(projectRoot, "bench", "results", "analytics-latest.md") } },
});
const names = ["duration", "rounds", "connections", "warmup", "invoices"];
const [duration, rounds, connections, warmup, invoiceCount] = names.map((k) => Number(args[k]));
for (const name of names) {
  if (!(Number(args[name]) >= (name === "warmup" ? 0 : 1))) throw new Error(`--${name} must be a positive number`);
}
const log = (...parts) => console.error(...parts);
const loadAtStart = loadavg()[0];
const startedAt = new Date();
const ZONE = "Europe/Paris";
/** The run's clock: the seed ends here, the query plans use it, and the Worker's dashboard reads its own, a few
 *  minutes later. The revenue target reads the twelve whole months before the current one: the same amount of
 *  seeded data whatever the date. */
const NOW = Date.now();
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const REVENUE_FROM = isoDay(Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth() - 12, 1));
const REVENUE_TO = isoDay(Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), 0));
const TENANT_TABLES = ["quotes", "invoices", "payments", "sessions", "bookings"];
/** Not in the schema: with `--covering-indexes` they are added to the seeded database, to measure what indexes
 *  holding every column the dashboard reads (no table row lookups) would give. */
const COVERING_INDEXES = [
  `CREATE INDEX "bench_payments_owner_paid_cover" ON "payments" ("owner_id", "paid_at", "currency", "amount");`,
  `CREATE INDEX "bench_invoices_open_cover" ON "invoices" ("owner_id", "currency", "total", "amount_paid", "due_date", "status") WHERE "status" IN ('SENT', 'OVERDUE');`,
  `CREATE INDEX "bench_quotes_owner_sent_cover" ON "quotes" ("owner_id", "sent_at", "status", "currency", "total", "accepted_at");`,
  `CREATE INDEX "bench_sessions_owner_starts_status" ON "sessions" ("owner_id", "starts_at", "status");`,
];

const report = createReport({ log });
const { section } = report;
const found = {};
const violations = [];

/** Registers the studio (Paris time) with one client, on the Worker that migrated the database. */
async function createStudio(url) {
  const body = { email: `analytics-${Date.now()}@bench.example`, password: "correct horse battery staple", firstName: "Studio", lastName: "Bench" };
  const registered = await request(url, "POST", "/api/auth/register", { body, expect: [201] });
  const headers = { authorization: `Bearer ${registered.accessToken}` };
  await request(url, "PATCH", "/api/users/me", { body: { timezone: ZONE, locale: "fr-FR" }, headers });
  const contact = await request(url, "POST", "/api/contacts", { body: { firstName: "Client" }, headers, expect: [201] });
  return { id: registered.user.id, email: body.email, password: body.password, contactId: contact.id };
}

async function explainSection({ persistTo, source, studio }) {
  const { config } = source;
  const statements = await analyticsStatements({ root: source.dir, ownerId: studio.id, zone: ZONE, now: NOW, from: REVENUE_FROM, to: REVENUE_TO });
  // What D1's own optimizer would know: table statistics. Without them SQLite plans by heuristics only.
  await executeLocal({ persistTo, config, sql: "ANALYZE;" });
  const rows = [];
  for (const statement of statements) {
    const plan = (await executeLocal({ persistTo, config, query: `EXPLAIN QUERY PLAN ${statement.sql}` })).map((r) => r.detail);
    const scans = plan.filter((line) => TENANT_TABLES.some((table) => new RegExp(`^SCAN ${table}\\b`).test(line)));
    if (scans.length) violations.push(`${statement.name}: ${scans.join("; ")}`);
    rows.push([statement.name, plan.map((line) => `\`${line}\``).join("<br>"), scans.length ? "**SCAN**" : "index only"]);
  }
  found.explain = { statements: statements.length, scans: violations.length };
  return [
    `After \`ANALYZE\` on the seeded database, the statements the routes run for this studio (built by \`workers/modules/analytics/queries.ts\`, bound values written in), the dashboard at the run's start and ranges from ${REVENUE_FROM} to ${REVENUE_TO}:`,
    "",
    markdownTableRows(["Statement", "EXPLAIN QUERY PLAN", "verdict"], rows),
  ].join("\n");
}

async function loadSection({ app, studio }) {
  const login = async () => (await request(app.url, "POST", "/api/auth/login", { body: { email: studio.email, password: studio.password } })).accessToken;
  const token = await login();
  const auth = { authorization: `Bearer ${token}` };
  const revenuePath = `/api/analytics/revenue?from=${REVENUE_FROM}&to=${REVENUE_TO}&groupBy=month`;
  const dashboard = await request(app.url, "GET", "/api/analytics/dashboard", { headers: auth });
  const revenue = await request(app.url, "GET", revenuePath, { headers: auth });
  found.dashboard = dashboard;
  found.bytes = { dashboard: JSON.stringify(dashboard).length, revenue: JSON.stringify(revenue).length };
  log(`  dashboard: ${JSON.stringify(dashboard).slice(0, 400)}`);
  const withToken = async () => ({ headers: { authorization: `Bearer ${await login()}` } });
  const targets = [
    { name: "baseline", url: app.url, path: "/api/health" },
    { name: "analytics.dashboard", url: app.url, path: "/api/analytics/dashboard", prepare: withToken },
    { name: "analytics.revenue", url: app.url, path: revenuePath, prepare: withToken },
  ];
  const summary = await alternate(targets, { rounds, duration, connections, warmup, ratioTo: ["baseline"], log });
  found.summary = summary;
  const money = (list) => list.map((m) => `${(m.amount / 100).toLocaleString("en-US")} ${m.currency}`).join(" + ") || "0";
  return [
    formatTable(summary, {
      references: ["baseline"],
      describe: {
        baseline: { label: "GET /api/health (middleware + D1 `SELECT 1`)" },
        "analytics.dashboard": { label: "GET /api/analytics/dashboard (warm isolate, the owner's zone cached: one D1 batch of 7 statements)" },
        "analytics.revenue": { label: `GET /api/analytics/revenue, ${REVENUE_FROM} to ${REVENUE_TO} by month (one batch of 3)` },
      },
    }),
    "",
    `The dashboard measured (${found.bytes.dashboard} bytes): revenue this month ${money(dashboard.revenue.thisMonth)}, this year ${money(dashboard.revenue.thisYear)}; ` +
      `outstanding ${money(dashboard.outstanding)} (overdue ${money(dashboard.overdue)}); quotes sent this year ${dashboard.quotes.sent}, accepted ${dashboard.quotes.accepted}; ` +
      `sessions this year ${Object.entries(dashboard.sessionsByStatus).map(([s, n]) => `${s} ${n}`).join(", ")}; ${dashboard.upcomingBookings.count} upcoming bookings. ` +
      `The revenue answer: ${found.bytes.revenue} bytes. The dashboard's year runs from 1 January to today: its rows grow over the calendar year, so compare its figures between runs made at similar dates.`,
    "",
    "req/s per round:",
    "",
    formatRounds(summary),
  ].join("\n");
}

await report.run(
  async () => {
    const source = args.live ? { dir: projectRoot, config: "wrangler.toml" } : await snapshotSources();
    log(args.live ? "serving the working tree (--live)" : `sources snapshot: ${source.dir}`);
    // Our own D1 directory: the Worker is stopped, seeded behind its back, then started again on it.
    const persistTo = await mkdtemp(join(tmpdir(), "lightbox-bench-analytics-"));
    try {
      log("\n== Starting the app to migrate the database and register the studio");
      const first = await startApp({ config: source.config, persistTo, vars: { ACCESS_TOKEN_TTL_SECONDS: "3600" } });
      const studio = await createStudio(first.url);
      await stopWorker(first);
      log(`\n== Seeding ${invoiceCount} invoices and the rest as SQL (wrangler d1 execute --local)`);
      const { sql, counts } = analyticsSeedSql({ ownerId: studio.id, contactId: studio.contactId, invoices: invoiceCount, now: NOW });
      const seedStarted = performance.now();
      await executeLocal({ persistTo, config: source.config, sql });
      found.seed = { ms: performance.now() - seedStarted, counts, bytes: sql.length };
      log(`  ${JSON.stringify(counts)} in ${(found.seed.ms / 1000).toFixed(1)} s (${(sql.length / 2 ** 20).toFixed(1)} MiB of SQL)`);
      if (args["covering-indexes"]) {
        log("  adding the covering indexes (--covering-indexes)");
        await executeLocal({ persistTo, config: source.config, sql: COVERING_INDEXES.join("\n") });
      }
      await section("Query plans on the seeded data", () => explainSection({ persistTo, source, studio }));
      log("\n== Starting the app again on the seeded database");
      const app = await startApp({ config: source.config, persistTo, vars: first.vars });
      log(`  app ${app.url} (process group ${app.pid})`);
      await section(`Dashboard throughput (median of ${rounds} rounds × ${duration} s, ${connections} connections)`, () => loadSection({ app, studio }));
    } finally {
      await stopAll();
      await rm(persistTo, { recursive: true, force: true });
    }
  },
  { stopAll, runningGroups },
);

const goals = [];
const d = found.summary?.["analytics.dashboard"];
if (d) goals.push(`- Dashboard with ${invoiceCount.toLocaleString("en-US")} invoices: **${d.ratios.baseline.toFixed(2)}× baseline**, p50 ${fmtMs(d.p50)} ms, p99 ${fmtMs(d.p99)} ms${d.unexpected ? ` (${d.unexpected} unexpected answers)` : ""}`);
if (found.explain) goals.push(`- No SCAN of a tenant table in ${found.explain.statements} statements: ${found.explain.scans ? "**not met**" : "met"}`);
for (const v of violations) goals.push(`- **Violation:** ${v}`);
const cpu = cpus();
const command = `npm run bench:analytics -- --duration ${duration} --rounds ${rounds} --connections ${connections} --warmup ${warmup} --invoices ${invoiceCount}${args["covering-indexes"] ? " --covering-indexes" : ""}${args.live ? " --live" : ""}`;
const c = found.seed?.counts;
await report.write(
  [
    "# Lightbox benchmarks: analytics",
    "",
    `- Date: ${startedAt.toISOString()} – ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} cores (${cpu[0]?.model?.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    `- Command: \`${command}\``,
    ...(c
      ? [
          `- Data: one studio (${ZONE}), ${c.invoices} invoices, ${c.payments} payments, ${c.quotes} quotes, ${c.sessions} sessions, ${c.bookings} bookings over the three years to ${new Date(NOW).toISOString()}; ` +
            `${(found.seed.bytes / 2 ** 20).toFixed(1)} MiB of SQL applied in ${(found.seed.ms / 1000).toFixed(1)} s (audit triggers included)`,
        ]
      : []),
    ...(args["covering-indexes"] ? [`- With the covering indexes, which the schema does not have: ${COVERING_INDEXES.map((i) => `\`${i.match(/"(bench_[a-z_]+)"/)[1]}\``).join(", ")}`] : []),
    `- Load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${loadavg()[0].toFixed(2)}`,
    ...(goals.length ? ["", ...goals] : []),
  ],
  args.out,
);
if (violations.length) process.exitCode = 1;
