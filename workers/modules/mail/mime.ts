import { createMimeMessage, Mailbox } from "mimetext";
import { toBase64 } from "@shared/lib/crypto";
import { newId } from "@shared/lib/ids";

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

export interface OutgoingEmail {
  /** `Name <address>` or a bare address. */
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  attachments?: OutgoingAttachment[];
}

/** Splits `Name <address>` into its parts; a bare address has no name. */
export function parseMailbox(value: string): { name?: string; address: string } {
  const match = value.match(/^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/);
  if (match) return { ...(match[1] ? { name: match[1].trim() } : {}), address: match[2]!.trim() };
  return { address: value.trim() };
}

/** The email as RFC 5322 / MIME text: multipart/alternative text and HTML, attachments base64-encoded. */
export function buildMime(email: OutgoingEmail): { raw: string; messageId: string; from: string } {
  const from = parseMailbox(email.from);
  const domain = from.address.split("@")[1] ?? "lightbox.invalid";
  const messageId = `<${newId()}@${domain}>`;
  const msg = createMimeMessage();
  msg.setSender(from.name ? { name: from.name, addr: from.address } : from.address);
  msg.setRecipient(email.to);
  msg.setSubject(email.subject);
  msg.setHeader("Message-ID", messageId);
  if (email.replyTo) msg.setHeader("Reply-To", new Mailbox(email.replyTo));
  msg.addMessage({ contentType: "text/plain", data: email.text });
  if (email.html) msg.addMessage({ contentType: "text/html", data: email.html });
  for (const attachment of email.attachments ?? []) {
    msg.addAttachment({ filename: attachment.filename, contentType: attachment.contentType, data: toBase64(attachment.data) });
  }
  return { raw: msg.asRaw(), messageId, from: from.address };
}
