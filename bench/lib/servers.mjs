// The wrangler dev servers a benchmark runs against: the app and the floor Worker on loopback, each tracked
// so that stopAll(), an error, Ctrl-C or SIGTERM ends its whole process group; snapshots of the sources they
// serve; and a fetch helper for setting up state on them before a load run.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { groupAlive, projectRoot, startWorker } from "../../scripts/dev-server.mjs";


// ─── processes ────────────────────────────────────────────────────────────────────────────────────────────
// Every wrangler dev we start is tracked here, so that an error, Ctrl-C or SIGTERM still ends them all.
// startWorker spawns wrangler detached: it leads its own process group (wrangler, its node child, workerd),
// so the group id is the wrangler pid and "nothing left" means "no process in that group".

const live = new Set(); // worker handles not yet stopped
const pending = new Set(); // startWorker promises not yet settled
const cleanups = new Set(); // temp directories to remove once the Workers are stopped
const groups = new Set(); // every process group ever started here, for runningGroups()
let interrupted = null;

/** Stops one tracked Worker (startWorker's stop ends its whole process group), then its afterStop clean-up. */
export async function stopWorker(worker) {
  if (!live.delete(worker)) return;
  await worker.stop().catch(() => {});
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
