import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { nextYearly, queueDueScheduledEmails, requeueStaleScheduledEmails, sendScheduledEmail } from "../../workers/modules/scheduled-emails/send";
import { api } from "../support/http";
import { recordingDeps, runJob, settledMails, type SentJob } from "../support/jobs";
import { clientFile, db, owner, row, schedule } from "./helpers";

const MINUTE = 60_000;
const after = (iso: string, ms = MINUTE) => new Date(Date.parse(iso) + ms);

/** Jobs recorded, emails forwarded to the real queue and its consumer (and so to the dev mailbox). */
const recording = () => recordingDeps((body) => body.type === "email.send");
const jobsFor = (sent: SentJob[], id: string) => sent.filter((job) => job.body.type === "scheduled-email.send" && (job.body.payload as { scheduledEmailId: string }).scheduledEmailId === id);

describe("scheduled emails: sending", () => {
  it("goes out exactly once with its attachments, even when two cron runs overlap and the job runs again", async () => {
    const o = await owner();
    const contract = await clientFile(o, "contract.txt", "the signed contract");
    const created = await schedule(o, { subject: "Your files, {{client.firstName}}", body: "Hello {{client.fullName}},\n\nHere they are.\n\n{{studio.name}}", fileIds: [contract.id] });
    const rec = recording();
    const ctx = { env: rec.deps.env, db, now: after(created.sendAt) };

    await Promise.all([queueDueScheduledEmails(ctx), queueDueScheduledEmails(ctx)]);
    const jobs = jobsFor(rec.sent, created.id);
    expect(jobs.map((j) => j.body.key)).toEqual([`scheduled-email:${created.id}:0`]);
    expect(await row(created.id)).toMatchObject({ status: "QUEUED", occurrence: 0 });
    // A third run finds nothing left to claim.
    await queueDueScheduledEmails(ctx);
    expect(jobsFor(rec.sent, created.id)).toHaveLength(1);

    expect(await runJob(rec.deps, jobs[0]!)).toEqual({ action: "ack" });
    expect(await runJob(rec.deps, jobs[0]!, 2)).toEqual({ action: "ack" });
    await sendScheduledEmail(rec.deps, { scheduledEmailId: created.id, occurrence: 0 }, jobs[0]!.body.key);

    const [mail, ...more] = await settledMails(o.email, rec.sent);
    expect(more).toHaveLength(0);
    expect(mail!.subject).toBe("Your files, Jeanne");
    expect(mail!.text!.trimEnd()).toBe("Hello Jeanne <Dupont>,\n\nHere they are.\n\nClaire Morel");
    expect(mail!.html).toContain("Hello Jeanne &lt;Dupont&gt;,");
    expect(mail!.attachments).toEqual([expect.objectContaining({ filename: "contract.txt", contentType: "text/plain" })]);
    expect(await (await env.FILES.get(mail!.attachments[0]!.key))!.text()).toBe("the signed contract");
    expect(rec.ofType("email.send")[0]!.body.payload).toMatchObject({ replyTo: o.account.email });

    const sent = await row(created.id);
    expect(sent).toMatchObject({ status: "SENT", occurrence: 1, queuedAt: null });
    expect(sent.lastSentAt).toBeInstanceOf(Date);
    // Once sent it can no longer be edited or cancelled.
    expect((await api(`/api/scheduled-emails/${created.id}`, { method: "PATCH", token: o.token, json: { subject: "again" } })).status).toBe(409);
    expect((await api(`/api/scheduled-emails/${created.id}/cancel`, { method: "POST", token: o.token })).status).toBe(409);
  });

  it("moves a yearly email to the same local time next year, across DST and from 29 February to 28 February", async () => {
    const o = await owner();
    const summer = await schedule(o, { sendAt: "2030-06-10T09:00:00+02:00", timezone: "Europe/Paris", repeat: "YEARLY" });
    const leap = await schedule(o, { sendAt: "2032-02-29T10:00:00+01:00", timezone: "Europe/Paris", repeat: "YEARLY" });
    const rec = recording();
    const runDue = async (id: string, now: Date, occurrence: number) => {
      await queueDueScheduledEmails({ env: rec.deps.env, db, now });
      const job = jobsFor(rec.sent, id).find((j) => j.body.key === `scheduled-email:${id}:${occurrence}`);
      expect(await runJob(rec.deps, job!)).toEqual({ action: "ack" });
    };

    await runDue(summer.id, after(summer.sendAt), 0);
    expect(await row(summer.id)).toMatchObject({ status: "SCHEDULED", occurrence: 1, sendAt: new Date("2031-06-10T07:00:00.000Z"), queuedAt: null });
    // The next year's occurrence has its own key; the old one's job sends nothing more.
    await runDue(summer.id, new Date("2031-06-10T07:01:00.000Z"), 1);
    await sendScheduledEmail(rec.deps, { scheduledEmailId: summer.id, occurrence: 0 }, `scheduled-email:${summer.id}:0`);
    expect(await row(summer.id)).toMatchObject({ status: "SCHEDULED", occurrence: 2, sendAt: new Date("2032-06-10T07:00:00.000Z") });

    await runDue(leap.id, after(leap.sendAt), 0);
    expect(await row(leap.id)).toMatchObject({ status: "SCHEDULED", occurrence: 1, sendAt: new Date("2033-02-28T09:00:00.000Z") });
    expect(await settledMails(o.email, rec.sent)).toHaveLength(3);

    // A yearly email running late still keeps its date, in the first future year.
    expect(nextYearly("2020-03-01T07:00", "America/New_York", new Date("2020-03-01T12:00:00Z"), new Date("2024-06-01T00:00:00Z"))).toEqual(new Date("2025-03-01T12:00:00Z"));
  });

  it("does not send a queued email cancelled before its job runs, and sweeps a queued one whose job was lost", async () => {
    const o = await owner();
    const cancelled = await schedule(o, {});
    const lost = await schedule(o, {});
    const rec = recording();
    const claimedAt = after(cancelled.sendAt);
    await queueDueScheduledEmails({ env: rec.deps.env, db, now: claimedAt });

    const cancel = await api(`/api/scheduled-emails/${cancelled.id}/cancel`, { method: "POST", token: o.token });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.body.status).toBe("CANCELLED");
    expect(await runJob(rec.deps, jobsFor(rec.sent, cancelled.id)[0]!)).toEqual({ action: "ack" });
    expect(await row(cancelled.id)).toMatchObject({ status: "CANCELLED", occurrence: 0 });
    expect(rec.ofType("email.send")).toHaveLength(0);

    // Fourteen minutes on nothing is swept; at sixteen the lost one is enqueued again under the same key.
    await requeueStaleScheduledEmails({ env: rec.deps.env, db, now: after(claimedAt.toISOString(), 14 * MINUTE) });
    expect(jobsFor(rec.sent, lost.id)).toHaveLength(1);
    await requeueStaleScheduledEmails({ env: rec.deps.env, db, now: after(claimedAt.toISOString(), 16 * MINUTE) });
    const lostJobs = jobsFor(rec.sent, lost.id);
    expect(lostJobs.map((j) => j.body.key)).toEqual([`scheduled-email:${lost.id}:0`, `scheduled-email:${lost.id}:0`]);
    expect(jobsFor(rec.sent, cancelled.id)).toHaveLength(1);
    expect(await runJob(rec.deps, lostJobs[1]!)).toEqual({ action: "ack" });
    expect(await runJob(rec.deps, lostJobs[0]!)).toEqual({ action: "ack" });
    expect(await settledMails(o.email, rec.sent)).toHaveLength(1);
    expect((await row(lost.id)).status).toBe("SENT");
  });
});
