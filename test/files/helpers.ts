import { env, SELF } from "cloudflare:test";
import { and, asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { auditLog, contacts, sessions } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, ORIGIN, register, type Account } from "../support/http";

export const db = createDb(env.DB);
export const MiB = 1024 * 1024;

const actorOf = (account: Account) => ({ type: "USER" as const, id: account.user.id, requestId: null });

/** Contacts and sessions are inserted directly (their routes belong to other modules), audited as any write. */
export async function newContact(account: Account, firstName = "Élodie"): Promise<string> {
  const id = newId();
  await auditedBatch(db, actorOf(account), [
    db.insert(contacts).values({ id, ownerId: account.user.id, firstName, sortName: firstName.toLowerCase(), updatedAt: new Date() }),
  ]);
  return id;
}

export async function newSession(account: Account, title = "Mariage"): Promise<string> {
  const id = newId();
  await auditedBatch(db, actorOf(account), [db.insert(sessions).values({ id, ownerId: account.user.id, title, updatedAt: new Date() })]);
  return id;
}

/** A user with a contact and a session to hang files on. */
export async function owner() {
  const account = await register();
  return { account, token: account.accessToken, contactId: await newContact(account), sessionId: await newSession(account) };
}

export const PNG_HEADER = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const JPEG_HEADER = [0xff, 0xd8, 0xff, 0xe0];

/** `header` followed by every byte value 0..255, repeated up to `size` bytes. */
export function bytesWith(header: number[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i < header.length ? header[i]! : (i * 7 + (i >> 8)) & 0xff;
  return bytes;
}

export const png = (size = 4096) => bytesWith(PNG_HEADER, size);

export function formWith(bytes: Uint8Array | string, filename = "photo.png", field = "file", type = "image/png"): FormData {
  const form = new FormData();
  form.append(field, new File([bytes], filename, { type }));
  return form;
}

/** A multipart/form-data body written by hand, for what FormData cannot express (raw header bytes). */
export function rawForm(disposition: string, content: Uint8Array, boundary = "lightbox-test-boundary"): { body: Uint8Array; contentType: string } {
  const encoder = new TextEncoder();
  const head = encoder.encode(`preamble\r\n--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + content.length + tail.length);
  body.set(head);
  body.set(content, head.length);
  body.set(tail, head.length + content.length);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(token: string, parentPath: string, body: FormData | Uint8Array | ReadableStream, headers: Record<string, string> = {}) {
  return api(`${parentPath}/files`, { method: "POST", token, body, headers });
}

export async function uploadOk(token: string, parentPath: string, bytes: Uint8Array, filename = "photo.png") {
  const res = await upload(token, parentPath, formWith(bytes, filename));
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; name: string; size: number; contentType: string; sha256: string | null; contactId: string | null; sessionId: string | null; createdAt: string };
}

/** Fetches bytes as they are (the `api` helper reads text, which would mangle binary). */
export async function download(pathOrUrl: string, init: { token?: string; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const res = await SELF.fetch(/^https?:/.test(pathOrUrl) ? pathOrUrl : `${ORIGIN}${pathOrUrl}`, { headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(new TextDecoder().decode(bytes)) };
}

export const auditRowsOf = (entityType: string, entityId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.seq));

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
