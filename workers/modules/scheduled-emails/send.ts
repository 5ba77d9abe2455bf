// Scheduled emails going out, exactly once per occurrence. The cron claims due rows with one conditional
// UPDATE (SCHEDULED → QUEUED) so overlapping runs split them instead of sharing them. The job then claims the
// occurrence itself with a second conditional UPDATE (QUEUED at this occurrence → next year, or SENT) and only
// if it won hands the email over, under the occurrence's key: a cancel before that claim wins, one after it is
// too late for this occurrence (truthfully: a one-off email is SENT by then, so the cancel is a 409).
import { and, asc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { contacts, files, jobRuns, scheduledEmailFiles, scheduledEmails, users, type Contact, type ScheduledEmail, type User } from "@shared/db/schema";
import type { CronContext } from "../../cron";
import { enqueueJob, enqueueJobs } from "../../jobs/enqueue";
import { assertEmailFits, EmailTooLargeError, renderSource } from "../email-templates/render";
import { clientValues, studioValues } from "../email-templates/values";
import type { NotificationDeps } from "../notifications/service";

export const scheduledEmailKey = (id: string, occurrence: number) => `scheduled-email:${id}:${occurrence}`;

/** Rows claimed per statement, earliest first; a run claims batch after batch while they come back full. */
const CLAIM_BATCH = 100;
/** How long one cron run keeps claiming; what is left waits five minutes for the next run. */
const CLAIM_BUDGET_MS = 20_000;
/** A QUEUED row this old lost its job (the queue send after the claim failed, or the job is still retrying). */
export const SCHEDULED_STALE_MS = 15 * 60 * 1000;

const wallTime = (local: Temporal.PlainDateTime) => local.toString({ smallestUnit: local.second || local.millisecond ? "millisecond" : "minute" });

/**
 * The local date-time a yearly email keeps (`2032-02-29T09:00`): `sendAt`'s wall time in `timeZone`. When
 * `written` (sendAt as the owner wrote it, with its offset) names a wall time the zone skips that day (02:30
 * on a spring-forward night), that wall time is kept, so the years where it exists send at 02:30.
 */
export function anniversaryOf(sendAt: Date, timeZone: string, written?: string): string {
  if (written) {
    try {
      const wall = Temporal.PlainDateTime.from(written);
      if (wall.toZonedDateTime(timeZone, { disambiguation: "compatible" }).epochMilliseconds === sendAt.getTime()) return wallTime(wall);
    } catch {
      // A UTC ("Z") time names no wall time of its own.
    }
  }
  return wallTime(Temporal.Instant.fromEpochMilliseconds(sendAt.getTime()).toZonedDateTimeISO(timeZone).toPlainDateTime());
}

/** The anniversary in `year`: 29 February is 28 February in common years, a wall time skipped by DST is the
 *  same time shifted forward that day only; every other year gets the anniversary exactly. */
export function occurrenceIn(anniversary: string, timeZone: string, year: number): Date {
  const local = Temporal.PlainDateTime.from(anniversary).with({ year });
  return new Date(local.toZonedDateTime(timeZone, { disambiguation: "compatible" }).epochMilliseconds);
}

/** The first occurrence after the one at `current` that is still ahead of `now` (a run late by years skips them). */
export function nextYearly(anniversary: string, timeZone: string, current: Date, now: Date): Date {
  const year = Temporal.Instant.fromEpochMilliseconds(current.getTime()).toZonedDateTimeISO(timeZone).year;
  for (let next = year + 1; ; next++) {
    const at = occurrenceIn(anniversary, timeZone, next);
    if (at.getTime() > now.getTime()) return at;
  }
}

const nextOf = (email: ScheduledEmail, now: Date) => nextYearly(email.anniversary ?? anniversaryOf(email.sendAt, email.timezone), email.timezone, email.sendAt, now);

const occurrenceJob = (row: { id: string; occurrence: number }) => ({ key: scheduledEmailKey(row.id, row.occurrence), payload: { scheduledEmailId: row.id, occurrence: row.occurrence } });

/** The "*\/5" cron: hands every due SCHEDULED email to the queue, each claimed by exactly one run. */
export async function queueDueScheduledEmails({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const started = Date.now();
  let queued = 0;
  let failed = 0;
  for (;;) {
    const due = db
      .select({ id: scheduledEmails.id })
      .from(scheduledEmails)
      // A literal status, so SQLite uses the partial index scheduled_emails_due_idx.
      .where(and(sql`${scheduledEmails.status} = 'SCHEDULED'`, lte(scheduledEmails.sendAt, now)))
      .orderBy(asc(scheduledEmails.sendAt))
      .limit(CLAIM_BATCH);
    const [claimed] = await auditedBatch(db, systemActor("cron:scheduled-emails"), [
      db
        .update(scheduledEmails)
        .set({ status: "QUEUED", queuedAt: now, updatedAt: now })
        .where(and(inArray(scheduledEmails.id, due), sql`${scheduledEmails.status} = 'SCHEDULED'`))
        .returning({ id: scheduledEmails.id, occurrence: scheduledEmails.occurrence }),
    ]);
    // A failed send leaves its rows QUEUED: the sweep enqueues them again under the same keys.
    try {
      await enqueueJobs(env.JOBS, "scheduled-email.send", claimed.map(occurrenceJob));
      queued += claimed.length;
    } catch (error) {
      failed += claimed.length;
      console.error(JSON.stringify({ level: "error", msg: "scheduled emails not queued", count: claimed.length, error: String(error) }));
    }
    if (claimed.length < CLAIM_BATCH || Date.now() - started > CLAIM_BUDGET_MS) break;
  }
  return { queued, failed };
}

/** The "*\/5" sweep: QUEUED rows whose job never finished are enqueued again under the same occurrence key,
 *  their queued_at moved to now, so each is retried every 15 minutes until its job ends (or parks) it. */
export async function requeueStaleScheduledEmails({ env, db, now }: CronContext): Promise<Record<string, number>> {
  const stale = db
    .select({ id: scheduledEmails.id })
    .from(scheduledEmails)
    .where(and(sql`${scheduledEmails.status} = 'QUEUED'`, lt(scheduledEmails.queuedAt, new Date(now.getTime() - SCHEDULED_STALE_MS))))
    .orderBy(asc(scheduledEmails.queuedAt))
    .limit(CLAIM_BATCH);
  const [bumped] = await auditedBatch(db, systemActor("cron:scheduled-emails"), [
    db
      .update(scheduledEmails)
      .set({ queuedAt: now, updatedAt: now })
      .where(and(inArray(scheduledEmails.id, stale), sql`${scheduledEmails.status} = 'QUEUED'`))
      .returning({ id: scheduledEmails.id, occurrence: scheduledEmails.occurrence }),
  ]);
  await enqueueJobs(env.JOBS, "scheduled-email.send", bumped.map(occurrenceJob));
  return { requeued: bumped.length };
}

async function composeEmail(db: Db, email: ScheduledEmail, contact: Contact & { email: string }, owner: User) {
  const attachments = await db
    .select({ filename: files.name, contentType: files.contentType, r2Key: files.r2Key })
    .from(scheduledEmailFiles)
    .innerJoin(files, eq(files.id, scheduledEmailFiles.fileId))
    .where(eq(scheduledEmailFiles.scheduledEmailId, email.id))
    .orderBy(asc(scheduledEmailFiles.createdAt), asc(files.id));
  const rendered = assertEmailFits(renderSource("SCHEDULED_EMAIL", email, { client: clientValues(contact), studio: studioValues(owner) }));
  return { to: contact.email, ...rendered, replyTo: owner.email, attachments };
}

/**
 * The `scheduled-email.send` job. It claims its occurrence first (a cancelled or deleted email is not sent) and
 * then enqueues the email as `<key>:email`. A rerun after the claim (the enqueue failed) finds the row one
 * occurrence on and enqueues the same email key again, which goes out once. A contact who lost their address is
 * skipped for this occurrence (a yearly email moves on, a one-off one ends CANCELLED); an email too large to
 * queue ends FAILED with why.
 */
export async function sendScheduledEmail(deps: NotificationDeps, payload: { scheduledEmailId: string; occurrence: number }, jobKey: string): Promise<void> {
  const [found] = await deps.db
    .select({ email: scheduledEmails, contact: contacts, owner: users })
    .from(scheduledEmails)
    .innerJoin(contacts, eq(contacts.id, scheduledEmails.contactId))
    .innerJoin(users, eq(users.id, scheduledEmails.ownerId))
    .where(eq(scheduledEmails.id, payload.scheduledEmailId))
    .limit(1);
  if (!found) return;
  const { email, contact, owner } = found;
  const claimedEarlier = email.occurrence === payload.occurrence + 1 && email.lastSentAt !== null;
  if (!claimedEarlier && (email.status !== "QUEUED" || email.occurrence !== payload.occurrence)) return;
  const emailKey = `${jobKey}:email`;
  const address = contact.email;

  let message: Awaited<ReturnType<typeof composeEmail>> | null = null;
  try {
    message = address ? await composeEmail(deps.db, email, { ...contact, email: address }, owner) : null;
  } catch (error) {
    if (!(error instanceof EmailTooLargeError) || claimedEarlier) throw error;
    await endOccurrence(deps.db, email, payload.occurrence, jobKey, error.message, new Date());
    return;
  }
  if (claimedEarlier) {
    if (message) await enqueueJob(deps.env.JOBS, "email.send", emailKey, message);
    return;
  }

  const now = new Date();
  const next = email.repeat === "YEARLY" ? { status: "SCHEDULED" as const, sendAt: nextOf(email, now) } : { status: message ? ("SENT" as const) : ("CANCELLED" as const) };
  const [claimed] = await auditedBatch(deps.db, systemActor(jobKey), [
    deps.db
      .update(scheduledEmails)
      .set({ ...next, occurrence: email.occurrence + 1, queuedAt: null, ...(message ? { lastSentAt: now, lastError: null } : {}), updatedAt: now })
      .where(and(eq(scheduledEmails.id, email.id), eq(scheduledEmails.status, "QUEUED"), eq(scheduledEmails.occurrence, payload.occurrence)))
      .returning({ id: scheduledEmails.id }),
  ]);
  // Cancelled or deleted since it was read: nothing goes out.
  if (claimed.length === 0) return;
  if (message) await enqueueJob(deps.env.JOBS, "email.send", emailKey, message);
  else console.warn(JSON.stringify({ level: "warn", msg: "scheduled email skipped: the contact has no email address", scheduledEmailId: email.id, occurrence: payload.occurrence }));
}

/** An occurrence that will not go out: a one-off email ends FAILED, a yearly one moves on to next year; both
 *  keep why in last_error. Only while the row is still QUEUED at that occurrence. */
async function endOccurrence(db: Db, email: ScheduledEmail, occurrence: number, actorKey: string, error: string, now: Date): Promise<void> {
  const next = email.repeat === "YEARLY" ? { status: "SCHEDULED" as const, sendAt: nextOf(email, now), occurrence: occurrence + 1 } : { status: "FAILED" as const };
  await auditedBatch(db, systemActor(actorKey), [
    db
      .update(scheduledEmails)
      .set({ ...next, queuedAt: null, lastError: error.slice(0, 2000), updatedAt: now })
      .where(and(eq(scheduledEmails.id, email.id), eq(scheduledEmails.status, "QUEUED"), eq(scheduledEmails.occurrence, occurrence))),
  ]);
}

/**
 * The dead-letter hook of `scheduled-email.send`: its job exhausted its retries. Still QUEUED at that occurrence:
 * ended as above (FAILED, or on to next year). Already claimed but its email never reached the queue: a one-off
 * email goes from SENT to FAILED, a yearly one keeps its next date; both record the job's last error.
 */
export async function failScheduledEmail(db: Db, payload: { scheduledEmailId: string; occurrence: number }): Promise<void> {
  const key = scheduledEmailKey(payload.scheduledEmailId, payload.occurrence);
  const [[email], [run]] = await Promise.all([
    db.select().from(scheduledEmails).where(eq(scheduledEmails.id, payload.scheduledEmailId)).limit(1),
    db.select({ lastError: jobRuns.lastError }).from(jobRuns).where(eq(jobRuns.key, key)).limit(1),
  ]);
  if (!email) return;
  const error = (run?.lastError ?? "The email could not be sent").slice(0, 2000);
  const now = new Date();
  if (email.status === "QUEUED" && email.occurrence === payload.occurrence) return endOccurrence(db, email, payload.occurrence, key, error, now);
  if (email.occurrence !== payload.occurrence + 1) return;
  await auditedBatch(db, systemActor(key), [
    db
      .update(scheduledEmails)
      .set({ lastError: error, ...(email.repeat === "NONE" ? { status: sql`CASE WHEN ${scheduledEmails.status} = 'SENT' THEN 'FAILED' ELSE ${scheduledEmails.status} END` } : {}), updatedAt: now })
      .where(and(eq(scheduledEmails.id, email.id), eq(scheduledEmails.occurrence, payload.occurrence + 1))),
  ]);
}
