import { and, eq, exists, inArray, notExists, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { alias } from "drizzle-orm/sqlite-core";
import { auditedBatch } from "@shared/db/audited";
import { auditLog, contacts, contactTags, duplicatePairs, files, fileUploads, sessionContacts, type Contact } from "@shared/db/schema";
import { notFound, validationFailed } from "@shared/lib/errors";
import type { ServiceDeps } from "../../router";
import { sortNameOf } from "../contacts/normalize";
import type { ContactDto } from "../contacts/schemas";
import { getContact } from "../contacts/service";

type ContactColumns = Partial<typeof contacts.$inferInsert>;

const blank = (value: unknown) => value === null || value === undefined || value === "";

/** Fields that only make sense together: taken from the other contact as a whole, or not at all. */
const fieldGroups: (keyof Contact)[][] = [
  ["lastName"],
  ["email"],
  ["phone", "phoneE164", "phoneSearch"],
  ["company"],
  ["addressLine1", "addressLine2", "postalCode", "city", "region", "country"],
  ["latitude", "longitude"],
  ["birthday"],
];

/**
 * What the kept contact takes from the removed one: every field (or group: a phone with its normalized forms, a
 * whole postal address, a location) it has empty, and the removed one's notes appended to its own, so nothing
 * typed about either is lost. Its first name, source and everything it already has stay as they are.
 */
function fillFrom(kept: Contact, removed: Contact): ContactColumns {
  const filled: Record<string, unknown> = {};
  for (const group of fieldGroups) {
    if (group.every((field) => blank(kept[field])) && group.some((field) => !blank(removed[field]))) {
      for (const field of group) filled[field] = removed[field];
    }
  }
  if (filled.lastName !== undefined) filled.sortName = sortNameOf(kept.firstName, removed.lastName);
  if (!blank(removed.notes) && !kept.notes?.includes(removed.notes!)) filled.notes = blank(kept.notes) ? removed.notes : `${kept.notes}\n\n${removed.notes}`;
  return filled as ContactColumns;
}

/**
 * Merges the pair's other contact into `keepId`, in one D1 batch (all or nothing): the kept contact takes the
 * other's sessions (where both are on a session, the kept contact's link and role stay), files and unfinished
 * uploads, tags (the union), empty fields (see `fillFrom`), its other duplicate pairs (re-pointed, or dropped
 * when the kept contact already has that pair) and its history: every audit row of the removed contact, the
 * ones this merge writes included (its links moved and its deletion, which records what it held), is re-pointed
 * to the kept contact, then a MERGE row ends it. No row keeps the removed id.
 */
export async function mergeDuplicate(deps: ServiceDeps, ownerId: string, pairId: string, keepId: string): Promise<{ contact: ContactDto; merged: string }> {
  const { db } = deps;
  const [pair] = await db
    .select()
    .from(duplicatePairs)
    .where(and(eq(duplicatePairs.ownerId, ownerId), eq(duplicatePairs.id, pairId)))
    .limit(1);
  if (!pair) throw notFound("Duplicate pair");
  if (keepId !== pair.contactAId && keepId !== pair.contactBId) {
    throw validationFailed([{ path: "body.keepId", message: "must be one of the pair's two contacts" }]);
  }
  const removedId = keepId === pair.contactAId ? pair.contactBId : pair.contactAId;
  const both = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.ownerId, ownerId), inArray(contacts.id, [keepId, removedId])));
  const kept = both.find((c) => c.id === keepId);
  const removed = both.find((c) => c.id === removedId);
  if (!kept || !removed) throw notFound("Duplicate pair");

  const now = new Date();
  const filled = fillFrom(kept, removed);
  const keptLink = alias(sessionContacts, "kept_link");
  const keptTag = alias(contactTags, "kept_tag");
  const otherPair = alias(duplicatePairs, "other_pair");
  const touchesRemoved = or(eq(duplicatePairs.contactAId, removedId), eq(duplicatePairs.contactBId, removedId));
  const partner = sql`(CASE WHEN ${duplicatePairs.contactAId} = ${removedId} THEN ${duplicatePairs.contactBId} ELSE ${duplicatePairs.contactAId} END)`;

  const statements: BatchItem<"sqlite">[] = [
    ...(Object.keys(filled).length > 0 ? [db.update(contacts).set({ ...filled, updatedAt: now }).where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, keepId)))] : []),
    db
      .update(sessionContacts)
      .set({ contactId: keepId })
      .where(
        and(
          eq(sessionContacts.ownerId, ownerId),
          eq(sessionContacts.contactId, removedId),
          notExists(db.select({ one: sql`1` }).from(keptLink).where(and(eq(keptLink.sessionId, sessionContacts.sessionId), eq(keptLink.contactId, keepId)))),
        ),
      ),
    // What is left are sessions the kept contact is already on.
    db.delete(sessionContacts).where(and(eq(sessionContacts.ownerId, ownerId), eq(sessionContacts.contactId, removedId))),
    db
      .update(contactTags)
      .set({ contactId: keepId })
      .where(
        and(
          eq(contactTags.ownerId, ownerId),
          eq(contactTags.contactId, removedId),
          notExists(db.select({ one: sql`1` }).from(keptTag).where(and(eq(keptTag.tagId, contactTags.tagId), eq(keptTag.contactId, keepId)))),
        ),
      ),
    db.delete(contactTags).where(and(eq(contactTags.ownerId, ownerId), eq(contactTags.contactId, removedId))),
    db.update(files).set({ contactId: keepId, updatedAt: now }).where(and(eq(files.ownerId, ownerId), eq(files.contactId, removedId))),
    db.update(fileUploads).set({ contactId: keepId, updatedAt: now }).where(and(eq(fileUploads.ownerId, ownerId), eq(fileUploads.contactId, removedId))),
    // This pair, and pairs the kept contact already has with the same partner (its own pair and status win).
    db.delete(duplicatePairs).where(
      and(
        eq(duplicatePairs.ownerId, ownerId),
        touchesRemoved,
        or(
          sql`${partner} = ${keepId}`,
          exists(
            db
              .select({ one: sql`1` })
              .from(otherPair)
              .where(
                or(
                  and(eq(otherPair.contactAId, keepId), sql`${otherPair.contactBId} = ${partner}`),
                  and(eq(otherPair.contactBId, keepId), sql`${otherPair.contactAId} = ${partner}`),
                ),
              ),
          ),
        ),
      ),
    ),
    // The others become pairs of the kept contact, still stored smaller id first.
    db
      .update(duplicatePairs)
      .set({ contactAId: sql`min(${keepId}, ${partner})`, contactBId: sql`max(${keepId}, ${partner})`, updatedAt: now })
      .where(and(eq(duplicatePairs.ownerId, ownerId), touchesRemoved)),
    db.delete(contacts).where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, removedId))),
    // audit_log has no triggers: re-pointing the history records nothing by itself, the MERGE row below does.
    db
      .update(auditLog)
      .set({ entityId: keepId })
      .where(and(eq(auditLog.ownerId, ownerId), eq(auditLog.entityType, "contact"), eq(auditLog.entityId, removedId))),
    db.insert(auditLog).values({
      ownerId,
      actorId: deps.actor.id,
      actorType: deps.actor.type,
      action: "MERGE",
      entityType: "contact",
      entityId: keepId,
      changes: { mergedFrom: { before: removedId, after: keepId }, duplicatePair: { before: pair.id, after: null } },
      requestId: deps.actor.requestId,
    }),
  ];
  await auditedBatch(db, deps.actor, statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return { contact: await getContact(deps, ownerId, keepId), merged: removedId };
}
