import { createMessageBatch, env } from "cloudflare:test";
import { and, eq, inArray } from "drizzle-orm";
import ICAL from "ical.js";
import { expect, vi } from "vitest";
import { getConfig } from "@shared/config";
import type { JobMessage } from "@shared/contracts/jobs";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { bookingSettings, bookings, devMail, jobRuns, users, type Booking } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { processMessage } from "../../workers/jobs";
import type { NotificationDeps } from "../../workers/modules/notifications/service";
import { uniqueEmail } from "../support/http";

export const db = createDb(env.DB);
export const config = getConfig(env);

export type DevMail = typeof devMail.$inferSelect;

export interface SentJob {
  body: JobMessage;
  options?: QueueSendOptions;
}

/**
 * Deps whose JOBS queue records every job. Emails go on to the real local queue and its consumer (and so to
 * the dev mailbox); other jobs (the announcement itself, calendar sync) are only recorded, for the test to run.
 */
export function recordingDeps(): { deps: NotificationDeps; sent: SentJob[]; ofType: (type: string) => SentJob[] } {
  const sent: SentJob[] = [];
  const forward = (body: JobMessage) => body.type === "email.send";
  const jobs = {
    async send(body: JobMessage, options?: QueueSendOptions) {
      sent.push({ body, options });
      if (forward(body)) await env.JOBS.send(body, options);
    },
    async sendBatch(batch: Iterable<MessageSendRequest<JobMessage>>, options?: QueueSendBatchOptions) {
      const list = [...batch];
      for (const message of list) sent.push({ body: message.body, options: message });
      const forwarded = list.filter((message) => forward(message.body));
      if (forwarded.length > 0) await env.JOBS.sendBatch(forwarded, options);
    },
  } as unknown as Queue;
  return { deps: { env: { ...env, JOBS: jobs }, db, config }, sent, ofType: (type) => sent.filter((job) => job.body.type === type) };
}

let delivery = 0;

/** One delivery of a recorded job through the real consumer path (idempotency claim included). */
export function runJob(deps: NotificationDeps, job: SentJob, attempts = 1) {
  const message = createMessageBatch("lightbox-jobs", [{ id: `booking-msg-${++delivery}`, timestamp: new Date(), attempts, body: job.body }]).messages[0]!;
  return processMessage(db, deps.env, message);
}

/** The mails to `to` once every email job in `sent` has finished on the real consumer (in no particular order). */
export function settledMails(to: string, sent: SentJob[]): Promise<DevMail[]> {
  return mailsAfterJobs(
    to,
    sent.filter((job) => job.body.type === "email.send").map((job) => job.body.key),
  );
}

/** The mails to `to` once the jobs with these keys are done: from then on no further copy can arrive. */
export async function mailsAfterJobs(to: string, keys: string[]): Promise<DevMail[]> {
  if (keys.length > 0) {
    await vi.waitFor(
      async () => {
        const done = await db.select({ key: jobRuns.key }).from(jobRuns).where(and(inArray(jobRuns.key, keys), eq(jobRuns.status, "DONE")));
        expect(new Set(done.map((run) => run.key))).toEqual(new Set(keys));
      },
      { timeout: 20_000, interval: 200 },
    );
  }
  return db.select().from(devMail).where(eq(devMail.to, to.toLowerCase()));
}

/** The calendar file attached to a captured mail, as stored byte for byte, and as an iCalendar parser reads it. */
export async function icsOf(mail: DevMail) {
  const attachment = mail.attachments.find((a) => a.filename.endsWith(".ics"));
  if (!attachment) throw new Error(`no .ics on "${mail.subject}"`);
  const raw = await (await env.FILES.get(attachment.key))!.text();
  const calendar = new ICAL.Component(ICAL.parse(raw));
  const vevent = calendar.getFirstSubcomponent("vevent")!;
  return {
    raw,
    contentType: attachment.contentType,
    method: calendar.getFirstPropertyValue("method") as string,
    uid: vevent.getFirstPropertyValue("uid") as string,
    sequence: Number(vevent.getFirstPropertyValue("sequence")),
    status: vevent.getFirstPropertyValue("status") as string,
    start: (vevent.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString(),
    end: (vevent.getFirstPropertyValue("dtend") as ICAL.Time).toJSDate().toISOString(),
    organizer: vevent.getFirstPropertyValue("organizer") as string,
    attendee: vevent.getFirstPropertyValue("attendee") as string,
    url: vevent.getFirstPropertyValue("url") as string | null,
  };
}

/** Mail text with the thin and narrow spaces of formatted times made plain. */
export const plain = (text: string | null) => (text ?? "").replace(/\s/g, " ");

export interface HostOptions {
  firstName?: string;
  timezone?: string;
  companyName?: string | null;
  title?: string | null;
  handle?: string;
}

export async function newHost(options: HostOptions = {}) {
  const now = new Date();
  const user = {
    id: newId(),
    email: uniqueEmail("host"),
    firstName: options.firstName ?? "Zoé",
    lastName: "Martin",
    companyName: options.companyName ?? null,
    timezone: options.timezone ?? "Europe/Paris",
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(users).values(user);
  const handle = options.handle ?? `host-${user.id.slice(-12)}`;
  await auditedBatch(db, hostActor(user.id), [
    db.insert(bookingSettings).values({ id: newId(), ownerId: user.id, enabled: true, handle, title: options.title === undefined ? "Portrait session" : options.title, updatedAt: now }),
  ]);
  return { ...user, handle };
}

export const hostActor = (id: string): Actor => ({ type: "USER", id, requestId: null });
export const guestActor: Actor = { type: "GUEST", id: null, requestId: null };

export async function newBooking(hostId: string, values: Partial<typeof bookings.$inferInsert> & { startAt: Date }): Promise<Booking> {
  const now = new Date();
  const row = {
    id: newId(),
    ownerId: hostId,
    endAt: new Date(values.startAt.getTime() + 60 * 60_000),
    status: "CONFIRMED" as const,
    guestName: "Sam Guest",
    guestEmail: uniqueEmail("guest"),
    updatedAt: now,
    ...values,
  };
  const [[inserted]] = await auditedBatch(db, guestActor, [db.insert(bookings).values(row).returning()]);
  return inserted!;
}

export async function changeBooking(actor: Actor, id: string, changes: Partial<typeof bookings.$inferInsert>): Promise<Booking> {
  const [[updated]] = await auditedBatch(db, actor, [db.update(bookings).set({ ...changes, updatedAt: new Date() }).where(eq(bookings.id, id)).returning()]);
  return updated!;
}
