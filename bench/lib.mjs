// Reusable benchmark pieces: start the app and the floor Worker under `wrangler dev` on loopback, load one
// target with autocannon, alternate targets over rounds and take medians, format the results as markdown,
// measure the bundle. Every feature's bench script builds on these; see bench/README.md.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { projectRoot, startWorker, wranglerBin, wranglerEnv } from "../scripts/dev-server.mjs";

export { projectRoot };
const require = createRequire(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ─── processes ────────────────────────────────────────────────────────────────────────────────────────────
// Every wrangler dev we start is tracked here, so that an error, Ctrl-C or SIGTERM still ends them all.
// startWorker spawns wrangler detached: it leads its own process group (wrangler, its node child, workerd),
// so the group id is the wrangler pid and "nothing left" means "no process in that group".

const live = new Set(); // worker handles not yet stopped
const pending = new Set(); // startWorker promises not yet settled
const cleanups = new Set(); // temp directories to remove once the Workers are stopped
const groups = new Set(); // every process group ever started here, for runningGroups()
let interrupted = null;

const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};

/** Stops one tracked Worker: its whole process group, forcibly after 5 s; then its afterStop clean-up. */
export async function stopWorker(worker) {
  if (!live.delete(worker)) return;
  await worker.stop().catch(() => {});
  // wrangler may exit before its workerd children: wait for the whole group, then force it.
  for (let i = 0; i < 50 && groupAlive(worker.pid); i++) await sleep(100);
  if (groupAlive(worker.pid)) {
    try {
      process.kill(-worker.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
    for (let i = 0; i < 20 && groupAlive(worker.pid); i++) await sleep(100);
  }
  if (groupAlive(worker.pid)) console.error(`bench: process group ${worker.pid} (${worker.name}) is still alive`);
  // Only now: workerd writes its SQLite files until it exits.
  await worker.afterStop?.().catch(() => {});
}

/** Stops every Worker started through this module (waits for ones still starting), then removes the
 *  snapshots. Safe to call twice. */
export async function stopAll() {
  await Promise.allSettled([...pending]);
  await Promise.all([...live].map(stopWorker));
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
}

/** Process-group ids of Workers started here that still have a live process (empty after stopAll). */
export const runningGroups = () => [...groups].filter(groupAlive);

let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
    process.once(signal, () => {
      interrupted = signal;
      console.error(`\nbench: ${signal}, stopping the Workers...`);
      stopAll().finally(() => process.exit(code));
    });
  }
  // Last resort (process.exit from elsewhere, uncaught error): no awaiting here, so kill outright.
  process.once("exit", () => {
    for (const worker of live) {
      try {
        process.kill(-worker.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  });
}

/** startWorker, tracked; `afterStop` runs once the Worker's whole process group is gone. */
async function launch(name, options, afterStop) {
  installHandlers();
  if (interrupted) throw new Error(`bench: interrupted (${interrupted})`);
  const starting = startWorker(options);
  pending.add(starting);
  let worker;
  try {
    worker = await starting;
  } finally {
    pending.delete(starting);
  }
  worker.name = name;
  worker.afterStop = afterStop;
  live.add(worker);
  groups.add(worker.pid);
  // startWorker keeps the last 200 kB of output by re-concatenating it on every chunk; under load the app
  // logs a line per request, and that copying would run in this process, beside the load generator.
  // Keep a cheap ring of recent chunks instead (still drained, so wrangler never blocks on a full pipe).
  const chunks = [];
  for (const stream of [worker.child.stdout, worker.child.stderr]) {
    if (!stream) continue;
    stream.removeAllListeners("data");
    stream.on("data", (chunk) => {
      chunks.push(chunk);
      if (chunks.length > 64) chunks.shift();
    });
  }
  const before = worker.output();
  worker.output = () => before + Buffer.concat(chunks).toString();
  if (interrupted) {
    await stopWorker(worker);
    throw new Error(`bench: interrupted (${interrupted})`);
  }
  return worker;
}

const secret = (bytes) => randomBytes(bytes).toString("base64url");

/**
 * Copies the Worker's sources (node_modules linked, not copied) to a temp directory and returns the path of
 * its wrangler.toml. `wrangler dev` rebuilds and reloads the Worker whenever a file it bundles is saved:
 * served from the working tree, a teammate's edit (or a half-written file) would swap the code under test
 * midway through a run. A snapshot measures one version of the code from start to end. Removed by stopAll().
 */
export async function snapshotSources({ entries = ["wrangler.toml", "tsconfig.json", "package.json", "workers", "shared", "durable-objects", "migrations"] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "lightbox-bench-src-"));
  const remove = async () => {
    cleanups.delete(remove);
    await rm(dir, { recursive: true, force: true });
  };
  cleanups.add(remove);
  installHandlers();
  for (const entry of entries) {
    if (existsSync(join(projectRoot, entry))) await cp(join(projectRoot, entry), join(dir, entry), { recursive: true });
  }
  await symlink(join(projectRoot, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, config: join(dir, "wrangler.toml"), remove };
}

/**
 * The app Worker on a fresh, migrated local D1 in a temp directory, with throwaway secrets. `config` is
 * wrangler.toml of the working tree by default, or a snapshot's (snapshotSources). Returns the startWorker
 * handle plus `vars` and `persistTo`; stop it with stopAll(), which also removes the D1 directory.
 */
export async function startApp({ vars = {}, ...options } = {}) {
  const persistTo = await mkdtemp(join(tmpdir(), "lightbox-bench-"));
  const allVars = {
    ENVIRONMENT: "development",
    JWT_SECRET: secret(32), // 43 characters (≥ 32)
    PASSWORD_PEPPER: secret(24), // 32 characters (≥ 16)
    APP_URL: "http://127.0.0.1:5173",
    CORS_ORIGINS: "http://127.0.0.1:5173",
    ...vars,
  };
  const removeDb = () => rm(persistTo, { recursive: true, force: true });
  try {
    const worker = await launch("app", { persistTo, vars: allVars, ...options }, removeDb);
    return Object.assign(worker, { persistTo, vars: allVars });
  } catch (error) {
    await removeDb(); // startWorker has stopped wrangler already when it throws
    throw error;
  }
}

/** The bare floor Worker (bench/floor): same wrangler dev and workerd, no app code, no bindings. */
export function startFloor(options = {}) {
  return launch("floor", { config: "bench/floor/wrangler.toml", migrate: false, readyPath: "/", ...options });
}

// ─── HTTP helpers for setting up state ──────────────────────────────────────────────────────────────────

/** fetch + JSON, throwing with the body on an unexpected status. */
export async function request(baseUrl, method, path, { body, headers = {}, expect = [200, 201, 204] } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

// ─── load ─────────────────────────────────────────────────────────────────────────────────────────────────

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * One autocannon run against `url + path`. Give `duration` (seconds) or `amount` (requests).
 * Latencies are collected from autocannon's per-response event (sub-millisecond; its own histogram keeps
 * whole milliseconds only) over the expected responses: 2xx, or exactly `expectStatus` when given (to time
 * a 401, 404 or 429 path). `unexpected` counts the others. requestsPerSec counts every completed response.
 */
export function runLoad({ url, method = "GET", path = "/", headers = {}, body, connections = 10, duration, amount, expectStatus, timeout = 30 }) {
  if (duration === undefined && amount === undefined) throw new Error("runLoad: give duration or amount");
  const payload = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
  const allHeaders = { ...(payload !== undefined && typeof body !== "string" ? { "content-type": "application/json" } : {}), ...headers };
  return new Promise((resolveRun, reject) => {
    const latencies = [];
    let unexpected = 0;
    const expected = expectStatus === undefined ? (status) => status >= 200 && status < 300 : (status) => status === expectStatus;
    const instance = autocannon(
      {
        url: `${url}${path}`,
        method,
        headers: allHeaders,
        body: payload,
        connections,
        pipelining: 1,
        timeout,
        ...(amount !== undefined ? { amount } : { duration }),
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        const mean = latencies.length ? latencies.reduce((sum, v) => sum + v, 0) / latencies.length : NaN;
        resolveRun({
          requestsPerSec: result.requests.total / result.duration,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          mean,
          requests: result.requests.total,
          non2xx: result.non2xx,
          unexpected,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds: result.duration,
          statusCodes: result.statusCodeStats,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (expected(statusCode)) latencies.push(responseTime);
      else unexpected++;
    });
  });
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export { median };

/**
 * Runs every target once per round, in order (floor, baseline, target, floor, baseline, target, ...), so that
 * slow drift and bursts of machine noise land on every target alike; reports the median of each figure.
 *
 * A target: { name, url, method, path, headers, body, connections, expectStatus, prepare }. `prepare()` runs
 * before each of its runs (untimed) and may return overrides (e.g. fresh headers). Each target gets an untimed
 * warm-up run first. For every name in `ratioTo`, ratios are computed per round (target ÷ that reference in
 * the same round, seconds apart) and their median is reported.
 *
 * Returns { [name]: { connections, requestsPerSec, p50, p99, mean, non2xx, unexpected, errors, timeouts, runs, ratios } }
 * (figures are medians over rounds; the counts are totals; `runs` holds every round's runLoad result).
 */
export async function alternate(targets, { rounds = 5, duration = 5, connections = 10, warmup = 2, settleMs = 500, ratioTo = [], log = console.error } = {}) {
  const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
  const once = async (target, seconds) => {
    const overrides = (await target.prepare?.()) ?? {};
    const { name: _name, prepare: _prepare, ...spec } = target;
    const result = await runLoad({ connections, ...spec, ...overrides, duration: seconds });
    await sleep(settleMs); // let requests still in flight finish before the next target starts
    return result;
  };
  if (warmup > 0) {
    for (const target of targets) {
      log(`  warm-up ${target.name} (${warmup}s)`);
      await once(target, warmup);
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const result = await once(target, duration);
      runs[target.name].push(result);
      const bad = result.unexpected + result.errors + result.timeouts;
      log(
        `  round ${round}/${rounds} ${target.name.padEnd(22)} ${result.requestsPerSec.toFixed(0).padStart(7)} req/s` +
          `  p50 ${fmtMs(result.p50)} ms  p99 ${fmtMs(result.p99)} ms${bad ? `  unexpected ${result.unexpected} errors ${result.errors} timeouts ${result.timeouts}` : ""}`,
      );
    }
  }
  const summary = {};
  for (const target of targets) {
    const list = runs[target.name];
    const pick = (key) => median(list.map((r) => r[key]));
    const sum = (key) => list.reduce((total, r) => total + r[key], 0);
    summary[target.name] = {
      connections: target.connections ?? connections,
      requestsPerSec: pick("requestsPerSec"),
      p50: pick("p50"),
      p99: pick("p99"),
      mean: pick("mean"),
      non2xx: sum("non2xx"),
      unexpected: sum("unexpected"),
      errors: sum("errors"),
      timeouts: sum("timeouts"),
      runs: list,
      ratios: {},
    };
  }
  for (const reference of ratioTo) {
    if (!runs[reference]) continue;
    for (const target of targets) {
      const perRound = runs[target.name].map((r, i) => r.requestsPerSec / runs[reference][i].requestsPerSec);
      summary[target.name].ratios[reference] = median(perRound);
    }
  }
  return summary;
}

// ─── formatting ───────────────────────────────────────────────────────────────────────────────────────────

export const fmtMs = (v) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : "n/a");
const fmtRatio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "n/a");
const fmtInt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a");

export function markdownTableRows(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Markdown table of an `alternate()` summary: req/s, p50, p99 and the ratios to `floor` and `baseline`.
 * `describe` maps a target name to { label, goal: { ratioTo, min } } for the "what" and "goal" columns.
 */
export function formatTable(summary, { describe = {}, references = ["floor", "baseline"] } = {}) {
  const header = ["Target", "Conns", "req/s", "p50 ms", "p99 ms", ...references.map((r) => `× ${r}`), "unexpected status / errors", "Goal"];
  const rows = Object.entries(summary).map(([name, s]) => {
    const info = describe[name] ?? {};
    const goal = info.goal ? `${info.goal.text ?? `≥ ${info.goal.min} × ${info.goal.ratioTo}`}: ${goalMet(s, info.goal) ? "met" : "**not met**"}` : "";
    return [
      info.label ? `${name}: ${info.label}` : name,
      String(s.connections),
      fmtInt(s.requestsPerSec),
      fmtMs(s.p50),
      fmtMs(s.p99),
      ...references.map((r) => fmtRatio(s.ratios[r])),
      `${s.unexpected} / ${s.errors + s.timeouts}`,
      goal,
    ];
  });
  return markdownTableRows(header, rows);
}

export const goalMet = (s, goal) => s.ratios[goal.ratioTo] >= goal.min && s.unexpected === 0 && s.errors + s.timeouts === 0;

/** Per-round req/s, to show how noisy the run was. */
export function formatRounds(summary) {
  const names = Object.keys(summary);
  const rounds = Math.max(...names.map((n) => summary[n].runs.length));
  const header = ["Round", ...names];
  const rows = Array.from({ length: rounds }, (_, i) => [String(i + 1), ...names.map((n) => fmtInt(summary[n].runs[i]?.requestsPerSec))]);
  return markdownTableRows(header, rows);
}

// ─── CPU cost of the password hash ──────────────────────────────────────────────────────────────────────

/**
 * CPU ms per PBKDF2-SHA256 hash in this Node process (WebCrypto runs it on the libuv pool; process.cpuUsage
 * counts every thread of the process). Hashes run one at a time after a short warm-up, each one timed on
 * its own. `cpuMs` is the total over `count` hashes divided by `count`; the median and the minimum show how much
 * of it other work on the machine added (a busy SMT sibling core can nearly double a hash's CPU time).
 */
export async function nodePbkdf2CpuMs({ iterations = 100_000, count = 20, warmup = 3 } = {}) {
  const { subtle } = globalThis.crypto;
  const key = await subtle.importKey("raw", new TextEncoder().encode("correct horse battery staple"), "PBKDF2", false, ["deriveBits"]);
  const salt = randomBytes(16);
  const hash = () => subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  for (let i = 0; i < warmup; i++) await hash();
  const cpu = [];
  const wall = [];
  for (let i = 0; i < count; i++) {
    const before = process.cpuUsage();
    const started = performance.now();
    await hash();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return {
    cpuMs: cpu.reduce((sum, v) => sum + v, 0) / count,
    cpuMsMedian: median(cpu),
    cpuMsMin: Math.min(...cpu),
    wallMs: median(wall),
    count,
    iterations,
  };
}

// ─── bundle ───────────────────────────────────────────────────────────────────────────────────────────────

function run(command, args, { cwd = projectRoot, env = wranglerEnv() } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const onSignal = () => child.kill("SIGTERM");
    process.once("exit", onSignal);
    child.on("error", reject);
    child.on("close", (code) => {
      process.removeListener("exit", onSignal);
      if (code === 0) resolveRun(output);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

const toKiB = (value, unit) => (unit === "MiB" ? value * 1024 : unit === "KiB" ? value : value / 1024);

/**
 * `wrangler deploy --dry-run --outdir <tmp>`: the upload size wrangler reports (KiB, and gzip KiB), plus
 * wrangler's own esbuild metafile of that upload (unminified, as configured).
 */
export async function wranglerBundleSize({ config = "wrangler.toml" } = {}) {
  const outdir = await mkdtemp(join(tmpdir(), "lightbox-bundle-"));
  try {
    const metafile = join(outdir, "bundle-meta.json");
    const output = await run(process.execPath, [wranglerBin, "deploy", "--dry-run", "-c", config, "--outdir", outdir, "--metafile", metafile]);
    const match = output.match(/Total Upload:\s*([\d.]+)\s*(KiB|MiB|B)\s*\/\s*gzip:\s*([\d.]+)\s*(KiB|MiB|B)/);
    if (!match) throw new Error(`no "Total Upload" line in wrangler's output:\n${output.slice(-2000)}`);
    const meta = JSON.parse(await readFile(metafile, "utf8"));
    // wrangler builds from the config's directory: metafile paths are relative to it.
    const root = dirname(isAbsolute(config) ? config : join(projectRoot, config));
    return { totalKiB: toKiB(Number(match[1]), match[2]), gzipKiB: toKiB(Number(match[3]), match[4]), line: match[0], metafile: meta, root };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * The package a bundled input belongs to: the last node_modules/<name> (or @scope/name); otherwise the app's
 * top folder (metafile paths are relative to the build's working directory, `root`).
 */
export function packageOf(input, root = projectRoot) {
  const path = input.replace(/^[a-z-]+:/, "").split(sep).join("/");
  const parts = path.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at >= 0 && parts[at + 1]) return parts[at + 1].startsWith("@") ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  const rel = (isAbsolute(path) ? relative(root, path) : path).split(sep).join("/");
  const top = rel.split("/").find((part) => part !== "." && part !== "..");
  return rel.startsWith("..") || !top ? `(other) ${path}` : `(app) ${top}/`;
}

/** Sum of `bytesInOutput` per package over every output of an esbuild metafile, largest first. */
export function bytesByPackage(metafile, root = projectRoot) {
  const totals = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const pkg = packageOf(input, root);
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles `entry` with esbuild the way wrangler does (browser platform, conditions workerd/worker/browser,
 * cloudflare:* and Node built-ins external, es2024), but minified, and returns the minified size, its gzip
 * size and the bytes each package contributes. The esbuild is wrangler's own copy.
 */
export async function esbuildContributors({ root = projectRoot, entry = "workers/index.ts" } = {}) {
  const esbuild = createRequire(require.resolve("wrangler/package.json"))("esbuild");
  const nodeBuiltins = builtinModules.filter((m) => !m.startsWith("_")).flatMap((m) => [m, `${m}/*`]);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2024",
    supported: { "import-source": true },
    loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx" },
    external: ["cloudflare:*", "node:*", ...nodeBuiltins],
    define: { "process.env.NODE_ENV": '"production"', "navigator.userAgent": '"Cloudflare-Workers"' },
    metafile: true,
    write: false,
    outdir: join(tmpdir(), "lightbox-esbuild"),
    logLevel: "silent",
  });
  const js = result.outputFiles.filter((f) => f.path.endsWith(".js"));
  const bytes = js.reduce((total, f) => total + f.contents.byteLength, 0);
  const gzip = js.reduce((total, f) => total + gzipSync(f.contents, { level: 9 }).byteLength, 0);
  return { bytes, gzipBytes: gzip, packages: bytesByPackage(result.metafile, root), warnings: result.warnings.length };
}

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
