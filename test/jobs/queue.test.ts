import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { devMail, failedJobs, jobRuns } from "@shared/db/schema";
import worker from "../../workers/index";
import { backoffSeconds, processMessage } from "../../workers/jobs";
import { enqueueJob } from "../../workers/jobs/enqueue";

const db = createDb(env.DB);
let sequence = 0;

function emailJob(key: string, to: string, extra: Record<string, unknown> = {}) {
  return { type: "email.send", key, payload: { to, subject: `Subject ${key}`, text: "Hello", attachments: [], ...extra }, enqueuedAt: new Date().toISOString() };
}

async function deliver(queue: string, body: unknown, attempts = 1) {
  const id = `msg-${++sequence}`;
  const batch = createMessageBatch(queue, [{ id, timestamp: new Date(), attempts, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<never>, env, ctx);
  return { id, result: await getQueueResult(batch, ctx) };
}

function message(body: unknown, attempts: number): Message<unknown> {
  return createMessageBatch("lightbox-jobs", [{ id: `msg-${++sequence}`, timestamp: new Date(), attempts, body }]).messages[0]!;
}

const mailTo = (to: string) => db.select().from(devMail).where(eq(devMail.to, to));

describe("JOBS queue consumer", () => {
  it("runs an email job once and acknowledges a redelivery of the same key without sending again", async () => {
    const first = await deliver("lightbox-jobs", emailJob("job-once", "once@client.test"));
    expect(first.result.explicitAcks).toEqual([first.id]);
    expect(await mailTo("once@client.test")).toHaveLength(1);
    const [run] = await db.select().from(jobRuns).where(eq(jobRuns.key, "job-once"));
    expect(run).toMatchObject({ status: "DONE", attempts: 1, type: "email.send" });

    const again = await deliver("lightbox-jobs", emailJob("job-once", "once@client.test"), 2);
    expect(again.result.explicitAcks).toEqual([again.id]);
    expect(await mailTo("once@client.test")).toHaveLength(1);
  });

  it("retries a failing job with growing backoff, then the dead-letter consumer records it with its error", async () => {
    const body = emailJob("job-fails", "fails@client.test", {
      attachments: [{ filename: "quote.pdf", contentType: "application/pdf", r2Key: "owner/missing/quote.pdf" }],
    });
    const { id, result } = await deliver("lightbox-jobs", body, 1);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: id }]);
    const delays: number[] = [];
    for (let attempt = 2; attempt <= 5; attempt++) {
      const outcome = await processMessage(db, env, message(body, attempt));
      if (outcome.action !== "retry") throw new Error(`attempt ${attempt} was not retried`);
      delays.push(outcome.delaySeconds);
    }
    // 10 s doubling with ±20 % jitter: each delay lies in its own band, so they grow.
    delays.forEach((delay, i) => {
      const base = 10 * 2 ** (i + 1);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
    });
    const [run] = await db.select().from(jobRuns).where(eq(jobRuns.key, "job-fails"));
    expect(run).toMatchObject({ status: "FAILED", attempts: 5 });
    expect(run!.lastError).toContain("missing from R2");
    expect(await mailTo("fails@client.test")).toHaveLength(0);

    // After max_retries the platform moves the message to the dead-letter queue.
    const parked = await deliver("lightbox-jobs-dlq", body, 1);
    expect(parked.result.explicitAcks).toEqual([parked.id]);
    const failed = await db.select().from(failedJobs).where(eq(failedJobs.jobKey, "job-fails"));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: "email.send", attempts: 5 });
    expect(failed[0]!.error).toContain("quote.pdf is missing from R2");
    expect(JSON.parse(failed[0]!.payload)).toMatchObject({ to: "fails@client.test" });

    // A duplicate dead-letter delivery does not duplicate the record.
    await deliver("lightbox-jobs-dlq", body, 2);
    expect(await db.select().from(failedJobs).where(eq(failedJobs.jobKey, "job-fails"))).toHaveLength(1);
  });

  it("keeps portal tokens out of a parked job's record", async () => {
    const body = emailJob("job-token", "token@client.test", {
      text: "Your quote: https://portal.test/portal?token=s3cretT0ken_-x and https://portal.test/p?studio=1&token=0ther",
      html: '<a href="https://portal.test/p?studio=1&amp;token=htmlT0ken">View</a>',
    });
    await deliver("lightbox-jobs-dlq", body, 1);
    const [failed] = await db.select().from(failedJobs).where(eq(failedJobs.jobKey, "job-token"));
    expect(failed!.payload).not.toMatch(/s3cretT0ken|0ther|htmlT0ken/);
    expect(JSON.parse(failed!.payload)).toMatchObject({
      text: "Your quote: https://portal.test/portal?token=[redacted] and https://portal.test/p?studio=1&token=[redacted]",
      html: '<a href="https://portal.test/p?studio=1&amp;token=[redacted]">View</a>',
    });
  });

  it("succeeds on a retry once the cause is fixed, and sends exactly once", async () => {
    const r2Key = "owner/late/contract.pdf";
    const body = emailJob("job-late", "late@client.test", { attachments: [{ filename: "contract.pdf", contentType: "application/pdf", r2Key }] });
    const first = await deliver("lightbox-jobs", body, 1);
    expect(first.result.retryMessages).toHaveLength(1);
    await env.FILES.put(r2Key, new Uint8Array([37, 80, 68, 70, 45, 49]));
    const second = await deliver("lightbox-jobs", body, 2);
    expect(second.result.explicitAcks).toEqual([second.id]);
    const mails = await mailTo("late@client.test");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.attachments).toEqual([expect.objectContaining({ filename: "contract.pdf", contentType: "application/pdf", size: 6 })]);
  });

  it("does not run a key another delivery is running: it retries after the lease", async () => {
    const now = new Date();
    await db.insert(jobRuns).values({ key: "job-busy", type: "email.send", status: "RUNNING", attempts: 1, leaseUntil: new Date(now.getTime() + 60_000), createdAt: now, updatedAt: now });
    const outcome = await processMessage(db, env, message(emailJob("job-busy", "busy@client.test"), 1));
    expect(outcome.action).toBe("retry");
    expect(outcome.action === "retry" && outcome.delaySeconds).toBeGreaterThan(50);
    expect(await mailTo("busy@client.test")).toHaveLength(0);
  });

  it("records malformed messages, unknown types and invalid payloads without retrying them", async () => {
    const malformed = await deliver("lightbox-jobs", { hello: "world" });
    expect(malformed.result.explicitAcks).toEqual([malformed.id]);
    const unknown = await deliver("lightbox-jobs", { type: "nope.never", key: "job-unknown", payload: {}, enqueuedAt: "x" });
    expect(unknown.result.explicitAcks).toEqual([unknown.id]);
    const invalid = await deliver("lightbox-jobs", { type: "email.send", key: "job-invalid", payload: { to: "not-an-email" }, enqueuedAt: "x" });
    expect(invalid.result.explicitAcks).toEqual([invalid.id]);

    const rows = await db.select().from(failedJobs);
    const byKey = Object.fromEntries(rows.map((row) => [row.jobKey, row]));
    expect(byKey[`message:${malformed.id}`]!.error).toContain("malformed job message");
    expect(byKey["job-unknown"]!.error).toBe("unknown job type nope.never");
    expect(byKey["job-invalid"]!.error).toContain("invalid payload for email.send");
  });

  it("backoff doubles from 10 s and is capped at an hour", () => {
    expect(backoffSeconds(1, () => 0.5)).toBe(10);
    expect(backoffSeconds(2, () => 0.5)).toBe(20);
    expect(backoffSeconds(4, () => 0.5)).toBe(80);
    expect(backoffSeconds(30, () => 0.5)).toBe(3600);
    expect(backoffSeconds(1, () => 0)).toBe(8);
    expect(backoffSeconds(1, () => 1)).toBe(12);
  });

  it("refuses to enqueue a payload that breaks the job's contract", async () => {
    await expect(enqueueJob(env.JOBS, "email.send", "bad", { to: "nobody", subject: "", text: "" })).rejects.toThrow();
  });

  it("delivers through the real local queue to the consumer", async () => {
    await enqueueJob(env.JOBS, "email.send", "job-real-queue", { to: "queued@client.test", subject: "Through the queue", text: "Hi" });
    let mails: unknown[] = [];
    for (let i = 0; i < 60 && mails.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      mails = await mailTo("queued@client.test");
    }
    expect(mails).toHaveLength(1);
  });
});
