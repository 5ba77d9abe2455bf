import type { EmailJobPayload } from "@shared/contracts/jobs";
import { deliverEmail } from "../modules/mail/service";
import type { JobContext } from "./index";

const encoder = new TextEncoder();

/** The `email.send` job: gathers the attachments (from R2, or from the message for small inline ones) and
 *  sends. A missing R2 attachment fails the job (and so retries, then parks it) rather than sending an email
 *  without the document it promises. */
export async function sendEmailJob(payload: EmailJobPayload, { env, db }: JobContext): Promise<void> {
  const attachments = await Promise.all(
    payload.attachments.map(async (attachment) => {
      if ("content" in attachment) return { filename: attachment.filename, contentType: attachment.contentType, data: encoder.encode(attachment.content) };
      const object = await env.FILES.get(attachment.r2Key);
      if (!object) throw new Error(`attachment ${attachment.filename} is missing from R2 (${attachment.r2Key})`);
      return { filename: attachment.filename, contentType: attachment.contentType, data: new Uint8Array(await object.arrayBuffer()) };
    }),
  );
  await deliverEmail(env, db, {
    to: payload.to,
    subject: payload.subject,
    text: payload.text,
    ...(payload.html ? { html: payload.html } : {}),
    ...(payload.replyTo ? { replyTo: payload.replyTo } : {}),
    attachments,
  });
}
