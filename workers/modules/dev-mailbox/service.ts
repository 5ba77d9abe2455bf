import { desc, eq } from "drizzle-orm";
import PostalMime from "postal-mime";
import type { Db } from "@shared/db/client";
import { devMail, type DevMailAttachment } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { newId } from "@shared/lib/ids";

const RAW_PREFIX = "dev-mailbox/";

/** Keeps a sent message: the raw MIME in R2, its parsed headers, bodies and attachment list in D1. */
export async function captureDevMail(env: Env, db: Db, raw: string): Promise<string> {
  const parsed = await PostalMime.parse(raw);
  const id = newId();
  const rawKey = `${RAW_PREFIX}${id}.eml`;
  await env.FILES.put(rawKey, raw, { httpMetadata: { contentType: "message/rfc822" } });
  const attachments: DevMailAttachment[] = parsed.attachments.map((a) => ({
    filename: a.filename ?? "attachment",
    contentType: a.mimeType,
    size: typeof a.content === "string" ? a.content.length : a.content.byteLength,
  }));
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

/** The bytes of one attachment, re-read from the stored raw message. */
export async function getDevMailAttachment(env: Env, db: Db, id: string, index: number) {
  const [row] = await db.select().from(devMail).where(eq(devMail.id, id)).limit(1);
  if (!row) return null;
  const object = await env.FILES.get(row.rawKey);
  if (!object) return null;
  const parsed = await PostalMime.parse(await object.arrayBuffer(), { attachmentEncoding: "arraybuffer" });
  const attachment = parsed.attachments[index];
  if (!attachment) return null;
  return { filename: attachment.filename ?? `attachment-${index}`, contentType: attachment.mimeType, content: attachment.content as ArrayBuffer };
}

export async function getDevMailRaw(env: Env, db: Db, id: string) {
  const [row] = await db.select().from(devMail).where(eq(devMail.id, id)).limit(1);
  return row ? env.FILES.get(row.rawKey) : null;
}

export async function clearDevMail(env: Env, db: Db): Promise<void> {
  const rows = await db.select({ rawKey: devMail.rawKey }).from(devMail);
  for (let i = 0; i < rows.length; i += 1000) await env.FILES.delete(rows.slice(i, i + 1000).map((r) => r.rawKey));
  await db.delete(devMail);
}
