import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
import type { Request as MiniflareRequest, Response as MiniflareResponse } from "miniflare";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Secrets and vars the tests run with (the real ones live in wrangler secrets / .dev.vars). */
export const testBindings = {
  ENVIRONMENT: "development",
  APP_URL: "http://app.lightbox.test",
  API_URL: "http://lightbox.test",
  PORTAL_URL: "http://lightbox.test/portal",
  CORS_ORIGINS: "http://app.lightbox.test,http://localhost:5173",
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
  GOOGLE_CLIENT_ID: "test-client-id.apps.googleusercontent.com",
  GOOGLE_CLIENT_SECRET: "test-client-secret",
  TOKEN_SEALING_KEY: "dGVzdC1zZWFsaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGU",
};

type FakeGoogle = Awaited<ReturnType<typeof import("./test/support/node/fake-google").startFakeGoogle>>;

/**
 * Google's hosts (wrangler.toml's URLs) answer from the fake Google, started in this process by the function
 * test/support/node/fake-google-global.ts provides; tests reach its control endpoints at http://fake-google.test.
 */
function toFakeGoogle(request: MiniflareRequest): Promise<MiniflareResponse> {
  const start = (globalThis as Record<symbol, unknown>)[Symbol.for("lightbox.test.startFakeGoogle")] as
    | ((options: Parameters<typeof import("./test/support/node/fake-google").startFakeGoogle>[0]) => Promise<FakeGoogle>)
    | undefined;
  if (!start) throw new Error("the fake Google's global setup did not run");
  const fakeGoogle = start({
    clientId: testBindings.GOOGLE_CLIENT_ID,
    clientSecret: testBindings.GOOGLE_CLIENT_SECRET,
    // The Worker's callbacks at the origin of test/support/http.ts.
    redirectUris: ["http://lightbox.test/api/auth/google/callback", "http://lightbox.test/api/calendar/google/callback"],
  });
  // miniflare wraps a Response from Node's own fetch into its own type.
  return fakeGoogle.then((google) => google.outbound(request) as unknown as Promise<MiniflareResponse>);
}

export default defineConfig({
  resolve: { alias: { "@shared": `${root}shared` } },
  test: {
    // The Worker's structured log lines (one per request, job and cron task) would drown the report.
    // SHOW_LOGS=1 keeps them, to see why a test got a 500.
    onConsoleLog: (log) => process.env.SHOW_LOGS === "1" || !log.trimStart().startsWith('{"level":'),
    projects: [
      {
        // Workers-pool tests: the Worker and the tests run inside workerd with miniflare's D1, R2, queues,
        // rate limiters, email and Browser Rendering (local Chromium, see scripts/setup-browser.mjs).
        extends: true,
        plugins: [
          cloudflareTest(async () => ({
            main: "./workers/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { ...testBindings, TEST_MIGRATIONS: await readD1Migrations(`${root}migrations`) },
              outboundService: toFakeGoogle,
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          setupFiles: ["./test/support/apply-migrations.ts"],
          globalSetup: ["./test/support/node/fake-google-global.ts"],
          testTimeout: 30_000,
        },
      },
      {
        // End-to-end: the real Worker under `wrangler dev` on loopback, driven from Node with real clients.
        extends: true,
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["./test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
