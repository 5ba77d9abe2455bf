import { and, asc, desc, eq, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import { requireOwned } from "@shared/db/ownership";
import { contacts, files, invoices, quotes, sessionContacts, sessions, tags, users, type Contact } from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { removeStoredObjects, storedKeysOf } from "../files/cleanup";
import { linkStatements, tagsByContact } from "./links";
import { deriveContactFields, InvalidPhoneError, phoneRegionFor, type NameAndContact } from "./normalize";
import type { ContactDetailDto, ContactDto, ContactListQueryInput, ContactSort, CreateContactInput, UpdateContactInput } from "./schemas";
import { contactPageQuery, ftsMatch } from "./search";
import { detectDuplicatesAfterWrite } from "../duplicates/service";

type TagSummary = ContactDto["tags"][number];
type ContactColumns = Partial<typeof contacts.$inferInsert>;

export function toContactDto(contact: Contact, tagList: TagSummary[]): ContactDto {
  return {
    id: contact.id,
    firstName: contact.firstName,
    lastName: contact.lastName,
    email: contact.email,
    phone: contact.phone,
    phoneE164: contact.phoneE164,
    company: contact.company,
    notes: contact.notes,
    address: {
      line1: contact.addressLine1,
      line2: contact.addressLine2,
      postalCode: contact.postalCode,
      city: contact.city,
      region: contact.region,
      country: contact.country,
    },
    location: contact.latitude !== null && contact.longitude !== null ? { lat: contact.latitude, lng: contact.longitude } : null,
    source: contact.source,
    birthday: contact.birthday,
    tags: tagList,
    createdAt: contact.createdAt.toISOString(),
    updatedAt: contact.updatedAt.toISOString(),
  };
}

const blankToNull = (value: string | null | undefined) => (value === undefined ? undefined : value?.trim() ? value : null);

/** The plain columns of a create or patch body; names, email and phone go through `deriveContactFields`. */
export function plainColumns(input: UpdateContactInput): ContactColumns {
  const columns: ContactColumns = {
    company: blankToNull(input.company),
    notes: blankToNull(input.notes),
    source: input.source,
    birthday: input.birthday,
  };
  const { address, location } = input;
  if (address === null) {
    Object.assign(columns, { addressLine1: null, addressLine2: null, postalCode: null, city: null, region: null, country: null });
  } else if (address) {
    Object.assign(columns, {
      addressLine1: blankToNull(address.line1),
      addressLine2: blankToNull(address.line2),
      postalCode: blankToNull(address.postalCode),
      city: blankToNull(address.city),
      region: blankToNull(address.region),
      country: blankToNull(address.country),
    });
  }
  if (location !== undefined) Object.assign(columns, { latitude: location?.lat ?? null, longitude: location?.lng ?? null });
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

/** Phones typed without a country code are read in the owner's country (their studio address), else the default. */
async function phoneRegion(deps: ServiceDeps, ownerId: string, phone: string | null | undefined): Promise<string> {
  if (!phone?.trim()) return deps.config.defaultPhoneRegion;
  const [owner] = await deps.db.select({ country: users.country }).from(users).where(eq(users.id, ownerId)).limit(1);
  return phoneRegionFor(owner?.country, deps.config.defaultPhoneRegion);
}

function derive(input: NameAndContact, region: string) {
  try {
    return deriveContactFields(input, region);
  } catch (error) {
    if (error instanceof InvalidPhoneError) throw validationFailed([{ path: "body.phone", message: error.message }]);
    throw error;
  }
}

async function findContact(deps: ServiceDeps, ownerId: string, contactId: string): Promise<Contact> {
  const [contact] = await deps.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId)))
    .limit(1);
  if (!contact) throw notFound("Contact");
  return contact;
}

export async function getContact(deps: ServiceDeps, ownerId: string, contactId: string): Promise<ContactDto> {
  const contact = await findContact(deps, ownerId, contactId);
  return toContactDto(contact, (await tagsByContact(deps.db, ownerId, [contactId])).get(contactId) ?? []);
}

export async function createContact(deps: ServiceDeps, ownerId: string, input: CreateContactInput): Promise<ContactDto> {
  const tagIds = [...new Set(input.tagIds ?? [])];
  await requireOwned(deps.db, tags, ownerId, tagIds, "Tag");
  const derived = derive(input, await phoneRegion(deps, ownerId, input.phone));
  const now = new Date();
  const id = newId();
  await auditedBatch(deps.db, deps.actor, [
    deps.db.insert(contacts).values({ ...plainColumns(input), ...derived, id, ownerId, source: input.source ?? "MANUAL", createdAt: now, updatedAt: now }),
    ...linkStatements(deps.db, ownerId, id, { add: tagIds, remove: [] }, now),
  ]);
  await detectDuplicatesAfterWrite(deps, ownerId, [id]);
  return getContact(deps, ownerId, id);
}

