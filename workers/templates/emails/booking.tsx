import type { Child } from "hono/jsx";
import { EmailButton, EmailLayout } from "./layout";
import { renderHtml, type RenderedEmail } from "./render";

/** What a guest is told; `REQUESTED` is a booking waiting for the host's confirmation. */
export type GuestNotice = "REQUESTED" | "CONFIRMED" | "DECLINED" | "CANCELLED" | "RESCHEDULED";

export interface GuestEmailProps {
  notice: GuestNotice;
  /** Who changed it, for wording only. */
  by: "GUEST" | "HOST";
  guestName: string;
  /** The host as guests know them: their name, and their studio's when they have one. */
  hostName: string;
  title: string | null;
  /** The booking's time in the guest's zone (formatBookingTime). */
  when: string;
  previousWhen?: string;
  reason?: string | null;
  manageLink?: string;
  /** The host's booking page, to choose another time after a decline or cancellation. */
  bookingPageLink?: string;
  /** The host's own subject and opening (their BOOKING_CONFIRMED template), in place of the standard ones. */
  opening?: { subject: string; text: string; html: Child };
}

/** `Saturday, December 5, 2026, 9:00 – 10:00 AM (Europe/Paris, GMT+01:00)`: always with the zone named. */
export function formatBookingTime(start: Date, end: Date, timeZone: string): string {
  const zone = knownZone(timeZone) ? timeZone : "UTC";
  const range = new Intl.DateTimeFormat("en-US", { timeZone: zone, dateStyle: "full", timeStyle: "short" }).formatRange(start, end);
  const offset = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(start).find((part) => part.type === "timeZoneName")?.value;
  return `${range} (${zone}${offset ? `, ${offset}` : ""})`;
}

function knownZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const what = (props: { title: string | null; hostName: string }) => (props.title ? `${props.title} with ${props.hostName}` : `Your booking with ${props.hostName}`);

/** The subject and the opening paragraph, as text: both parts of the email say the same. */
function guestWording(props: GuestEmailProps): { subject: string; lead: string } {
  const subjectOf = (prefix: string) => `${prefix}: ${props.title ? `${props.title} with ` : ""}${props.hostName}`;
  switch (props.notice) {
    case "REQUESTED":
      return {
        subject: subjectOf("Booking request received"),
        lead: `${props.hostName} has received your request for ${props.when}. They will confirm it soon, and you will get an email either way.`,
      };
    case "CONFIRMED":
      return { subject: subjectOf("Booking confirmed"), lead: `${what(props)} is confirmed for ${props.when}.` };
    case "DECLINED":
      return { subject: subjectOf("Booking request declined"), lead: `${props.hostName} cannot accept your request for ${props.when}.` };
    case "CANCELLED":
      return {
        subject: subjectOf("Booking cancelled"),
        lead: props.by === "GUEST" ? `As you asked, your booking with ${props.hostName} for ${props.when} is cancelled.` : `${props.hostName} cancelled your booking for ${props.when}.`,
      };
    case "RESCHEDULED":
      return {
        subject: subjectOf("Booking moved"),
        lead: `${props.by === "GUEST" ? `${what(props)} is moved` : `${props.hostName} moved ${props.title ? props.title : "your booking"}`} to ${props.when}${props.previousWhen ? ` (it was ${props.previousWhen})` : ""}.`,
      };
  }
}

const calendarNote = (notice: GuestNotice) =>
  notice === "DECLINED" || notice === "CANCELLED" ? "The attached calendar file removes the event from your calendar." : "The attached calendar file adds it to your calendar or updates it there.";

/** A booking email to the guest. The .ics travels as an attachment added by the caller. */
export function bookingGuestEmail(props: GuestEmailProps): RenderedEmail {
  const standard = guestWording(props);
  const subject = props.opening?.subject ?? standard.subject;
  const ended = props.notice === "DECLINED" || props.notice === "CANCELLED";
  const html = renderHtml(
    <EmailLayout title={subject}>
      {props.opening ? (
        props.opening.html
      ) : (
        <>
          <p>Hello {props.guestName},</p>
          <p>{standard.lead}</p>
        </>
      )}
      {props.reason ? <Quoted label="Reason">{props.reason}</Quoted> : null}
      <p style="color:#71717a;font-size:13px">{calendarNote(props.notice)}</p>
      {props.manageLink && !ended ? <EmailButton href={props.manageLink} label="Cancel or reschedule" /> : null}
      {ended && props.bookingPageLink ? <EmailButton href={props.bookingPageLink} label="Choose another time" /> : null}
      {props.manageLink && !ended ? <p style="color:#71717a;font-size:13px">Keep this email: the button above is your link to change or cancel this booking.</p> : null}
    </EmailLayout>,
  );
  const text = [
    ...(props.opening ? [props.opening.text] : [`Hello ${props.guestName},`, "", standard.lead]),
    ...(props.reason ? ["", `Reason: ${props.reason}`] : []),
    "",
    calendarNote(props.notice),
    ...(props.manageLink && !ended ? ["", `Cancel or reschedule: ${props.manageLink}`, "Keep this email: the link above is your link to change or cancel this booking."] : []),
    ...(ended && props.bookingPageLink ? ["", `Choose another time: ${props.bookingPageLink}`] : []),
  ].join("\n");
  return { subject, html, text };
}

