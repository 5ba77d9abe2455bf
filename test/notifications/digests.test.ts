import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { conversationParticipants, jobRuns, messageDigests, messages, notifications } from "@shared/db/schema";
import { requeueOverdueDigests } from "../../workers/cron/message-digests";
import { digestJobKey, scheduleMessageDigests } from "../../workers/modules/notifications/digests";
import { config, db, newConversation, newUser, postMessages, readUpTo, recordingDeps, runJob, settledMails, type SentJob } from "./helpers";

const QUIET_SECONDS = config.messageDigestQuietMinutes * 60;
const digestsOf = (userId: string) => db.select().from(messageDigests).where(eq(messageDigests.userId, userId));
const notificationsOf = (userId: string) => db.select().from(notifications).where(eq(notifications.userId, userId));

/** A conversation where `sender` wrote to `reader`, and the digest job scheduled for the reader. */
async function scenario(contents = ["Hello", "Are you there?"], title: string | null = null) {
  const [reader, sender] = [await newUser("Rita"), await newUser("Sam")];
  const conversationId = await newConversation([sender.id, reader.id], title);
  const seqs = await postMessages(conversationId, sender.id, contents);
  const recording = recordingDeps();
  await scheduleMessageDigests(recording.deps, conversationId, [reader.id]);
  const [job] = recording.ofType("messages.digest");
  return { reader, sender, conversationId, seqs, ...recording, job: job! };
}

const digestMails = async (to: string, sent: SentJob[]) => (await settledMails(to, sent)).filter((mail) => /unread message/.test(mail.subject));

describe("scheduleMessageDigests", () => {
  it("starts one quiet period per user and conversation: ten messages, one row, one delayed job, one email", async () => {
    const [reader, sender] = [await newUser("Rita"), await newUser("Sam")];
    const conversationId = await newConversation([sender.id, reader.id]);
    const other = await newConversation([sender.id, reader.id]);
    const { deps, sent, ofType } = recordingDeps();
    const before = Date.now();
    for (let i = 0; i < 10; i++) {
      await postMessages(conversationId, sender.id, [`message ${i}`]);
      await scheduleMessageDigests(deps, conversationId, [reader.id, reader.id]);
    }
    await scheduleMessageDigests(deps, other, [reader.id]);

    const rows = await digestsOf(reader.id);
    expect(rows.map((row) => row.conversationId).sort()).toEqual([conversationId, other].sort());
    const row = rows.find((r) => r.conversationId === conversationId)!;
    expect(row.dueAt.getTime()).toBeGreaterThanOrEqual(before + QUIET_SECONDS * 1000);
    const jobs = ofType("messages.digest").filter((job) => (job.body.payload as { conversationId: string }).conversationId === conversationId);
    expect(jobs).toEqual([
      {
        body: expect.objectContaining({
          type: "messages.digest",
          key: digestJobKey(reader.id, conversationId, row.dueAt),
          payload: { userId: reader.id, conversationId, dueAt: row.dueAt.toISOString() },
        }),
        options: { delaySeconds: QUIET_SECONDS },
      },
    ]);

    expect(await runJob(deps, jobs[0]!)).toEqual({ action: "ack" });
    const mails = await digestMails(reader.email, sent);
    expect(mails.map((mail) => mail.subject)).toEqual(["10 unread messages in Sam"]);
  });

  it("skips users who are not participants without losing the others, and never throws", async () => {
    const [a, b, outsider] = [await newUser(), await newUser(), await newUser()];
    const conversationId = await newConversation([a.id, b.id]);
    const { deps, ofType } = recordingDeps();
    await scheduleMessageDigests(deps, conversationId, [outsider.id, a.id, "no-such-user", b.id]);
    expect(ofType("messages.digest").map((job) => (job.body.payload as { userId: string }).userId).sort()).toEqual([a.id, b.id].sort());
    expect(await digestsOf(outsider.id)).toEqual([]);
    await expect(scheduleMessageDigests(deps, "no-such-conversation", [a.id])).resolves.toBeUndefined();
    await expect(scheduleMessageDigests(deps, conversationId, [])).resolves.toBeUndefined();
  });
});

