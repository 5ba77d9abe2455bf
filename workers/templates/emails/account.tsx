import { EmailButton, EmailLayout } from "./layout";
import { renderHtml, type RenderedEmail } from "./render";

export function passwordResetEmail(props: { firstName: string; link: string; ttlMinutes: number }): RenderedEmail {
  const subject = "Reset your Lightbox password";
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Hello {props.firstName},</p>
      <p>Someone asked to reset the password of your Lightbox account. If it was you, choose a new one:</p>
      <EmailButton href={props.link} label="Choose a new password" />
      <p style="color:#71717a;font-size:13px">
        The link works once and expires in {props.ttlMinutes} minutes. If you did not ask for it, ignore this
        email: your password stays as it is.
      </p>
    </EmailLayout>,
  );
  const text = [
    `Hello ${props.firstName},`,
    "",
    "Someone asked to reset the password of your Lightbox account. If it was you, choose a new one:",
    props.link,
    "",
    `The link works once and expires in ${props.ttlMinutes} minutes. If you did not ask for it, ignore this email: your password stays as it is.`,
  ].join("\n");
  return { subject, html, text };
}

export function verifyEmailEmail(props: { firstName: string; link: string; ttlHours: number }): RenderedEmail {
  const subject = "Confirm your email address for Lightbox";
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Welcome to Lightbox, {props.firstName}.</p>
      <p>Confirm that this address is yours so your clients' replies and your invoices reach you:</p>
      <EmailButton href={props.link} label="Confirm my email" />
      <p style="color:#71717a;font-size:13px">The link works once and expires in {props.ttlHours} hours.</p>
    </EmailLayout>,
  );
  const text = [
    `Welcome to Lightbox, ${props.firstName}.`,
    "",
    "Confirm that this address is yours so your clients' replies and your invoices reach you:",
    props.link,
    "",
    `The link works once and expires in ${props.ttlHours} hours.`,
  ].join("\n");
  return { subject, html, text };
}
