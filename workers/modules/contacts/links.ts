import { and, asc, eq, inArray } from "drizzle-orm";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { ownedBy, requireOwned } from "@shared/db/ownership";
import { contacts, contactTags, tags } from "@shared/db/schema";
import type { ServiceDeps } from "../../router";
import { entityHistory } from "../audit/service";
import { toTagSummary } from "../tags/schemas";

type TagSummary = ReturnType<typeof toTagSummary>;

/** The tags of each contact, by name. Ids go 90 per query (D1 binds at most 100 parameters). */
export async function tagsByContact(db: Db, ownerId: string, contactIds: string[]): Promise<Map<string, TagSummary[]>> {
  const byContact = new Map<string, TagSummary[]>();
  for (let i = 0; i < contactIds.length; i += 90) {
    const rows = await db
      .select({ contactId: contactTags.contactId, id: tags.id, name: tags.name, color: tags.color })
      .from(contactTags)
      .innerJoin(tags, eq(tags.id, contactTags.tagId))
      .where(and(ownedBy(contactTags.ownerId, ownerId), inArray(contactTags.contactId, contactIds.slice(i, i + 90))))
      .orderBy(asc(tags.nameKey));
    for (const { contactId, ...tag } of rows) byContact.set(contactId, [...(byContact.get(contactId) ?? []), toTagSummary(tag)]);
  }
  return byContact;
}

/**
 * Statements that add and remove tag links of one contact, for the caller's audited batch. The tags must have
 * been checked with `requireOwned` first. 20 rows per insert keeps each under D1's 100 bound parameters.
 */
export function linkStatements(db: Db, ownerId: string, contactId: string, change: { add: string[]; remove: string[] }, now: Date) {
  const statements = [];
  for (let i = 0; i < change.add.length; i += 20) {
    const rows = change.add.slice(i, i + 20).map((tagId) => ({ ownerId, contactId, tagId, createdAt: now }));
    statements.push(db.insert(contactTags).values(rows).onConflictDoNothing());
  }
  for (let i = 0; i < change.remove.length; i += 90) {
    const tagIds = change.remove.slice(i, i + 90);
    statements.push(db.delete(contactTags).where(and(eq(contactTags.ownerId, ownerId), eq(contactTags.contactId, contactId), inArray(contactTags.tagId, tagIds))));
  }
  return statements;
}

/** Idempotent: attaching a tag already there records nothing (the insert is skipped, so no audit row). */
export async function attachTag(deps: ServiceDeps, ownerId: string, contactId: string, tagId: string): Promise<void> {
  await requireOwned(deps.db, contacts, ownerId, [contactId], "Contact");
  await requireOwned(deps.db, tags, ownerId, [tagId], "Tag");
  const [insert] = linkStatements(deps.db, ownerId, contactId, { add: [tagId], remove: [] }, new Date());
  await auditedBatch(deps.db, deps.actor, [insert!]);
}

export async function detachTag(deps: ServiceDeps, ownerId: string, contactId: string, tagId: string): Promise<void> {
  await requireOwned(deps.db, contacts, ownerId, [contactId], "Contact");
  await requireOwned(deps.db, tags, ownerId, [tagId], "Tag");
  const [remove] = linkStatements(deps.db, ownerId, contactId, { add: [], remove: [tagId] }, new Date());
  await auditedBatch(deps.db, deps.actor, [remove!]);
}

/** A contact's audit trail, newest first; readable after the contact is deleted (see entityHistory). */
export const contactHistory = (deps: ServiceDeps, ownerId: string, contactId: string, query: { limit: number; cursor?: string }) =>
  entityHistory(deps.db, ownerId, { type: "contact", id: contactId, what: "Contact" }, query.limit, query.cursor);