describe("the messages.digest job", () => {
  it("notifies once with the unread messages, emails them escaped with an app link, and ends the quiet period", async () => {
    const { reader, conversationId, deps, sent, job } = await scenario(["First", "<script>alert('x')</script> & co", "Third"], "Wedding <planning>");
    expect(await runJob(deps, job)).toEqual({ action: "ack" });

    const [stored] = await notificationsOf(reader.id);
    expect(stored).toMatchObject({ type: "MESSAGES_UNREAD", title: "3 unread messages in Wedding <planning>", body: "Sam: Third", data: { conversationId, unreadCount: 3 } });
    expect(await digestsOf(reader.id)).toEqual([]);

    const mails = await digestMails(reader.email, sent);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe("3 unread messages in Wedding <planning>");
    expect(mail!.html).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co");
    expect(mail!.html).not.toContain("<script>");
    expect(mail!.html).toContain("Wedding &lt;planning&gt;");
    expect(mail!.html).toContain(`href="${config.appUrl}/messages/${conversationId}"`);
    expect(mail!.text).toContain(`${config.appUrl}/messages/${conversationId}`);
    expect(mail!.text).toContain("<script>alert('x')</script> & co");
    // Every link in the email leads to the app, none to the API.
    const links = [...mail!.html!.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((link) => link.startsWith(`${config.appUrl}/`))).toBe(true);

    // Running the same job again (a redelivery) sends nothing more.
    expect(await runJob(deps, job, 2)).toEqual({ action: "ack" });
    expect(await notificationsOf(reader.id)).toHaveLength(1);
    expect(await digestMails(reader.email, sent)).toHaveLength(1);

    // Quiet period over: the next message starts a new one.
    const next = recordingDeps();
    await scheduleMessageDigests(next.deps, conversationId, [reader.id]);
    expect(next.ofType("messages.digest")).toHaveLength(1);
  });

  it("quotes the five newest, counts them all, leaves out the reader's own and deleted messages, and names untitled conversations by participants", async () => {
    const [reader, sam, tia] = [await newUser("Rita"), await newUser("Sam"), await newUser("Tia")];
    const conversationId = await newConversation([reader.id, sam.id, tia.id]);
    const [firstSeq] = await postMessages(conversationId, sam.id, ["m0"]);
    await readUpTo(conversationId, reader.id, firstSeq!);
    await postMessages(conversationId, sam.id, ["m1", "m2", "m3", "m4"]);
    await postMessages(conversationId, reader.id, ["my own"]);
    const [deletedSeq] = await postMessages(conversationId, tia.id, ["gone"]);
    await db.update(messages).set({ content: "", deletedAt: new Date() }).where(eq(messages.seq, deletedSeq!));
    await postMessages(conversationId, tia.id, ["m5", "m6"]);
    const { deps, sent, ofType } = recordingDeps();
    await scheduleMessageDigests(deps, conversationId, [reader.id]);
    await runJob(deps, ofType("messages.digest")[0]!);

    const [stored] = await notificationsOf(reader.id);
    expect(stored).toMatchObject({ title: "6 unread messages in Sam and Tia", body: "Tia: m6", data: { conversationId, unreadCount: 6 } });
    const [mail] = await digestMails(reader.email, sent);
    expect(mail!.text).toContain("and 1 more");
    for (const quoted of ["m2", "m3", "m4", "m5", "m6"]) expect(mail!.text).toContain(quoted);
    for (const left of ["m1", "my own", "gone", "m0"]) expect(mail!.text).not.toContain(left);
  });

  it("sends nothing to a user who has read everything meanwhile", async () => {
    const { reader, conversationId, seqs, deps, sent, job } = await scenario();
    await readUpTo(conversationId, reader.id, seqs.at(-1)!);
    expect(await runJob(deps, job)).toEqual({ action: "ack" });
    expect(await notificationsOf(reader.id)).toEqual([]);
    expect(sent.filter((s) => s.body.type === "email.send")).toEqual([]);
    expect(await digestsOf(reader.id)).toEqual([]);
  });

  it("sends nothing to a user removed from the conversation", async () => {
    const { reader, conversationId, deps, sent, job } = await scenario();
    await db.delete(conversationParticipants).where(and(eq(conversationParticipants.conversationId, conversationId), eq(conversationParticipants.userId, reader.id)));
    expect(await runJob(deps, job)).toEqual({ action: "ack" });
    expect(await notificationsOf(reader.id)).toEqual([]);
    expect(sent.filter((s) => s.body.type === "email.send")).toEqual([]);
    expect(await digestsOf(reader.id)).toEqual([]);
  });

  it("does nothing for a job whose quiet period is no longer the current one", async () => {
    const { reader, conversationId, deps, sent, job } = await scenario();
    await db.update(messageDigests).set({ dueAt: new Date(Date.now() + 60_000) }).where(eq(messageDigests.conversationId, conversationId));
    expect(await runJob(deps, job)).toEqual({ action: "ack" });
    expect(await notificationsOf(reader.id)).toEqual([]);
    expect(sent.filter((s) => s.body.type === "email.send")).toEqual([]);
    expect(await digestsOf(reader.id)).toHaveLength(1);
  });

  it("after a crash between notifying and ending the quiet period, the retry sends nothing twice", async () => {
    const { reader, deps, sent, job } = await scenario();
    const [row] = await digestsOf(reader.id);
    expect(await runJob(deps, job)).toEqual({ action: "ack" });
    // As if that run had died after notifying: its row is still there and its key is not marked done.
    await db.insert(messageDigests).values(row!);
    await db.update(jobRuns).set({ status: "FAILED" }).where(eq(jobRuns.key, job.body.key));
    expect(await runJob(deps, job, 2)).toEqual({ action: "ack" });
    expect(await notificationsOf(reader.id)).toHaveLength(1);
    expect(await digestsOf(reader.id)).toEqual([]);
    expect(await digestMails(reader.email, sent)).toHaveLength(1);
  });
});

