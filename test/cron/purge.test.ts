import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { authThrottles, jobRuns, oauthStates, oneTimeTokens, refreshFamilies, refreshTokens, users } from "@shared/db/schema";
import worker from "../../workers/index";

const db = createDb(env.DB);
const NOW = Date.parse("2026-11-21T10:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW + offsetMs);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function seed() {
  await db.insert(users).values({ id: "u1", email: "purge@studio.test", firstName: "P", lastName: "U", createdAt: at(-DAY), updatedAt: at(-DAY) });
  await db.insert(refreshFamilies).values([
    { id: "fam-live", userId: "u1", createdAt: at(-DAY) },
    { id: "fam-revoked-recently", userId: "u1", createdAt: at(-DAY), revokedAt: at(-HOUR), revokedReason: "LOGOUT" },
    { id: "fam-revoked-long-ago", userId: "u1", createdAt: at(-10 * DAY), revokedAt: at(-2 * DAY), revokedReason: "LOGOUT" },
    { id: "fam-all-expired", userId: "u1", createdAt: at(-40 * DAY) },
  ]);
  const token = (id: string, familyId: string, expiresIn: number, used = false) => ({
    id, familyId, userId: "u1", tokenHash: `hash-${id}`, expiresAt: at(expiresIn), usedAt: used ? at(-HOUR) : null, createdAt: at(-DAY),
  });
  await db.insert(refreshTokens).values([
    token("rt-live", "fam-live", 10 * DAY),
    token("rt-live-spent", "fam-live", 9 * DAY, true), // kept: replaying it must still be recognised
    token("rt-expired", "fam-live", -HOUR),
    token("rt-recent-revoked", "fam-revoked-recently", 10 * DAY),
    token("rt-old-revoked", "fam-revoked-long-ago", 10 * DAY),
    token("rt-all-expired", "fam-all-expired", -DAY),
  ]);
  const ott = (id: string, expiresIn: number, consumed = false) => ({
    id, userId: "u1", purpose: "PASSWORD_RESET" as const, tokenHash: `ott-${id}`, expiresAt: at(expiresIn), consumedAt: consumed ? at(-60_000) : null, createdAt: at(-HOUR),
  });
  await db.insert(oneTimeTokens).values([ott("ott-live", 20 * 60_000), ott("ott-expired", -60_000), ott("ott-consumed", 20 * 60_000, true)]);
  await db.insert(oauthStates).values([
    { stateHash: "state-live", codeVerifier: "v", expiresAt: at(5 * 60_000), createdAt: at(-60_000) },
    { stateHash: "state-expired", codeVerifier: "v", expiresAt: at(-60_000), createdAt: at(-HOUR) },
  ]);
  await db.insert(authThrottles).values([
    { key: "login:ip:1.1.1.1", blockedUntil: at(30_000) },
    { key: "login:ip:2.2.2.2", blockedUntil: at(-30_000) },
  ]);
  const run = (key: string, status: "DONE" | "FAILED" | "RUNNING", completedAgo: number | null) => ({
    key, type: "email.send", status, attempts: 1, createdAt: at(-30 * DAY), updatedAt: at(-30 * DAY), completedAt: completedAgo === null ? null : at(-completedAgo),
  });
  await db.insert(jobRuns).values([run("job-done-old", "DONE", 15 * DAY), run("job-done-recent", "DONE", DAY), run("job-failed-old", "FAILED", null)]);
}

const ids = async <T extends Record<string, unknown>>(rows: Promise<T[]>, column: keyof T) => (await rows).map((row) => row[column]).sort();

describe("cron: purge expired and revoked tokens", () => {
  it("removes what can no longer be used and nothing else", async () => {
    await seed();
    const controller = createScheduledController({ cron: "0 * * * *", scheduledTime: NOW });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    expect(await ids(db.select().from(refreshFamilies), "id")).toEqual(["fam-live", "fam-revoked-recently"]);
    expect(await ids(db.select().from(refreshTokens), "id")).toEqual(["rt-live", "rt-live-spent", "rt-recent-revoked"]);
    expect(await ids(db.select().from(oneTimeTokens), "id")).toEqual(["ott-live"]);
    expect(await ids(db.select().from(oauthStates), "stateHash")).toEqual(["state-live"]);
    expect(await ids(db.select().from(authThrottles), "key")).toEqual(["login:ip:1.1.1.1"]);
    expect(await ids(db.select().from(jobRuns), "key")).toEqual(["job-done-recent", "job-failed-old"]);
    expect(await ids(db.select().from(users), "id")).toEqual(["u1"]);

    // Running twice changes nothing more.
    const again = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 * * * *", scheduledTime: NOW }), env, again);
    await waitOnExecutionContext(again);
    expect(await ids(db.select().from(refreshTokens), "id")).toEqual(["rt-live", "rt-live-spent", "rt-recent-revoked"]);
  });

  it("ignores an expression it has no task for, without failing", async () => {
    const ctx = createExecutionContext();
    await expect(worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: NOW }), env, ctx)).resolves.toBeUndefined();
    await waitOnExecutionContext(ctx);
  });
});
