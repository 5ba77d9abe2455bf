import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { JobMessage } from "@shared/contracts/jobs";
import { auditedBatch } from "@shared/db/audited";
import { jobRuns, scheduledEmails } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import worker from "../../workers/index";
import { schedules } from "../../workers/cron";
import { markJobFailed } from "../../workers/jobs/runs";
import { anniversaryOf, nextYearly, queueDueScheduledEmails, requeueStaleScheduledEmails, sendScheduledEmail } from "../../workers/modules/scheduled-emails/send";
import { api, errorPaths } from "../support/http";
import { recordingDeps, runJob, settledMails, type SentJob } from "../support/jobs";
import { db, owner, row, schedule } from "./helpers";

const MINUTE = 60_000;
const recording = () => recordingDeps((body) => body.type === "email.send");
const jobFor = (sent: SentJob[], id: string, occurrence: number) => sent.find((job) => job.body.key === `scheduled-email:${id}:${occurrence}`);

async function parkInDeadLetterQueue(body: JobMessage) {
  const batch = createMessageBatch("lightbox-jobs-dlq", [{ id: `dlq-${newId()}`, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<never>, env, ctx);
  await getQueueResult(batch, ctx);
}

describe("scheduled emails: every year from the anniversary", () => {
  it("sends a 29 February email on 28 February in common years and on 29 February again in 2036", async () => {
    const o = await owner();
    const leap = await schedule(o, { sendAt: "2032-02-29T09:00:00+01:00", timezone: "Europe/Paris", repeat: "YEARLY" });
    expect(leap.anniversary).toBe("2032-02-29T09:00");
    const rec = recording();
    const expected = ["2033-02-28T08:00:00.000Z", "2034-02-28T08:00:00.000Z", "2035-02-28T08:00:00.000Z", "2036-02-29T08:00:00.000Z"];
    let due = new Date(leap.sendAt);
    for (const [occurrence, sendAt] of expected.entries()) {
      await queueDueScheduledEmails({ env: rec.deps.env, db, now: new Date(due.getTime() + MINUTE) });
      expect(await runJob(rec.deps, jobFor(rec.sent, leap.id, occurrence)!)).toEqual({ action: "ack" });
      expect(await row(leap.id)).toMatchObject({ status: "SCHEDULED", occurrence: occurrence + 1, sendAt: new Date(sendAt), anniversary: "2032-02-29T09:00" });
      due = new Date(sendAt);
    }
    expect(await settledMails(o.email, rec.sent)).toHaveLength(4);
  });

  it("keeps 02:30 in New York for the years that have it, when the first one fell in the spring-forward gap", async () => {
    const o = await owner();
    // 9 March 2031 skips 02:00–03:00: the first email goes at 03:30 EDT, later years at 02:30.
    const dst = await schedule(o, { sendAt: "2031-03-09T02:30:00-05:00", timezone: "America/New_York", repeat: "YEARLY" });
    expect(dst).toMatchObject({ sendAt: "2031-03-09T07:30:00.000Z", anniversary: "2031-03-09T02:30" });
    expect(nextYearly(dst.anniversary, "America/New_York", new Date(dst.sendAt), new Date(dst.sendAt))).toEqual(new Date("2032-03-09T07:30:00.000Z"));
    // In 2036 9 March is the spring-forward Sunday again: that year only, 03:30 EDT.
    expect(nextYearly(dst.anniversary, "America/New_York", new Date("2035-03-09T07:30:00.000Z"), new Date("2035-03-10T00:00:00Z"))).toEqual(new Date("2036-03-09T07:30:00.000Z"));
    expect(nextYearly(dst.anniversary, "America/New_York", new Date("2036-03-09T07:30:00.000Z"), new Date("2036-03-10T00:00:00Z"))).toEqual(new Date("2037-03-09T06:30:00.000Z"));
    // A UTC time names no wall time: the zone's local time of that instant is kept.
    expect(anniversaryOf(new Date("2031-03-09T07:30:00Z"), "America/New_York", "2031-03-09T07:30:00Z")).toBe("2031-03-09T03:30");
    // PATCHing the time or zone moves the anniversary with it; a one-off email has none.
    const moved = await api(`/api/scheduled-emails/${dst.id}`, { method: "PATCH", token: o.token, json: { sendAt: "2031-06-01T18:15:00-04:00" } });
    expect(moved.body.anniversary).toBe("2031-06-01T18:15");
    const once = await api(`/api/scheduled-emails/${dst.id}`, { method: "PATCH", token: o.token, json: { repeat: "NONE" } });
    expect(once.body.anniversary).toBeNull();
  });
});

describe("scheduled emails: claims, failures and the cron", () => {
  it("claims the occurrence before sending: a cancel after the claim is a 409, and a rerun sends the same email once", async () => {
    const o = await owner();
    const created = await schedule(o, {});
    const rec = recording();
    await queueDueScheduledEmails({ env: rec.deps.env, db, now: new Date(Date.parse(created.sendAt) + MINUTE) });
    const job = jobFor(rec.sent, created.id, 0)!;
    // The job claims the row, then its email cannot reach the queue.
    const broken = { ...rec.deps, env: { ...rec.deps.env, JOBS: { send: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue } };
    await expect(sendScheduledEmail(broken, job.body.payload as { scheduledEmailId: string; occurrence: number }, job.body.key)).rejects.toThrow("queue unavailable");
    expect(await row(created.id)).toMatchObject({ status: "SENT", occurrence: 1 });
    const cancel = await api(`/api/scheduled-emails/${created.id}/cancel`, { method: "POST", token: o.token });
    expect(cancel.status).toBe(409);
    // The retry finds it claimed and hands over the same email key; a second rerun changes nothing.
    expect(await runJob(rec.deps, job, 2)).toEqual({ action: "ack" });
    await sendScheduledEmail(rec.deps, job.body.payload as { scheduledEmailId: string; occurrence: number }, job.body.key);
    expect(new Set(rec.ofType("email.send").map((j) => j.body.key))).toEqual(new Set([`${job.body.key}:email`]));
    expect(await settledMails(o.email, rec.sent)).toHaveLength(1);
  });

  it("parks a job that always fails: a one-off email ends FAILED, a yearly one moves on, and the sweep stops", async () => {
    const o = await owner();
    const once = await schedule(o, {});
    const yearly = await schedule(o, { sendAt: "2030-05-04T10:00:00+02:00", timezone: "Europe/Paris", repeat: "YEARLY" });
    const rec = recordingDeps(() => false);
    const claimedAt = new Date(Date.parse(yearly.sendAt) + MINUTE);
    await queueDueScheduledEmails({ env: rec.deps.env, db, now: claimedAt });
    // The sweep re-enqueues and moves queued_at, so the next sweep waits another fifteen minutes.
    const sweepAt = new Date(claimedAt.getTime() + 16 * MINUTE);
    expect(await requeueStaleScheduledEmails({ env: rec.deps.env, db, now: sweepAt })).toMatchObject({ requeued: expect.any(Number) });
    expect((await row(once.id)).queuedAt).toEqual(sweepAt);
    await requeueStaleScheduledEmails({ env: rec.deps.env, db, now: new Date(sweepAt.getTime() + 5 * MINUTE) });
    expect(rec.sent.filter((j) => j.body.key === `scheduled-email:${once.id}:0`)).toHaveLength(2);

    for (const id of [once.id, yearly.id]) {
      const job = jobFor(rec.sent, id, 0)!;
      await db.insert(jobRuns).values({ key: job.body.key, type: job.body.type, status: "RUNNING", attempts: 5, createdAt: new Date(), updatedAt: new Date() }).onConflictDoNothing();
      await markJobFailed(db, job.body.key, "Error: the mail provider refused it");
      await parkInDeadLetterQueue(job.body);
    }
    expect(await row(once.id)).toMatchObject({ status: "FAILED", occurrence: 0, queuedAt: null, lastError: "Error: the mail provider refused it" });
    expect(await row(yearly.id)).toMatchObject({ status: "SCHEDULED", occurrence: 1, sendAt: new Date("2031-05-04T08:00:00.000Z"), lastError: "Error: the mail provider refused it" });
    const shown = await api(`/api/scheduled-emails/${once.id}`, { token: o.token });
    expect(shown.body).toMatchObject({ status: "FAILED", lastError: "Error: the mail provider refused it" });
    const before = rec.sent.length;
    await requeueStaleScheduledEmails({ env: rec.deps.env, db, now: new Date(sweepAt.getTime() + 60 * MINUTE) });
    expect(rec.sent.slice(before).filter((j) => [once.id, yearly.id].includes((j.body.payload as { scheduledEmailId: string }).scheduledEmailId))).toHaveLength(0);
  });

  it("claims batch after batch in one run while they come back full, enqueued with sendBatch", async () => {
    const o = await owner();
    const past = new Date(Date.now() - 60 * MINUTE);
    const ids = Array.from({ length: 130 }, () => newId());
    const [first, ...rest] = ids.map((id) =>
      db.insert(scheduledEmails).values({ id, ownerId: o.ownerId, contactId: o.contactId, subject: "Hi", body: "Hello", sendAt: past, timezone: "UTC", createdAt: past, updatedAt: past }),
    );
    await auditedBatch(db, { type: "USER", id: o.ownerId, requestId: null }, [first!, ...rest]);
    const rec = recordingDeps(() => false);
    const result = await queueDueScheduledEmails({ env: rec.deps.env, db, now: new Date() });
    expect(result.queued).toBeGreaterThanOrEqual(130);
    const keys = new Set(rec.ofType("scheduled-email.send").map((j) => j.body.key));
    for (const id of ids) expect(keys).toContain(`scheduled-email:${id}:0`);
    expect((await db.select({ status: scheduledEmails.status }).from(scheduledEmails).where(eq(scheduledEmails.ownerId, o.ownerId))).every((r) => r.status === "QUEUED")).toBe(true);
  });

  it("refuses an email that could outgrow a queue message, at body.body", async () => {
    const o = await owner();
    const res = await api("/api/scheduled-emails", { token: o.token, json: { contactId: o.contactId, subject: "Hi", body: '"'.repeat(19_000), sendAt: new Date(Date.now() + 86_400_000).toISOString() } });
    expect(errorPaths(res)).toEqual(["body.body"]);
    const created = await schedule(o, {});
    const patched = await api(`/api/scheduled-emails/${created.id}`, { method: "PATCH", token: o.token, json: { body: '"'.repeat(19_000) } });
    expect(errorPaths(patched)).toEqual(["body.body"]);
  });

  it("runs the scheduled-email and delivery sweeps every five minutes", () => {
    expect(schedules["*/5 * * * *"]!.map((task) => task.name)).toEqual(["queue-due-scheduled-emails", "requeue-stale-scheduled-emails", "requeue-stale-deliveries"]);
  });
});