describe("the hourly digest cron", () => {
  it("enqueues again, under the same key, only digests more than ten minutes overdue; the job then sends once", async () => {
    const [a, b, c] = [await newUser("Ann"), await newUser("Ben"), await newUser("Cal")];
    const conversationId = await newConversation([a.id, b.id, c.id], "Studio");
    await postMessages(conversationId, b.id, ["Lost in the queue"]);
    const now = new Date();
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    await db.insert(messageDigests).values([
      { userId: a.id, conversationId, dueAt: at(-11) },
      { userId: b.id, conversationId, dueAt: at(-9) },
      { userId: c.id, conversationId, dueAt: at(5) },
    ]);
    const { deps, sent, ofType } = recordingDeps();
    const counts = await requeueOverdueDigests({ env: deps.env, db, now });
    const mine = ofType("messages.digest").filter((job) => (job.body.payload as { conversationId: string }).conversationId === conversationId);
    expect(mine.map((job) => job.body.key)).toEqual([digestJobKey(a.id, conversationId, at(-11))]);
    expect(mine[0]!.body.payload).toEqual({ userId: a.id, conversationId, dueAt: at(-11).toISOString() });
    expect(mine[0]!.options?.delaySeconds).toBeUndefined();
    expect(counts).toEqual({ digestsRequeued: ofType("messages.digest").length, digestsNotRequeued: 0 });

    expect(await runJob(deps, mine[0]!)).toEqual({ action: "ack" });
    expect((await digestMails(a.email, sent)).map((mail) => mail.subject)).toEqual(["1 unread message in Studio"]);
    expect((await digestsOf(a.id)).length + (await digestsOf(b.id)).length + (await digestsOf(c.id)).length).toBe(2);
    const again = recordingDeps();
    await requeueOverdueDigests({ env: again.deps.env, db, now });
    expect(again.ofType("messages.digest").filter((job) => (job.body.payload as { userId: string }).userId === a.id)).toEqual([]);
  });
});
