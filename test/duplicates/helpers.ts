import { env } from "cloudflare:test";
import { and, asc, eq, or } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { expect } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { auditLog, bookings, contacts, contactTags, duplicatePairs, files, fileUploads, sessionContacts } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { deriveContactFields } from "../../workers/modules/contacts/normalize";
import type { ServiceDeps } from "../../workers/router";

export const db = createDb(env.DB);

export const actorOf = (ownerId: string): Actor => ({ type: "USER", id: ownerId, requestId: `test-${ownerId.slice(-8)}` });

/** What a route would hand the services for this user. */
export const depsFor = (ownerId: string): ServiceDeps => ({ env, db, config: getConfig(env), actor: actorOf(ownerId) });

export interface ContactInput {
  firstName: string;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
}

/**
 * Inserts contacts the way the contacts service does (normalized through deriveContactFields, audited), many
 * per statement, and returns their ids in order.
 */
export async function insertContacts(ownerId: string, inputs: ContactInput[], region = "FR"): Promise<string[]> {
  const now = new Date();
  const rows = inputs.map((input) => ({ ...deriveContactFields(input, region), company: input.company ?? null, id: newId(), ownerId, createdAt: now, updatedAt: now }));
  // 13 bound values a row: 7 rows stay under D1's 100 per statement.
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < rows.length; i += 7) statements.push(db.insert(contacts).values(rows.slice(i, i + 7)));
  for (let i = 0; i < statements.length; i += 100) {
    await auditedBatch(db, actorOf(ownerId), statements.slice(i, i + 100) as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  }
  return rows.map((row) => row.id);
}

export async function insertContact(ownerId: string, input: ContactInput): Promise<string> {
  const [id] = await insertContacts(ownerId, [input]);
  return id!;
}

/** The owner's stored pairs as "idA idB REASON score STATUS", sorted. */
export async function pairsOf(ownerId: string): Promise<string[]> {
  const rows = await db.select().from(duplicatePairs).where(eq(duplicatePairs.ownerId, ownerId));
  for (const row of rows) expect(row.contactAId < row.contactBId, "pairs are stored smaller id first").toBe(true);
  return rows.map((r) => `${r.contactAId} ${r.contactBId} ${r.reason} ${r.score} ${r.status}`).sort();
}

export async function pairBetween(x: string, y: string) {
  const [a, b] = x < y ? [x, y] : [y, x];
  const [row] = await db
    .select()
    .from(duplicatePairs)
    .where(and(eq(duplicatePairs.contactAId, a), eq(duplicatePairs.contactBId, b)));
  return row;
}

export { allPages } from "../support/http";

/** Every place a contact id can be referenced from, and how many rows there name `id`. */
export async function referencesTo(id: string) {
  const count = async (rows: Promise<unknown[]>) => (await rows).length;
  return {
    contacts: await count(db.select().from(contacts).where(eq(contacts.id, id))),
    sessionContacts: await count(db.select().from(sessionContacts).where(eq(sessionContacts.contactId, id))),
    contactTags: await count(db.select().from(contactTags).where(eq(contactTags.contactId, id))),
    files: await count(db.select().from(files).where(eq(files.contactId, id))),
    fileUploads: await count(db.select().from(fileUploads).where(eq(fileUploads.contactId, id))),
    bookings: await count(db.select().from(bookings).where(eq(bookings.contactId, id))),
    duplicatePairs: await count(db.select().from(duplicatePairs).where(or(eq(duplicatePairs.contactAId, id), eq(duplicatePairs.contactBId, id)))),
    auditLog: await count(db.select().from(auditLog).where(eq(auditLog.entityId, id))),
  };
}

/** A contact merged into another: nothing names it any more but its own DELETE row (its history ends there). */
export const mergedAway = { contacts: 0, sessionContacts: 0, contactTags: 0, files: 0, fileUploads: 0, bookings: 0, duplicatePairs: 0, auditLog: 1 };

export const historyOf = (contactId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, "contact"), eq(auditLog.entityId, contactId)))
    .orderBy(asc(auditLog.seq));
