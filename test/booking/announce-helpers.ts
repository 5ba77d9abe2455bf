import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import ICAL from "ical.js";
import { getConfig } from "@shared/config";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { bookingSettings, bookings, users, type Booking } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { uniqueEmail } from "../support/http";
import { recordingDeps as recordJobs, type DevMail } from "../support/jobs";

export const db = createDb(env.DB);
export const config = getConfig(env);

export { mailsAfterJobs, runJob, settledMails, type DevMail, type SentJob } from "../support/jobs";

/**
 * Deps whose JOBS queue records every job. Emails go on to the real local queue and its consumer (and so to
 * the dev mailbox); other jobs (the announcement itself, calendar sync) are only recorded, for the test to run.
 */
export const recordingDeps = () => recordJobs((body) => body.type === "email.send");

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
