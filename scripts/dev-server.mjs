// Starts the real Worker under `wrangler dev` on loopback: used by `npm start`, the end-to-end tests and the
// benchmarks. Local D1 migrations are applied to the same persistence directory first.
import { spawn, execFile } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const require = createRequire(import.meta.url);
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const wranglerBin = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
const execFileAsync = promisify(execFile);

/** Environment for wrangler child processes: no telemetry, no prompts (the machine may be offline). */
export const wranglerEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "true", NO_COLOR: "1" });

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export async function applyLocalMigrations({ persistTo, config = "wrangler.toml" } = {}) {
  const args = [wranglerBin, "d1", "migrations", "apply", "DB", "--local", "-c", config];
  if (persistTo) args.push("--persist-to", persistTo);
  await execFileAsync(process.execPath, args, { cwd: projectRoot, env: wranglerEnv() });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True while any process of the group led by `pgid` is alive. */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

async function waitForHttp(url, { timeoutMs, child, output }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts `wrangler dev` and resolves once `readyPath` answers. `vars` are passed as `--var KEY:VALUE`
 * (they override wrangler.toml and .dev.vars). Returns the base URL and a `stop()` that ends the process group.
 */
export async function startWorker({
  port,
  persistTo,
  vars = {},
  config = "wrangler.toml",
  migrate = true,
  testScheduled = false,
  readyPath = "/api/health",
  timeoutMs = 120_000,
  inherit = false,
} = {}) {
  const listenPort = port ?? (await freePort());
  if (migrate) await applyLocalMigrations({ persistTo, config });
  const args = [wranglerBin, "dev", "-c", config, "--ip", "127.0.0.1", "--port", String(listenPort), "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false"];
  if (persistTo) args.push("--persist-to", persistTo);
  if (testScheduled) args.push("--test-scheduled");
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: wranglerEnv(),
    stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  let log = "";
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${listenPort}`;
  // wrangler leads its own process group (wrangler, its node child, workerd). Stopping ends the whole group,
  // forcibly after 5 s, and resolves only once no process of it is left: workerd writes its local state
  // until it exits, so callers may remove that state right after.
  const stop = async () => {
    if (!groupAlive(child.pid)) return;
    signalGroup(child.pid, "SIGTERM");
    for (let i = 0; i < 50 && groupAlive(child.pid); i++) await sleep(100);
    if (groupAlive(child.pid)) signalGroup(child.pid, "SIGKILL");
    for (let i = 0; i < 20 && groupAlive(child.pid); i++) await sleep(100);
  };
  try {
    await waitForHttp(`${url}${readyPath}`, { timeoutMs, child, output: () => log });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port: listenPort, pid: child.pid, child, stop, output: () => log };
}
