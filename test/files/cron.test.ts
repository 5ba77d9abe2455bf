import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { exportsTable, fileUploads } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import worker from "../../workers/index";
import { POSITION_KEY, removeOrphanFiles } from "../../workers/cron/orphan-files";
import { api } from "../support/http";
import { auditRowsOf, db, owner, png, uploadOk } from "./helpers";

const HOUR = 3_600_000;

/** Runs the hourly schedule as the platform would, at `at` (R2's upload times are real: the clock moves instead). */
async function runHourly(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "0 * * * *", scheduledTime: at }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const keys = async () => (await env.FILES.list()).objects.map((o) => o.key).filter((k) => k !== POSITION_KEY).sort();

describe("cron: orphan files and expired uploads", () => {
  it("removes file and export objects no row claims once older than an hour, and keeps files, uploads in progress, exports and other prefixes", async () => {
    const { account, token, contactId } = await owner();
    const me = account.user.id;
    const kept = await uploadOk(token, `/api/contacts/${contactId}`, png(), "kept.png");
    const orphanKey = `${me}/files/0190f0e0-0000-7000-8000-00000000dead`;
    await env.FILES.put(orphanKey, png(100));
    // An upload in progress whose object exists already (completed in R2, row swap not done yet).
    const pending = await api(`/api/contacts/${contactId}/uploads`, { token, json: { name: "big.zip" } });
    const claimedKey = `${me}/files/${pending.body.uploadId}`;
    await env.FILES.put(claimedKey, png(100));
    // A READY export claims its object by r2_key; a FAILED one (no r2_key) and a removed one (no row) do not.
    const [readyId, failedId] = [newId(), newId()];
    const exportKey = `${me}/exports/${readyId}.csv`;
    const failedExportKey = `${me}/exports/${failedId}.json`;
    const orphanExportKey = `${me}/exports/0190f0e0-0000-7000-8000-00000000beef.xlsx`;
    const now = new Date();
    await auditedBatch(db, { type: "SYSTEM", id: null, requestId: null }, [
      db.insert(exportsTable).values([
        { id: readyId, ownerId: me, entity: "contacts", format: "csv", status: "READY", r2Key: exportKey, expiresAt: new Date(now.getTime() + 7 * 24 * HOUR), createdAt: now, updatedAt: now },
        { id: failedId, ownerId: me, entity: "sessions", format: "json", status: "FAILED", r2Key: null, error: "boom", createdAt: now, updatedAt: now },
      ]),
    ]);
    for (const key of [exportKey, failedExportKey, orphanExportKey]) await env.FILES.put(key, "a,b\n");
    const otherKey = `${me}/avatars/me.png`;
    await env.FILES.put(otherKey, png(10));
    const all = [`${me}/files/${kept.id}`, orphanKey, claimedKey, exportKey, failedExportKey, orphanExportKey, otherKey].sort();

    // Everything is fresh: an upload in flight (object written, row not yet) must survive.
    await runHourly(Date.now());
    expect(await keys()).toEqual(all);

    await runHourly(Date.now() + 2 * HOUR);
    expect(await keys()).toEqual(all.filter((k) => ![orphanKey, failedExportKey, orphanExportKey].includes(k)));
    expect(await db.select().from(fileUploads).where(eq(fileUploads.id, pending.body.uploadId))).toHaveLength(1);

    // A day later the upload has expired (24 h, plus an hour's grace): aborted, its object and row removed.
    await runHourly(Date.now() + 26 * HOUR);
    expect(await keys()).toEqual([`${me}/files/${kept.id}`, exportKey, otherKey].sort());
    expect(await db.select().from(fileUploads).where(eq(fileUploads.id, pending.body.uploadId))).toEqual([]);
    const trail = await auditRowsOf("file_upload", pending.body.uploadId);
    expect(trail.map((t) => [t.action, t.actorType, t.actorId])).toEqual([
      ["CREATE", "USER", me],
      ["DELETE", "SYSTEM", "cron:orphan-files"],
    ]);
    expect((await api(`/api/files/${kept.id}`, { token })).status).toBe(200);
  });

  it("stays bounded per run and resumes where the previous run stopped, starting over at the end", async () => {
    // Storage is shared by the tests of a file: start from an empty bucket so the counts are this test's.
    await env.FILES.delete((await env.FILES.list()).objects.map((o) => o.key));
    const { account } = await owner();
    const base = `${account.user.id}/files/0190f0e0-0000-7000-8000-0000000000`;
    for (let i = 10; i < 17; i++) await env.FILES.put(`${base}${i}`, "x");
    const ctx = { env, db, now: new Date(Date.now() + 2 * HOUR) };
    const limits = { pageSize: 2, maxPages: 2, maxUploads: 10 };

    const first = await removeOrphanFiles(ctx, limits);
    expect(first).toMatchObject({ objectsListed: 4, orphansRemoved: 4, sweepComplete: 0 });
    expect(await (await env.FILES.get(POSITION_KEY))!.text()).toBe(`${base}13`);

    const second = await removeOrphanFiles(ctx, limits);
    expect(second).toMatchObject({ orphansRemoved: 3, sweepComplete: 1 });
    expect(await env.FILES.head(POSITION_KEY)).toBeNull();
    expect(await keys()).toEqual([]);
  });
});
