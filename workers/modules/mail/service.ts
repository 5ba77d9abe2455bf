import { EmailMessage } from "cloudflare:email";
import type { Db } from "@shared/db/client";
import type { Env } from "@shared/env";
import { getConfig } from "@shared/config";
import { buildMime, type OutgoingEmail } from "./mime";
import { captureDevMail } from "../dev-mailbox/service";

/**
 * Sends one email through the EMAIL binding as real MIME. In development every message is also kept in the
 * dev mailbox, parsed from the very bytes that were handed to the binding.
 */
export async function deliverEmail(env: Env, db: Db, email: Omit<OutgoingEmail, "from"> & { from?: string }): Promise<{ messageId: string }> {
  const config = getConfig(env);
  const { raw, messageId, from } = buildMime({ ...email, from: email.from ?? config.mailFrom });
  await env.EMAIL.send(new EmailMessage(from, email.to, raw));
  if (config.environment === "development") await captureDevMail(env, db, raw, email.attachments);
  return { messageId };
}
