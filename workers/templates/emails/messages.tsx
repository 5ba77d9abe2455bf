import { EmailButton, EmailLayout } from "./layout";
import { renderHtml, type RenderedEmail } from "./render";

export interface DigestMessage {
  senderName: string;
  content: string;
  createdAt: Date;
}

/**
 * The unread-messages digest. Message text is the senders' own words: JSX escapes it in the HTML part, and
 * the only links are to the app (the conversation and the notification settings), never to the API.
 */
export function unreadMessagesEmail(props: {
  firstName: string;
  conversationName: string;
  unreadCount: number;
  /** Newest first, at most a handful. */
  messages: DigestMessage[];
  link: string;
  preferencesLink: string;
}): RenderedEmail {
  const count = `${props.unreadCount} unread message${props.unreadCount === 1 ? "" : "s"}`;
  const subject = `${count} in ${props.conversationName}`;
  const more = props.unreadCount - props.messages.length;
  const html = renderHtml(
    <EmailLayout title={subject}>
      <p>Hello {props.firstName},</p>
      <p>
        While you were away, {count} arrived in <strong>{props.conversationName}</strong>:
      </p>
      {props.messages.map((message) => (
        <div style="margin:0 0 12px;padding:12px 16px;border-left:3px solid #d4d4d8;background:#fafafa">
          <p style="margin:0 0 4px;font-size:13px;color:#71717a">
            <strong style="color:#18181b">{message.senderName}</strong> · {message.createdAt.toUTCString()}
          </p>
          <p style="margin:0;white-space:pre-wrap">{message.content}</p>
        </div>
      ))}
      {more > 0 ? <p style="color:#71717a">…and {more} more.</p> : null}
      <EmailButton href={props.link} label="Open the conversation" />
      <p style="color:#71717a;font-size:13px">
        You get at most one such email per conversation while you are away.{" "}
        <a href={props.preferencesLink} style="color:#71717a">Choose which emails you receive</a>.
      </p>
    </EmailLayout>,
  );
  const text = [
    `Hello ${props.firstName},`,
    "",
    `While you were away, ${count} arrived in ${props.conversationName}:`,
    "",
    ...props.messages.flatMap((message) => [`${message.senderName} (${message.createdAt.toUTCString()}):`, message.content, ""]),
    ...(more > 0 ? [`…and ${more} more.`, ""] : []),
    `Open the conversation: ${props.link}`,
    "",
    `You get at most one such email per conversation while you are away. Choose which emails you receive: ${props.preferencesLink}`,
  ].join("\n");
  return { subject, html, text };
}
