import { and, eq, exists, inArray, notExists, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { alias } from "drizzle-orm/sqlite-core";
import { auditedBatch } from "@shared/db/audited";
import { ownedBy } from "@shared/db/ownership";
import {
  auditLog,
  bookings,
  clientAccessTokens,
  clientMessages,
  contacts,
  contactTags,
  duplicatePairs,
  files,
  fileUploads,
  invoices,
  quotes,
  scheduledEmails,
  sessionContacts,
  type Contact,
} from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { fold } from "@shared/lib/text";
import type { ServiceDeps } from "../../router";
import type { ContactDto } from "../contacts/schemas";
import { getContact } from "../contacts/service";

type ContactField = keyof Contact & keyof typeof contacts.$inferInsert;

const blank = (value: unknown) => value === null || value === undefined || value === "";
const blankSql = (field: ContactField) => sql`(${contacts[field]} IS NULL OR ${contacts[field]} = '')`;

/** Fields that only make sense together: taken from the other contact as a whole, or not at all. */
const fieldGroups: ContactField[][] = [
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
 *
 * The removed contact's values come from the read (the batch checks it is unchanged since); whether the kept
 * contact still has a field empty is decided by the UPDATE itself, on the row as it is then, so an edit or
 * another merge into it since the read is never overwritten. Groups it already had filled at the read are left
 * out: the update is skipped when nothing can change.
 */
function fillFrom(kept: Contact, removed: Contact): Record<string, SQL> {
  const filled: Record<string, SQL> = {};
  for (const group of fieldGroups) {
    if (!group.every((field) => blank(kept[field])) || group.every((field) => blank(removed[field]))) continue;
    const stillEmpty = sql.join(group.map(blankSql), sql` AND `);
    for (const field of group) filled[field] = sql`CASE WHEN ${stillEmpty} THEN ${removed[field]} ELSE ${contacts[field]} END`;
  }
  const lastKey = fold(removed.lastName ?? "");
  if (filled.lastName && lastKey !== "") {
    // With no last name, sort_name is the folded first name, so fold(last + " " + first), the key sortNameOf
    // builds, is the folded last name before it (trim: a blank first name folds to "").
    filled.sortName = sql`CASE WHEN ${blankSql("lastName")} THEN trim(${lastKey} || ' ' || ${contacts.sortName}) ELSE ${contacts.sortName} END`;
  }
  const notes = removed.notes;
  if (!blank(notes) && !kept.notes?.includes(notes!)) {
    filled.notes = sql`CASE WHEN ${blankSql("notes")} THEN ${notes} WHEN instr(${contacts.notes}, ${notes}) > 0 THEN ${contacts.notes} ELSE ${contacts.notes} || ${`\n\n${notes}`} END`;
  }
  return filled;
}

/**
 * The statements of a merge, each conditional on `intact`: the removed contact still there and unchanged since
 * it was read (its updated_at), and the kept one still there. Batches run one at a time, so when another merge
 * (of this pair, or of one sharing a contact) or an edit got there first, every statement matches no row and the
 * MERGE row is not written. The removed contact's delete comes last: until then `intact` reads the same as at
 * the start of the batch (the fill changes the kept contact, whose presence alone is checked).
 */
export function mergeStatements(deps: ServiceDeps, ownerId: string, pairId: string, kept: Contact, removed: Contact) {
  const { db } = deps;
  const keepId = kept.id;
  const removedId = removed.id;
  const now = new Date();
  const guard = alias(contacts, "guard");
  const present = (id: string, ...more: SQL[]) => exists(db.select({ one: sql`1` }).from(guard).where(and(eq(guard.id, id), ownedBy(guard.ownerId, ownerId), ...more)));
  const intact = and(present(removedId, eq(guard.updatedAt, removed.updatedAt)), present(keepId))!;

  const filled = fillFrom(kept, removed);
  const keptLink = alias(sessionContacts, "kept_link");
  const keptTag = alias(contactTags, "kept_tag");
  const otherPair = alias(duplicatePairs, "other_pair");
  const touchesRemoved = or(eq(duplicatePairs.contactAId, removedId), eq(duplicatePairs.contactBId, removedId));
  const partner = sql`(CASE WHEN ${duplicatePairs.contactAId} = ${removedId} THEN ${duplicatePairs.contactBId} ELSE ${duplicatePairs.contactAId} END)`;
  const changes = { mergedFrom: { before: removedId, after: keepId }, duplicatePair: { before: pairId, after: null } };

  const statements: BatchItem<"sqlite">[] = [
    ...(Object.keys(filled).length > 0 ? [db.update(contacts).set({ ...filled, updatedAt: now }).where(and(eq(contacts.id, keepId), ownedBy(contacts.ownerId, ownerId), intact))] : []),
    db
      .update(sessionContacts)
      .set({ contactId: keepId })
      .where(
        and(
          eq(sessionContacts.ownerId, ownerId),
          eq(sessionContacts.contactId, removedId),
          notExists(
            db
              .select({ one: sql`1` })
              .from(keptLink)
              .where(and(eq(keptLink.sessionId, sessionContacts.sessionId), eq(keptLink.contactId, keepId), ownedBy(keptLink.ownerId, ownerId))),
          ),
          intact,
        ),
      ),
    // What is left are sessions the kept contact is already on.
    db.delete(sessionContacts).where(and(eq(sessionContacts.ownerId, ownerId), eq(sessionContacts.contactId, removedId), intact)),
    db
      .update(contactTags)
      .set({ contactId: keepId })
      .where(
        and(
          eq(contactTags.contactId, removedId),
          ownedBy(contactTags.ownerId, ownerId),
          notExists(
            db
              .select({ one: sql`1` })
              .from(keptTag)
              .where(and(eq(keptTag.contactId, keepId), eq(keptTag.tagId, contactTags.tagId), ownedBy(keptTag.ownerId, ownerId))),
          ),
          intact,
        ),
      ),
    db.delete(contactTags).where(and(eq(contactTags.contactId, removedId), ownedBy(contactTags.ownerId, ownerId), intact)),
    db.update(files).set({ contactId: keepId, updatedAt: now }).where(and(eq(files.ownerId, ownerId), eq(files.contactId, removedId), intact)),
    db.update(fileUploads).set({ contactId: keepId, updatedAt: now }).where(and(eq(fileUploads.ownerId, ownerId), eq(fileUploads.contactId, removedId), intact)),
    db.update(bookings).set({ contactId: keepId, updatedAt: now }).where(and(eq(bookings.ownerId, ownerId), eq(bookings.contactId, removedId), intact)),
    // Documents, portal links, the client thread and scheduled emails follow the client (several cascade on delete).
    db.update(quotes).set({ contactId: keepId, updatedAt: now }).where(and(eq(quotes.contactId, removedId), ownedBy(quotes.ownerId, ownerId), intact)),
    db.update(invoices).set({ contactId: keepId, updatedAt: now }).where(and(eq(invoices.contactId, removedId), ownedBy(invoices.ownerId, ownerId), intact)),
    db
      .update(clientAccessTokens)
      .set({ contactId: keepId, updatedAt: now })
      .where(and(eq(clientAccessTokens.contactId, removedId), ownedBy(clientAccessTokens.ownerId, ownerId), intact)),
    db.update(clientMessages).set({ contactId: keepId }).where(and(eq(clientMessages.contactId, removedId), ownedBy(clientMessages.ownerId, ownerId), intact)),
    db.update(scheduledEmails).set({ contactId: keepId, updatedAt: now }).where(and(eq(scheduledEmails.contactId, removedId), ownedBy(scheduledEmails.ownerId, ownerId), intact)),
    // This pair, and pairs the kept contact already has with the same partner (its own pair and status win).
    db.delete(duplicatePairs).where(
      and(
        touchesRemoved,
        ownedBy(duplicatePairs.ownerId, ownerId),
        or(
          sql`${partner} = ${keepId}`,
          exists(
            db
              .select({ one: sql`1` })
              .from(otherPair)
              .where(
                and(
                  or(
                    and(eq(otherPair.contactAId, keepId), sql`${otherPair.contactBId} = ${partner}`),
                    and(eq(otherPair.contactBId, keepId), sql`${otherPair.contactAId} = ${partner}`),
                  ),
                  ownedBy(otherPair.ownerId, ownerId),
                ),
              ),
          ),
        ),
        intact,
      ),
    ),
    // The others become pairs of the kept contact, still stored smaller id first.
    db
      .update(duplicatePairs)
      .set({ contactAId: sql`min(${keepId}, ${partner})`, contactBId: sql`max(${keepId}, ${partner})`, updatedAt: now })
      .where(and(touchesRemoved, ownedBy(duplicatePairs.ownerId, ownerId), intact)),
    // The removed contact's history becomes the kept one's, its links moved above included. audit_log has no
    // triggers: re-pointing records nothing by itself, the MERGE row below does. This runs before the delete,
    // so the DELETE row it writes stays under the removed id: that is the removed contact's own history.
    db
      .update(auditLog)
      .set({ entityId: keepId })
      .where(and(eq(auditLog.ownerId, ownerId), eq(auditLog.entityType, "contact"), eq(auditLog.entityId, removedId), intact)),
    db.insert(auditLog).select(
      sql`SELECT NULL, ${ownerId}, ${deps.actor.id}, ${deps.actor.type}, 'MERGE', 'contact', ${keepId}, ${JSON.stringify(changes)}, ${deps.actor.requestId}, ${now.getTime()} WHERE ${intact}`,
    ),
    db.delete(contacts).where(and(eq(contacts.id, removedId), ownedBy(contacts.ownerId, ownerId), intact)).returning({ id: contacts.id }),
  ];
  return statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
}

/**
 * Merges the pair's other contact into `keepId`, in one D1 batch (all or nothing): the kept contact takes the
 * other's sessions (where both are on a session, the kept contact's link and role stay), files and unfinished
 * uploads, quotes and invoices, portal links, client messages and scheduled emails, tags (the union), empty
 * fields (see `fillFrom`), its other duplicate pairs (re-pointed, or dropped when the kept contact already has
 * that pair) and its history (every audit row of the removed contact, the links this merge moves included),
 * then a MERGE row ends it. Only the removed contact's DELETE row keeps its id (and the MERGE row names it as
 * `mergedFrom`).
 *
 * 409 CONFLICT when either contact changed between the read and the write (another merge removed one of them,
 * or an edit): nothing was written, and the pair, if it still exists, can be merged again from a fresh read.
 */
export async function mergeDuplicate(deps: ServiceDeps, ownerId: string, pairId: string, keepId: string): Promise<{ contact: ContactDto; merged: string }> {
  const { db } = deps;
  const [pair] = await db
    .select()
    .from(duplicatePairs)
    .where(and(eq(duplicatePairs.id, pairId), ownedBy(duplicatePairs.ownerId, ownerId)))
    .limit(1);
  if (!pair) throw notFound("Duplicate pair");
  if (keepId !== pair.contactAId && keepId !== pair.contactBId) {
    throw validationFailed([{ path: "body.keepId", message: "must be one of the pair's two contacts" }]);
  }
  const removedId = keepId === pair.contactAId ? pair.contactBId : pair.contactAId;
  const both = await db
    .select()
    .from(contacts)
    .where(and(inArray(contacts.id, [keepId, removedId]), ownedBy(contacts.ownerId, ownerId)));
  const kept = both.find((c) => c.id === keepId);
  const removed = both.find((c) => c.id === removedId);
  if (!kept || !removed) throw notFound("Duplicate pair");

  const results = await auditedBatch(db, deps.actor, mergeStatements(deps, ownerId, pair.id, kept, removed));
  // The last statement deletes the removed contact, under the same condition as every other one.
  if ((results.at(-1) as { id: string }[]).length === 0) throw conflict("The pair's contacts changed while merging (another merge or an edit): reload the pair and try again");
  return { contact: await getContact(deps, ownerId, keepId), merged: removedId };
}