/** The guest's reminder the day before. The manage link is not in it: only its hash is stored. */
export function bookingReminderEmail(props: { guestName: string; hostName: string; title: string | null; when: string }): RenderedEmail {
  const subject = `Reminder: ${props.title ? `${props.title} with ` : ""}${props.hostName}`;
  const lead = `${what(props)} is coming up: ${props.when}.`;
  const note = "To cancel or reschedule, use the link in your confirmation email.";
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Hello {props.guestName},</p>
      <p>{lead}</p>
      <p style="color:#71717a;font-size:13px">{note}</p>
    </EmailLayout>,
  );
  const text = [`Hello ${props.guestName},`, "", lead, "", note].join("\n");
  return { subject, html, text };
}

export type HostNotice = "CREATED" | "REQUESTED" | "CANCELLED" | "RESCHEDULED";

export interface HostEmailProps {
  notice: HostNotice;
  hostFirstName: string;
  guestName: string;
  guestEmail: string;
  /** In the host's zone. */
  when: string;
  previousWhen?: string;
  message?: string | null;
  reason?: string | null;
  /** The booking in the app. */
  link: string;
  preferencesLink: string;
}

/** The in-app notification's title and body, which the host's email repeats. */
export function hostNoticeText(props: Pick<HostEmailProps, "notice" | "guestName" | "when" | "previousWhen">): { title: string; body: string } {
  switch (props.notice) {
    case "CREATED":
      return { title: `New booking: ${props.guestName}`, body: props.when };
    case "REQUESTED":
      return { title: `Booking request: ${props.guestName}`, body: `${props.when}, waiting for your confirmation` };
    case "CANCELLED":
      return { title: `Booking cancelled: ${props.guestName}`, body: props.when };
    case "RESCHEDULED":
      return { title: `Booking moved: ${props.guestName}`, body: props.previousWhen ? `${props.previousWhen} → ${props.when}` : props.when };
  }
}

/** The email `notify` sends the host when their preference keeps emails for the type. */
export function bookingHostEmail(props: HostEmailProps): RenderedEmail {
  const { title, body } = hostNoticeText(props);
  const subject = title;
  const action = props.notice === "REQUESTED" ? "Confirm or decline" : "Open the booking";
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Hello {props.hostFirstName},</p>
      <p>
        <strong>{props.guestName}</strong> ({props.guestEmail}): {body}
      </p>
      {props.message ? <Quoted label="Their message">{props.message}</Quoted> : null}
      {props.reason ? <Quoted label="Reason">{props.reason}</Quoted> : null}
      <EmailButton href={props.link} label={action} />
      <p style="color:#71717a;font-size:13px">
        <a href={props.preferencesLink} style="color:#71717a">
          Choose which emails you receive
        </a>
        .
      </p>
    </EmailLayout>,
  );
  const text = [
    `Hello ${props.hostFirstName},`,
    "",
    `${props.guestName} (${props.guestEmail}): ${body}`,
    ...(props.message ? ["", "Their message:", props.message] : []),
    ...(props.reason ? ["", `Reason: ${props.reason}`] : []),
    "",
    `${action}: ${props.link}`,
    "",
    `Choose which emails you receive: ${props.preferencesLink}`,
  ].join("\n");
  return { subject, html, text };
}

function Quoted(props: { label: string; children: Child }) {
  return (
    <div style="margin:0 0 12px;padding:12px 16px;border-left:3px solid #d4d4d8;background:#fafafa">
      <p style="margin:0 0 4px;font-size:13px;color:#71717a">{props.label}</p>
      <p style="margin:0;white-space:pre-wrap">{props.children}</p>
    </div>
  );
}
