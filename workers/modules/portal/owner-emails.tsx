// The studio owner's emails about what a client did in the portal. They go to the owner, so their links open
// the dashboard (APP_URL); nothing here is ever sent to a client.
import { EmailButton, EmailLayout } from "../../templates/emails/layout";
import { renderHtml, type RenderedEmail } from "../../templates/emails/render";

const quoteStyle = "margin:16px 0;padding:12px 16px;border-left:3px solid #d4d4d8;color:#3f3f46;white-space:pre-line";

export interface OwnerNoticeProps {
  ownerFirstName: string;
  title: string;
  lead: string;
  /** A text the client wrote (a rejection reason, a message), shown as a quote. */
  quoted?: { label: string; text: string } | null;
  link: { href: string; label: string };
  preferencesLink: string;
}

export function ownerNoticeEmail(props: OwnerNoticeProps): RenderedEmail {
  const footer = "You get this email because of your notification preferences:";
  const html = renderHtml(
    <EmailLayout title={props.title}>
      <p>Hello {props.ownerFirstName},</p>
      <p>{props.lead}</p>
      {props.quoted ? (
        <div>
          <p style="margin:16px 0 0;color:#71717a;font-size:13px">{props.quoted.label}</p>
          <p style={quoteStyle}>{props.quoted.text}</p>
        </div>
      ) : null}
      <EmailButton href={props.link.href} label={props.link.label} />
      <p style="color:#71717a;font-size:13px">
        {footer} <a href={props.preferencesLink}>change them</a>.
      </p>
    </EmailLayout>,
  );
  const text = [
    `Hello ${props.ownerFirstName},`,
    "",
    props.lead,
    ...(props.quoted ? ["", `${props.quoted.label}:`, props.quoted.text] : []),
    "",
    `${props.link.label}: ${props.link.href}`,
    "",
    `${footer} ${props.preferencesLink}`,
  ].join("\n");
  return { subject: props.title, html, text };
}
