import { EmailButton, EmailLayout } from "./layout";
import { renderHtml, type RenderedEmail } from "./render";

export function exportReadyEmail(props: { firstName: string; what: string; rows: number; link: string; expiresAt: Date }): RenderedEmail {
  const subject = `Your ${props.what} export is ready`;
  const until = props.expiresAt.toUTCString();
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Hello {props.firstName},</p>
      <p>
        Your export of {props.rows.toLocaleString("en-US")} {props.what} is ready to download.
      </p>
      <EmailButton href={props.link} label="Download the export" />
      <p style="color:#71717a;font-size:13px">The link works until {until}. After that, start a new export from Lightbox.</p>
    </EmailLayout>,
  );
  const text = [
    `Hello ${props.firstName},`,
    "",
    `Your export of ${props.rows.toLocaleString("en-US")} ${props.what} is ready to download:`,
    props.link,
    "",
    `The link works until ${until}. After that, start a new export from Lightbox.`,
  ].join("\n");
  return { subject, html, text };
}
