import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Db } from "@shared/db/client";
import { contacts, files, providers, sessionContacts, sessionProviders, sessions, sessionTags, tags, type Session } from "@shared/db/schema";
import { toTagSummary } from "../tags/schemas";
import type { SessionDetailSchema, SessionSchema } from "./schemas";
import { ownedBy } from "@shared/db/ownership";
import { DETAIL_LIST_LIMIT } from "../contacts/service";

// How sessions look on the wire: the row plus its contacts, tags and providers, read in three queries for a
// whole page of sessions (never one query per session).

export type SessionDto = z.infer<typeof SessionSchema>;
export type SessionDetailDto = z.infer<typeof SessionDetailSchema>;

const money = (amount: number | null, currency: string | null) => (amount !== null && currency !== null ? { amount, currency } : null);

/** Ids in groups that keep each query under D1's 100 bound parameters (the owner id is one more). */
function chunks<T>(values: T[], size = 90): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function groupBy<R extends { sessionId: string }>(rows: R[]): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const row of rows) map.set(row.sessionId, [...(map.get(row.sessionId) ?? []), row]);
  return map;
}

async function linksOf(db: Db, ownerId: string, sessionIds: string[]) {
  const perChunk = await Promise.all(
    chunks(sessionIds).map((ids) =>
      Promise.all([
        db
          .select({
            sessionId: sessionContacts.sessionId,
            role: sessionContacts.role,
            id: contacts.id,
            firstName: contacts.firstName,
            lastName: contacts.lastName,
            email: contacts.email,
          })
          .from(sessionContacts)
          .innerJoin(contacts, and(eq(contacts.id, sessionContacts.contactId), ownedBy(contacts.ownerId, ownerId)))
          .where(and(ownedBy(sessionContacts.ownerId, ownerId), inArray(sessionContacts.sessionId, ids)))
          .orderBy(asc(contacts.sortName), asc(contacts.id)),
        db
          .select({ sessionId: sessionTags.sessionId, id: tags.id, name: tags.name, color: tags.color })
          .from(sessionTags)
          .innerJoin(tags, and(eq(tags.id, sessionTags.tagId), ownedBy(tags.ownerId, ownerId)))
          .where(and(ownedBy(sessionTags.ownerId, ownerId), inArray(sessionTags.sessionId, ids)))
          .orderBy(asc(tags.nameKey)),
        db
          .select({
            sessionId: sessionProviders.sessionId,
            id: providers.id,
            name: providers.name,
            usualRole: providers.role,
            role: sessionProviders.role,
            email: providers.email,
            phone: providers.phone,
            feeAmount: sessionProviders.feeAmount,
            feeCurrency: sessionProviders.feeCurrency,
          })
          .from(sessionProviders)
          .innerJoin(providers, and(eq(providers.id, sessionProviders.providerId), ownedBy(providers.ownerId, ownerId)))
          .where(and(ownedBy(sessionProviders.ownerId, ownerId), inArray(sessionProviders.sessionId, ids)))
          .orderBy(asc(providers.name), asc(providers.id)),
      ]),
    ),
  );
  return {
    contacts: groupBy(perChunk.flatMap(([c]) => c)),
    tags: groupBy(perChunk.flatMap(([, t]) => t)),
    providers: groupBy(perChunk.flatMap(([, , p]) => p)),
  };
}

export async function toSessionDtos(db: Db, ownerId: string, rows: Session[]): Promise<SessionDto[]> {
  if (rows.length === 0) return [];
  const links = await linksOf(db, ownerId, rows.map((row) => row.id));
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    type: row.type,
    status: row.status,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    location: row.location,
    price: money(row.priceAmount, row.priceCurrency),
    notes: row.notes,
    contacts: (links.contacts.get(row.id) ?? []).map(({ id, firstName, lastName, email, role }) => ({ id, firstName, lastName, email, role })),
    tags: (links.tags.get(row.id) ?? []).map(toTagSummary),
    providers: (links.providers.get(row.id) ?? []).map((p) => ({
      id: p.id,
      name: p.name,
      role: p.role ?? p.usualRole,
      email: p.email,
      phone: p.phone,
      fee: money(p.feeAmount, p.feeCurrency),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }));
}

/** A session with its files (read from the files table: their metadata is all a session view needs). */
export async function toSessionDetail(db: Db, ownerId: string, row: Session): Promise<SessionDetailDto> {
  const [[dto], fileRows] = await Promise.all([
    toSessionDtos(db, ownerId, [row]),
    db
      .select({ id: files.id, name: files.name, size: files.size, contentType: files.contentType, createdAt: files.createdAt })
      .from(files)
      .where(and(eq(files.ownerId, ownerId), eq(files.sessionId, row.id)))
      .orderBy(desc(files.createdAt), asc(files.id))
      // The most recent files only; all of them are paged at GET /api/sessions/:id/files.
      .limit(DETAIL_LIST_LIMIT),
  ]);
  return { ...dto!, files: fileRows.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })) };
}

export async function findSession(db: Db, ownerId: string, id: string): Promise<Session | undefined> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.ownerId, ownerId), eq(sessions.id, id)))
    .limit(1);
  return row;
}
