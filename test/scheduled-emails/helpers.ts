import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { files, scheduledEmails } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, register, uniqueEmail } from "../support/http";

export const db = createDb(env.DB);

/** An owner with one client who has an email address, and one who has none. */
export async function owner() {
  const account = await register({ firstName: "Claire", lastName: "Morel" });
  const token = account.accessToken;
  const email = uniqueEmail("client");
  const contact = await api("/api/contacts", { token, json: { firstName: "Jeanne", lastName: "<Dupont>", email } });
  expect(contact.status, contact.text).toBe(201);
  const silent = await api("/api/contacts", { token, json: { firstName: "Paul" } });
  expect(silent.status, silent.text).toBe(201);
  return { account, token, ownerId: account.user.id, contactId: contact.body.id as string, email, silentContactId: silent.body.id as string };
}
export type Owner = Awaited<ReturnType<typeof owner>>;

/** A file of the owner's client, its bytes in R2 as an upload leaves them. */
export async function clientFile(o: Owner, name: string, content: string) {
  const id = newId();
  const r2Key = `${o.ownerId}/files/${id}`;
  const bytes = new TextEncoder().encode(content);
  await env.FILES.put(r2Key, bytes);
  const now = new Date();
  await auditedBatch(db, { type: "USER", id: o.ownerId, requestId: null }, [
    db.insert(files).values({ id, ownerId: o.ownerId, contactId: o.contactId, name, contentType: "text/plain", size: bytes.byteLength, r2Key, createdAt: now, updatedAt: now }),
  ]);
  return { id, r2Key };
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export async function schedule(o: Owner, json: Record<string, unknown>) {
  const res = await api("/api/scheduled-emails", { token: o.token, json: { contactId: o.contactId, subject: "Hello {{client.firstName}}", body: "Hi {{client.fullName}}", sendAt: inDays(1), ...json } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export const row = async (id: string) => (await db.select().from(scheduledEmails).where(eq(scheduledEmails.id, id)))[0]!;
