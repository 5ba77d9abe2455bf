// Typed face of scripts/dev-server.mjs for Node-side tests (the script is plain JavaScript, and TypeScript
// cannot infer its optional options from destructuring defaults).
import * as impl from "../../../scripts/dev-server.mjs";

export interface StartWorkerOptions {
  /** Default: a free port. */
  port?: number;
  /** Local state directory (`--persist-to`); default .wrangler/state. */
  persistTo?: string;
  /** `--var KEY:VALUE` each: override wrangler.toml and .dev.vars. */
  vars?: Record<string, string>;
  config?: string;
  /** Apply the D1 migrations to the persistence directory first (default true). */
  migrate?: boolean;
  /** `--test-scheduled`: GET/POST /__scheduled?cron=... runs the scheduled handler. */
  testScheduled?: boolean;
  readyPath?: string;
  timeoutMs?: number;
  inherit?: boolean;
}

export interface RunningWorker {
  url: string;
  port: number;
  pid: number;
  child: import("node:child_process").ChildProcess;
  stop(): Promise<void>;
  /** The last 200 kB wrangler printed (when not inherited). */
  output(): string;
}

export const startWorker = impl.startWorker as unknown as (options?: StartWorkerOptions) => Promise<RunningWorker>;
export const applyLocalMigrations = impl.applyLocalMigrations as unknown as (options?: { persistTo?: string; config?: string }) => Promise<void>;
export const freePort = impl.freePort as unknown as () => Promise<number>;
export const projectRoot: string = impl.projectRoot;
export const wranglerBin: string = impl.wranglerBin;
export const wranglerEnv = impl.wranglerEnv as () => NodeJS.ProcessEnv;
