import { readFile } from "node:fs/promises";
import { describe, expect, inject, it } from "vitest";
import { api, expectProblem, refresh, register, workerUrl } from "../support/node/api";

/** The JSON lines the Worker logged. wrangler dev prints console.log lines as they are and console.error
 *  ones behind a coloured "✘ [ERROR]" marker, so the JSON is taken from wherever it starts on the line. */
async function workerLogLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(inject("workerLogPath"), "utf8");
  return text
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .flatMap((line) => {
      const json = line.match(/\{.*\}\s*$/)?.[0];
      if (!json) return [];
      try {
        return [JSON.parse(json) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Waits (bounded) until the Worker logged a line matching `match` after the first `skip` lines. */
async function waitForLogLine(skip: number, match: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = (await workerLogLines()).slice(skip);
    const found = lines.find(match);
    if (found) return { found, lines };
    if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; new lines: ${JSON.stringify(lines.slice(-20))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const runCron = (cron: string) => fetch(`${workerUrl()}/__scheduled?cron=${encodeURIComponent(cron).replace(/%20/g, "+")}`);

describe("cron through wrangler dev's /__scheduled", () => {
  it("runs the hourly purge without failing, and live sessions survive it", async () => {
    const account = await register();
    const rotated = await refresh(account.refreshToken);
    expect(rotated.status).toBe(200);

    const before = (await workerLogLines()).length;
    const res = await runCron("0 * * * *");
    // The middleware awaits the scheduled handler: a task failure would surface as a 500 here.
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Ran scheduled event");
    const { found, lines } = await waitForLogLine(before, (l) => l.msg === "cron task done" && l.task === "purge-expired-auth-data");
    expect(found).toMatchObject({ cron: "0 * * * *", refreshTokens: expect.any(Number), oneTimeTokens: expect.any(Number) });
    expect(lines.filter((l) => l.level === "error")).toEqual([]);

    // Nothing alive was purged: the current login still works...
    expect((await api("/api/users/me", { token: rotated.body.accessToken })).status).toBe(200);
    const next = await refresh(rotated.body.refreshToken);
    expect(next.status, next.text).toBe(200);
    // ...and the spent token is still recognised as a replay, ending the login.
    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    expectProblem(await refresh(next.body.refreshToken), 401, "UNAUTHORIZED");
  });

  it("logs an expression it has no task for", async () => {
    const before = (await workerLogLines()).length;
    const res = await runCron("*/7 * * * *");
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const { found } = await waitForLogLine(before, (l) => l.msg === "no task for cron expression");
    expect(found).toMatchObject({ cron: "*/7 * * * *" });
  });
});
