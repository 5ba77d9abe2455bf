import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Secrets and vars the tests run with (the real ones live in wrangler secrets / .dev.vars). */
export const testBindings = {
  ENVIRONMENT: "development",
  APP_URL: "http://app.lightbox.test",
  API_URL: "http://lightbox.test",
  CORS_ORIGINS: "http://app.lightbox.test,http://localhost:5173",
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
  GOOGLE_CLIENT_ID: "test-client-id.apps.googleusercontent.com",
  GOOGLE_CLIENT_SECRET: "test-client-secret",
};

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
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          setupFiles: ["./test/support/apply-migrations.ts"],
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