export async function updateContact(deps: ServiceDeps, ownerId: string, contactId: string, input: UpdateContactInput): Promise<ContactDto> {
  const existing = await findContact(deps, ownerId, contactId);
  const columns: ContactColumns = { ...plainColumns(input), updatedAt: new Date() };
  if (input.firstName !== undefined || input.lastName !== undefined || input.email !== undefined || input.phone !== undefined) {
    const derived = derive(
      {
        firstName: input.firstName ?? existing.firstName,
        lastName: input.lastName !== undefined ? input.lastName : existing.lastName,
        email: input.email !== undefined ? input.email : existing.email,
        phone: input.phone,
      },
      await phoneRegion(deps, ownerId, input.phone),
    );
    const { phone, phoneE164, phoneSearch, ...names } = derived;
    // A stored phone is not re-parsed unless it is being changed: the owner's country may have moved since.
    Object.assign(columns, names, input.phone !== undefined ? { phone, phoneE164, phoneSearch } : {});
  }
  let change = { add: [] as string[], remove: [] as string[] };
  if (input.tagIds) {
    const wanted = [...new Set(input.tagIds)];
    await requireOwned(deps.db, tags, ownerId, wanted, "Tag");
    const current = (await tagsByContact(deps.db, ownerId, [contactId])).get(contactId)?.map((tag) => tag.id) ?? [];
    change = { add: wanted.filter((id) => !current.includes(id)), remove: current.filter((id) => !wanted.includes(id)) };
  }
  await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(contacts)
      .set(columns)
      .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId))),
    ...linkStatements(deps.db, ownerId, contactId, change, new Date()),
  ]);
  // A new name, email or phone may make this contact a duplicate of another one.
  if (columns.sortName !== undefined || columns.email !== undefined || columns.phoneE164 !== undefined) {
    await detectDuplicatesAfterWrite(deps, ownerId, [contactId]);
  }
  return getContact(deps, ownerId, contactId);
}

/**
 * Its files go with it: R2 keys are read first, rows (files, links, uploads) cascade in the delete, objects follow.
 * A contact with quotes or invoices stays (409): documents never lose their client. The check is part of the
 * delete itself, so a document created meanwhile is never orphaned.
 */
export async function deleteContact(deps: ServiceDeps, ownerId: string, contactId: string): Promise<void> {
  const { db } = deps;
  await findContact(deps, ownerId, contactId);
  const stored = await storedKeysOf(db, ownerId, { contactId });
  const [deleted] = await auditedBatch(db, deps.actor, [
    db
      .delete(contacts)
      .where(
        and(
          eq(contacts.ownerId, ownerId),
          eq(contacts.id, contactId),
          notExists(db.select({ one: sql`1` }).from(quotes).where(eq(quotes.contactId, contactId))),
          notExists(db.select({ one: sql`1` }).from(invoices).where(eq(invoices.contactId, contactId))),
        ),
      )
      .returning({ id: contacts.id }),
  ]);
  if (!deleted[0]) throw conflict("The contact has quotes or invoices: it cannot be deleted (merge it into another contact instead)");
  await removeStoredObjects(deps.env.FILES, stored);
}

/** A detail embeds at most this many shoots and files (the most recent); the full lists are paged at
 *  GET /api/sessions?contactId= and GET /api/contacts/:id/files. */
export const DETAIL_LIST_LIMIT = 100;

export async function getContactDetail(deps: ServiceDeps, ownerId: string, contactId: string): Promise<ContactDetailDto> {
  const { db } = deps;
  const [contactRows, sessionRows, fileRows] = await db.batch([
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId)))
      .limit(1),
    db
      .select({
        id: sessions.id,
        title: sessions.title,
        type: sessions.type,
        status: sessions.status,
        startsAt: sessions.startsAt,
        endsAt: sessions.endsAt,
        role: sessionContacts.role,
      })
      .from(sessionContacts)
      .innerJoin(sessions, eq(sessions.id, sessionContacts.sessionId))
      .where(and(eq(sessionContacts.ownerId, ownerId), eq(sessionContacts.contactId, contactId), eq(sessions.ownerId, ownerId)))
      .orderBy(desc(sessions.startsAt), asc(sessions.id))
      .limit(DETAIL_LIST_LIMIT),
    db
      .select({ id: files.id, name: files.name, size: files.size, contentType: files.contentType, createdAt: files.createdAt })
      .from(files)
      .where(and(eq(files.ownerId, ownerId), eq(files.contactId, contactId)))
      .orderBy(desc(files.createdAt), asc(files.id))
      .limit(DETAIL_LIST_LIMIT),
  ]);
  const contact = contactRows[0];
  if (!contact) throw notFound("Contact");
  const tagList = (await tagsByContact(db, ownerId, [contactId])).get(contactId) ?? [];
  return {
    ...toContactDto(contact, tagList),
    sessions: sessionRows.map((s) => ({ ...s, startsAt: s.startsAt?.toISOString() ?? null, endsAt: s.endsAt?.toISOString() ?? null })),
    files: fileRows.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })),
  };
}

const defaultOrder = { name: "asc", created: "desc", updated: "desc" } as const;

export async function listContacts(deps: ServiceDeps, ownerId: string, query: ContactListQueryInput): Promise<Page<ContactDto>> {
  const order = query.order ?? defaultOrder[query.sort];
  // The cursor names its sort and order, so a cursor from another listing is refused rather than misread.
  const after = query.cursor
    ? decodeCursor(query.cursor, z.tuple([z.literal(query.sort), z.literal(order), query.sort === "name" ? z.string() : z.number().int(), z.string()]))
    : undefined;
  const rows = await contactPageQuery(deps.db, {
    ownerId,
    sort: query.sort,
    order,
    after: after && [after[2], after[3]],
    tagId: query.tagId,
    match: query.search === undefined ? undefined : ftsMatch(ownerId, query.search),
    limit: query.limit,
  });
  const page = toPage(rows, query.limit, (row) => [query.sort, order, sortKey(row, query.sort), row.id], (row) => row);
  return {
    items: page.items.map(({ tagList, ...row }) => toContactDto(row, (JSON.parse(tagList) as [string, string, string | null][]).map(([id, name, color]) => ({ id, name, color })))),
    nextCursor: page.nextCursor,
  };
}

function sortKey(row: Contact, sort: ContactSort): string | number {
  return sort === "name" ? row.sortName : (sort === "created" ? row.createdAt : row.updatedAt).getTime();
}
