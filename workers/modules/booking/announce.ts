// Everything a booking change tells people: the guest's email with its calendar file, the host's
// notification (in-app, by socket, and by email per their preference) when the guest made the change, and the
// host's Google Calendar. The core stores a change, then enqueues one `booking.announce` job for it.
import type { z } from "zod";
import type { BookingAnnounceJobPayload } from "@shared/contracts/jobs";
import type { Booking } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { enqueueJob } from "../../jobs/enqueue";
import { bookingGuestEmail, bookingHostEmail, formatBookingTime, hostNoticeText, type GuestNotice, type HostNotice } from "../../templates/emails/booking";
import { enqueueCalendarSync } from "../calendar/sync";
import { renderTemplateParts } from "../email-templates/service";
import { studioValues } from "../email-templates/values";
import { notify, type NotificationDeps } from "../notifications/service";
import type { NotificationType } from "../notifications/types";
import { bookingUid, buildIcs } from "./ics";
import { guestZone, hostDisplayName, hostPublicName, loadBookingParties, type BookingParties } from "./parties";

export type BookingAnnouncement = z.infer<typeof BookingAnnounceJobPayload>;

export const announcementKey = (announcement: Pick<BookingAnnouncement, "bookingId" | "sequence" | "kind">) =>
  `booking:${announcement.bookingId}:${announcement.sequence}:${announcement.kind}`;

/** Called by the booking core after it stored a change; the key makes a repeated call a no-op. */
export async function enqueueBookingAnnouncement(env: Env, payload: BookingAnnouncement): Promise<void> {
  await enqueueJob(env.JOBS, "booking.announce", announcementKey(payload), payload);
}

const hostNotices: Partial<Record<BookingAnnouncement["kind"], NotificationType>> = {
  CREATED: "BOOKING_CREATED",
  CANCELLED: "BOOKING_CANCELLED",
  RESCHEDULED: "BOOKING_RESCHEDULED",
};

const endsBooking = (kind: BookingAnnouncement["kind"]) => kind === "DECLINED" || kind === "CANCELLED";
const isActive = (booking: Booking) => booking.status === "PENDING" || booking.status === "CONFIRMED";

/**
 * The `booking.announce` job. Each side effect is keyed on the job key, so a rerun after a partial failure
 * sends nothing twice. An announcement a later change has overtaken (its sequence is behind the booking's)
 * still reaches the host, who sees the history, but not the guest: the later announcement carries the
 * booking as it now is, and a calendar file with the old sequence would only be ignored.
 */
export async function announceBookingChange(deps: NotificationDeps, payload: BookingAnnouncement, jobKey: string): Promise<void> {
  const parties = await loadBookingParties(deps.db, payload.bookingId);
  // Deleted since: there is nobody left to tell about it.
  if (!parties) return;
  const { booking } = parties;
  // The change is not visible yet (a lagging read): retrying later finds it.
  if (booking.sequence < payload.sequence) throw new Error(`booking ${booking.id} is at sequence ${booking.sequence}, announcement is for ${payload.sequence}`);
  const overtaken = booking.sequence > payload.sequence || (!endsBooking(payload.kind) && !isActive(booking));

  if (!overtaken) {
    await emailGuest(deps, parties, payload, jobKey);
    await enqueueCalendarSync(deps.env, booking.id, payload.sequence);
  }
  const type = hostNotices[payload.kind];
  if (payload.by === "GUEST" && type) await notifyHost(deps, parties, payload, type, jobKey);
}

function guestNotice(kind: BookingAnnouncement["kind"], booking: Booking): GuestNotice {
  if (kind === "CREATED") return booking.status === "PENDING" ? "REQUESTED" : "CONFIRMED";
  return kind;
}

