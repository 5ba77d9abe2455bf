// The contact and shoot a document is for: both must be the owner's (another tenant's id is a 404 like a
// missing one), checked before the batch so a refused document never consumes a number.
import { and, eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { contacts, sessions } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";

export async function requireParties(db: Db, ownerId: string, contactId: string | undefined, sessionId: string | null | undefined): Promise<void> {
  const [contactRows, sessionRows] = await db.batch([
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId ?? "")))
      .limit(1),
    db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.ownerId, ownerId), eq(sessions.id, sessionId ?? "")))
      .limit(1),
  ]);
  if (contactId !== undefined && !contactRows[0]) throw notFound("Contact");
  if (sessionId && !sessionRows[0]) throw notFound("Session");
}

/** The address a document is emailed to: its contact's, as it is now. */
export async function contactEmail(db: Db, ownerId: string, contactId: string): Promise<string | null> {
  const [row] = await db
    .select({ email: contacts.email })
    .from(contacts)
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId)))
    .limit(1);
  return row?.email ?? null;
}
