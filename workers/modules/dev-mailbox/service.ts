import { desc, eq } from "drizzle-orm";
import PostalMime from "postal-mime";
import type { Db } from "@shared/db/client";
import { devMail, type DevMailAttachment } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { newId } from "@shared/lib/ids";
import type { OutgoingAttachment } from "../mail/mime";

const PREFIX = "dev-mailbox/";

/**
 * Keeps a sent message: the raw MIME in R2 and its headers and bodies as a MIME parser reads them back, in D1.
 * Attachments are kept byte for byte as they were encoded into the message (parsers rewrite some, such as the
 * line endings of a calendar file, and an `.ics` must keep its CRLFs to import).
 */
export async function captureDevMail(env: Env, db: Db, raw: string, sent: OutgoingAttachment[] = []): Promise<string> {
  const parsed = await PostalMime.parse(raw);
  const id = newId();
  const rawKey = `${PREFIX}${id}/message.eml`;
  await env.FILES.put(rawKey, raw, { httpMetadata: { contentType: "message/rfc822" } });
  const attachments: DevMailAttachment[] = await Promise.all(
    sent.map(async (attachment, index) => {
      const key = `${PREFIX}${id}/${index}`;
      await env.FILES.put(key, attachment.data, { httpMetadata: { contentType: attachment.contentType } });
      return { filename: attachment.filename, contentType: attachment.contentType, size: attachment.data.byteLength, key };
    }),
  );
  await db.insert(devMail).values({
    id,
    to: (parsed.to ?? []).map((t) => t.address ?? "").filter(Boolean).join(", ").toLowerCase(),
    from: parsed.from?.address ?? "",
    subject: parsed.subject ?? "",
    text: parsed.text ?? null,
    html: parsed.html ?? null,
    attachments,
    rawKey,
    createdAt: new Date(),
  });
  return id;
}

export async function listDevMail(db: Db, to: string | undefined, limit: number) {
  const query = db.select().from(devMail);
  const rows = await (to ? query.where(eq(devMail.to, to.trim().toLowerCase())) : query).orderBy(desc(devMail.createdAt), desc(devMail.id)).limit(limit);
  return rows;
}

export async function getDevMailAttachment(env: Env, db: Db, id: string, index: number) {
  const [row] = await db.select().from(devMail).where(eq(devMail.id, id)).limit(1);
  const attachment = row?.attachments[index];
  const object = attachment ? await env.FILES.get(attachment.key) : null;
  if (!attachment || !object) return null;
  return { filename: attachment.filename, contentType: attachment.contentType, content: object.body };
}

export async function getDevMailRaw(env: Env, db: Db, id: string) {
  const [row] = await db.select().from(devMail).where(eq(devMail.id, id)).limit(1);
  return row ? env.FILES.get(row.rawKey) : null;
}

export async function clearDevMail(env: Env, db: Db): Promise<void> {
  const rows = await db.select({ rawKey: devMail.rawKey, attachments: devMail.attachments }).from(devMail);
  const keys = rows.flatMap((row) => [row.rawKey, ...row.attachments.map((a) => a.key)]);
  // R2 deletes at most 1,000 keys per call.
  for (let i = 0; i < keys.length; i += 1000) await env.FILES.delete(keys.slice(i, i + 1000));
  await db.delete(devMail);
}
