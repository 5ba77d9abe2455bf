#!/usr/bin/env node
// `npm start`: the real Worker under `wrangler dev` on loopback, with local D1, R2, Queues, crons, email
// capture and Browser Rendering (Debian's chromium). State persists under .wrangler/state between runs.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, startWorker } from "./dev-server.mjs";
import { setupBrowser } from "./setup-browser.mjs";

const log = (msg) => console.log(`[start] ${msg}`);

/**
 * First run: .dev.vars from the committed example, with fresh random secrets instead of the placeholders. A
 * .dev.vars made before a secret existed gets that secret appended.
 */
function ensureDevVars() {
  const target = join(projectRoot, ".dev.vars");
  const secret = (bytes) => randomBytes(bytes).toString("base64url");
  if (existsSync(target)) {
    if (!/^TOKEN_SEALING_KEY=/m.test(readFileSync(target, "utf8"))) {
      appendFileSync(target, `\n# Seals Google Calendar tokens at rest (added by npm start).\nTOKEN_SEALING_KEY=${secret(32)}\n`);
      log("added a fresh TOKEN_SEALING_KEY to .dev.vars");
    }
    return;
  }
  const example = readFileSync(join(projectRoot, ".dev.vars.example"), "utf8");
  const content = example
    .replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${secret(48)}`)
    .replace(/^PASSWORD_PEPPER=.*$/m, `PASSWORD_PEPPER=${secret(32)}`)
    .replace(/^TOKEN_SEALING_KEY=.*$/m, `TOKEN_SEALING_KEY=${secret(32)}`);
  writeFileSync(target, content, { mode: 0o600 });
  log("created .dev.vars with fresh JWT_SECRET, PASSWORD_PEPPER and TOKEN_SEALING_KEY");
}

async function main() {
  setupBrowser();
  ensureDevVars();

  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT must be a TCP port, not ${process.env.PORT}`);
  const origin = `http://127.0.0.1:${port}`;

  // Handlers go in before wrangler starts: wrangler dev runs in its own process group (so it can be stopped
  // as a whole), which also means a Ctrl+C in the terminal reaches only us, and we must pass it on.
  let worker = null;
  let stopRequested = null;
  const shutdown = async (signal) => {
    if (stopRequested) return;
    stopRequested = signal;
    if (!worker) return log(`${signal}: stopping once wrangler dev has started`);
    log(`${signal}: stopping wrangler dev`);
    await worker.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  worker = await startWorker({
    port,
    inherit: true,
    testScheduled: true,
    vars: {
      ENVIRONMENT: "development",
      APP_URL: origin,
      API_URL: origin,
      PORTAL_URL: `${origin}/portal`,
      CORS_ORIGINS: `${origin},http://localhost:${port},http://localhost:5173`,
    },
  });
  if (stopRequested) {
    await worker.stop();
    process.exit(0);
  }
  // wrangler dev ending on its own ends `npm start` with its status.
  worker.child.once("exit", (code, signal) => {
    if (stopRequested) return;
    log(`wrangler dev exited (${signal ?? code})`);
    process.exit(code ?? 1);
  });

  log(`Lightbox on ${worker.url}  ·  API reference ${worker.url}/api/docs  ·  mailbox ${worker.url}/api/dev/mailbox`);
}

main().catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
