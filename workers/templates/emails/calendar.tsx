import { EmailButton, EmailLayout } from "./layout";
import { renderHtml, type RenderedEmail } from "./render";

/** Told once per grant when Google stops honouring it (revoked by the person, expired, or password changed). */
export function calendarDisconnectedEmail(props: { firstName: string; accountEmail: string | null; link: string }): RenderedEmail {
  const subject = "Your Google Calendar is no longer connected";
  const account = props.accountEmail ? ` (${props.accountEmail})` : "";
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Hello {props.firstName},</p>
      <p>
        Google no longer lets Lightbox use your calendar{account}: the access was revoked or has expired. New
        bookings are not added to it, and its busy times no longer hide slots on your booking page.
      </p>
      <EmailButton href={props.link} label="Connect it again" />
    </EmailLayout>,
  );
  const text = [
    `Hello ${props.firstName},`,
    "",
    `Google no longer lets Lightbox use your calendar${account}: the access was revoked or has expired. New bookings are not added to it, and its busy times no longer hide slots on your booking page.`,
    "",
    `Connect it again: ${props.link}`,
  ].join("\n");
  return { subject, html, text };
}