async function emailGuest(deps: NotificationDeps, parties: BookingParties, payload: BookingAnnouncement, jobKey: string): Promise<void> {
  const { booking, host, page } = parties;
  const api = deps.config.apiUrl.replace(/\/+$/, "");
  const zone = guestZone(parties);
  const manageLink = payload.cancelToken ? `${api}/book/manage/${encodeURIComponent(payload.cancelToken)}` : undefined;
  const bookingPageLink = page?.enabled && page.handle ? `${api}/book/${encodeURIComponent(page.handle)}` : undefined;
  const notice = guestNotice(payload.kind, booking);
  const ends = endsBooking(payload.kind);
  const when = formatBookingTime(booking.startAt, booking.endAt, zone);
  const email = bookingGuestEmail({
    notice,
    by: payload.by,
    guestName: booking.guestName,
    hostName: hostPublicName(host),
    title: page?.title ?? null,
    when,
    ...(payload.previousStartAt ? { previousWhen: formatBookingTime(new Date(payload.previousStartAt), shifted(booking, payload.previousStartAt), zone) } : {}),
    reason: ends ? booking.cancelReason : null,
    ...(manageLink ? { manageLink } : {}),
    ...(bookingPageLink ? { bookingPageLink } : {}),
    ...(notice === "CONFIRMED" ? { opening: await confirmedOpening(deps, parties, when) } : {}),
  });
  const method = ends ? "CANCEL" : "REQUEST";
  const ics = buildIcs({
    method,
    uid: bookingUid(booking.id),
    sequence: payload.sequence,
    start: booking.startAt,
    end: booking.endAt,
    summary: page?.title ? `${page.title} with ${hostPublicName(host)}` : `Booking with ${hostPublicName(host)}`,
    description: [booking.message ? `Your message: ${booking.message}` : null, manageLink ? `Cancel or reschedule: ${manageLink}` : null].filter(Boolean).join("\n\n") || undefined,
    ...(manageLink ? { url: manageLink } : {}),
    organizer: { name: hostDisplayName(host), email: host.email },
    attendee: { name: booking.guestName, email: booking.guestEmail },
    status: ends ? "CANCELLED" : booking.status === "PENDING" ? "TENTATIVE" : "CONFIRMED",
    dtstamp: new Date(),
  });
  await enqueueJob(deps.env.JOBS, "email.send", `${jobKey}:guest`, {
    to: booking.guestEmail,
    ...email,
    replyTo: host.email,
    attachments: [{ filename: "booking.ics", contentType: `text/calendar; charset=utf-8; method=${method}`, content: ics }],
  });
}

/** A confirmation opens in the host's own words: their BOOKING_CONFIRMED template. */
async function confirmedOpening(deps: NotificationDeps, { booking, host, page }: BookingParties, when: string) {
  const hostName = hostPublicName(host);
  const [firstName = booking.guestName, ...rest] = booking.guestName.trim().split(/\s+/);
  const { subject, text, content } = await renderTemplateParts(deps.db, host.id, "BOOKING_CONFIRMED", {
    client: { firstName, lastName: rest.join(" "), fullName: booking.guestName },
    // The same studio name as in every other kind; the summary below names the host as guests see them.
    studio: studioValues(host),
    booking: { title: page?.title ?? "Your booking", summary: page?.title ? `${page.title} with ${hostName}` : hostName, start: when },
  });
  return { subject, text, html: content };
}

/** The earlier slot had the booking's length: a reschedule keeps it. */
const shifted = (booking: Booking, previousStartAt: string) => new Date(Date.parse(previousStartAt) + (booking.endAt.getTime() - booking.startAt.getTime()));

async function notifyHost(deps: NotificationDeps, parties: BookingParties, payload: BookingAnnouncement, type: NotificationType, jobKey: string): Promise<void> {
  const { booking, host } = parties;
  const app = deps.config.appUrl.replace(/\/+$/, "");
  const notice: HostNotice = payload.kind === "CREATED" ? (booking.status === "PENDING" ? "REQUESTED" : "CREATED") : (payload.kind as HostNotice);
  const props = {
    notice,
    hostFirstName: host.firstName,
    guestName: booking.guestName,
    guestEmail: booking.guestEmail,
    when: formatBookingTime(booking.startAt, booking.endAt, host.timezone),
    ...(payload.previousStartAt ? { previousWhen: formatBookingTime(new Date(payload.previousStartAt), shifted(booking, payload.previousStartAt), host.timezone) } : {}),
    message: payload.kind === "CREATED" ? booking.message : null,
    reason: payload.kind === "CANCELLED" ? booking.cancelReason : null,
    link: `${app}/bookings/${encodeURIComponent(booking.id)}`,
    preferencesLink: `${app}/settings/notifications`,
  };
  const { title, body } = hostNoticeText(props);
  await notify(deps, host.id, {
    type,
    title,
    body,
    data: { bookingId: booking.id, start: booking.startAt.toISOString() },
    email: bookingHostEmail(props),
    key: jobKey,
  });
}
