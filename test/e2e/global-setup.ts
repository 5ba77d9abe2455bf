// One real Worker for the whole e2e project: `wrangler dev` on loopback with a fresh persistence directory,
// Google pointed at a local fake that speaks its OAuth 2.0 and Calendar API wire formats. Tests reach both over
// HTTP via inject().
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startWorker, type RunningWorker } from "../support/node/dev-server";
import { startFakeGoogle } from "../support/node/fake-google";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the Worker under `wrangler dev`, e.g. http://127.0.0.1:41234 */
    workerUrl: string;
    /** Origin of the fake Google (test/support/node/fake-google.ts). */
    fakeGoogleUrl: string;
    googleClientId: string;
    /** The Worker's APP_URL: links in emails and the Google completion redirect point here. */
    appUrl: string;
    /** File receiving everything `wrangler dev` prints (the Worker's console lines included). */
    workerLogPath: string;
    /** The Worker's JWT_SECRET, for tests that must forge tokens (e.g. a verified token lacking claims). */
    jwtSecret: string;
    /** The Socket.IO ping interval the Worker runs with (short, so tests see pings and dead clients). */
    socketPingIntervalMs: number;
  }
}

/** The dashboard's origin. A port in it also proves `--var KEY:VALUE` keeps every ':' of the value. */
const APP_URL = "http://localhost:5173";

export default async function setup(project: TestProject) {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "lightbox-e2e-"));
  const persistTo = join(dir, "state");
  const google = await startFakeGoogle({
    clientId: "e2e-client-0001.apps.googleusercontent.com",
    clientSecret: `GOCSPX-${randomBytes(18).toString("base64url")}`,
  });
  let worker: RunningWorker | undefined;
  let log: ReturnType<typeof createWriteStream> | undefined;
  const teardown = async () => {
    await worker?.stop();
    const out = log;
    log = undefined;
    if (out) await new Promise((resolve) => out.end(resolve));
    await google.close();
    if (!process.env.E2E_KEEP_STATE) await rm(dir, { recursive: true, force: true });
  };

  const jwtSecret = randomBytes(48).toString("base64url");
  const socketPingIntervalMs = 2000;
  try {
    worker = await startWorker({
      persistTo,
      testScheduled: true,
      vars: {
        ENVIRONMENT: "development",
        APP_URL,
        CORS_ORIGINS: `${APP_URL},http://127.0.0.1:5173`,
        JWT_SECRET: jwtSecret,
        SOCKET_PING_INTERVAL_MS: String(socketPingIntervalMs),
        SOCKET_PING_TIMEOUT_MS: "2000",
        PASSWORD_PEPPER: randomBytes(32).toString("base64url"),
        GOOGLE_CLIENT_ID: google.clientId,
        GOOGLE_CLIENT_SECRET: google.clientSecret,
        GOOGLE_AUTH_URL: google.authUrl,
        GOOGLE_TOKEN_URL: google.tokenUrl,
        GOOGLE_USERINFO_URL: google.userinfoUrl,
        GOOGLE_CALENDAR_API_URL: google.calendarApiUrl,
        GOOGLE_REVOKE_URL: google.revokeUrl,
        TOKEN_SEALING_KEY: randomBytes(32).toString("base64url"),
      },
    });
    // Keep the Worker's output in a file tests can read (cron results, unhandled errors).
    const workerLogPath = join(dir, "wrangler-dev.log");
    log = createWriteStream(workerLogPath);
    log.write(worker.output());
    worker.child.stdout?.on("data", (chunk: Buffer) => log?.write(chunk));
    worker.child.stderr?.on("data", (chunk: Buffer) => log?.write(chunk));

    google.allowRedirectUri(`${worker.url}/api/auth/google/callback`);
    google.allowRedirectUri(`${worker.url}/api/calendar/google/callback`);
    project.provide("workerUrl", worker.url);
    project.provide("fakeGoogleUrl", google.url);
    project.provide("googleClientId", google.clientId);
    project.provide("appUrl", APP_URL);
    project.provide("workerLogPath", workerLogPath);
    project.provide("jwtSecret", jwtSecret);
    project.provide("socketPingIntervalMs", socketPingIntervalMs);
    console.log(`[e2e] wrangler dev on ${worker.url}, fake Google on ${google.url} (ready in ${Date.now() - started} ms)`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
