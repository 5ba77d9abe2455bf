import { and, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@shared/db/client";
import { requireOwned } from "@shared/db/ownership";
import { contacts, providers, sessionContacts, sessionProviders, sessionTags, tags } from "@shared/db/schema";
import type { CreateSessionInput } from "./schemas";

// The contacts, tags and providers of a session as sets: what a create or PATCH asks for, checked to be the
// owner's own, turned into the statements that make the stored links equal to it. Only the differences are
// written, so the audit trail shows what was added, removed or changed, not a wholesale rewrite.

export interface ContactLink {
  contactId: string;
  role: string;
}
export interface ProviderLink {
  providerId: string;
  role: string | null;
  feeAmount: number | null;
  feeCurrency: string | null;
}
export interface LinkSets {
  contacts?: ContactLink[];
  tagIds?: string[];
  providers?: ProviderLink[];
}

type Statement = BatchItem<"sqlite">;
type LinkInput = Pick<CreateSessionInput, "contactIds" | "contacts" | "tagIds" | "providers">;
type Fee = { amount: number; currency: string } | null | undefined;

export const DEFAULT_CONTACT_ROLE = "CLIENT";

export const providerLink = (providerId: string, role: string | null | undefined, fee: Fee): ProviderLink => ({
  providerId,
  role: role ?? null,
  feeAmount: fee?.amount ?? null,
  feeCurrency: fee?.currency ?? null,
});

/** The sets named by a request body; a set left out stays as it is. */
export function linkSetsOf(input: LinkInput): LinkSets {
  return {
    contacts:
      input.contacts?.map((c) => ({ contactId: c.contactId, role: c.role ?? DEFAULT_CONTACT_ROLE })) ??
      input.contactIds?.map((contactId) => ({ contactId, role: DEFAULT_CONTACT_ROLE })),
    tagIds: input.tagIds,
    providers: input.providers?.map((p) => providerLink(p.providerId, p.role, p.fee)),
  };
}

/** 404 when any linked id is missing or another tenant's: nothing is linked then. */
export async function requireOwnedLinks(db: Db, ownerId: string, sets: LinkSets): Promise<void> {
  await Promise.all([
    requireOwned(db, contacts, ownerId, sets.contacts?.map((c) => c.contactId) ?? [], "Contact"),
    requireOwned(db, tags, ownerId, sets.tagIds ?? [], "Tag"),
    requireOwned(db, providers, ownerId, sets.providers?.map((p) => p.providerId) ?? [], "Provider"),
  ]);
}

/** Multi-row inserts sized to stay under D1's 100 bound parameters per statement. */
function inserts<R>(rows: R[], paramsPerRow: number, insert: (rows: R[]) => Statement): Statement[] {
  const size = Math.floor(90 / paramsPerRow);
  const out: Statement[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(insert(rows.slice(i, i + size)));
  return out;
}

const chunked = (ids: string[], size = 80) => Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));

export const sameProvider = (a: ProviderLink, b: ProviderLink) => a.role === b.role && a.feeAmount === b.feeAmount && a.feeCurrency === b.feeCurrency;

/** Statements turning the session's stored links into `sets`; `fresh` skips reading links a new session cannot have. */
export async function linkStatements(db: Db, ownerId: string, sessionId: string, sets: LinkSets, fresh = false): Promise<Statement[]> {
  const ofSession = <T extends typeof sessionContacts | typeof sessionTags | typeof sessionProviders>(t: T) =>
    and(eq(t.ownerId, ownerId), eq(t.sessionId, sessionId));
  const [storedContacts, storedTags, storedProviders] = await Promise.all([
    sets.contacts && !fresh ? db.select().from(sessionContacts).where(ofSession(sessionContacts)) : [],
    sets.tagIds && !fresh ? db.select().from(sessionTags).where(ofSession(sessionTags)) : [],
    sets.providers && !fresh ? db.select().from(sessionProviders).where(ofSession(sessionProviders)) : [],
  ]);
  const statements: Statement[] = [];

  if (sets.contacts) {
    const stored = new Map(storedContacts.map((c) => [c.contactId, c.role]));
    const wanted = new Map(sets.contacts.map((c) => [c.contactId, c.role]));
    const gone = [...stored.keys()].filter((id) => !wanted.has(id));
    for (const ids of chunked(gone)) statements.push(db.delete(sessionContacts).where(and(ofSession(sessionContacts), inArray(sessionContacts.contactId, ids))));
    for (const { contactId, role } of sets.contacts) {
      const before = stored.get(contactId);
      if (before !== undefined && before !== role) {
        statements.push(db.update(sessionContacts).set({ role }).where(and(ofSession(sessionContacts), eq(sessionContacts.contactId, contactId))));
      }
    }
    const added = sets.contacts.filter((c) => !stored.has(c.contactId));
    statements.push(...inserts(added, 4, (rows) => db.insert(sessionContacts).values(rows.map((c) => ({ ownerId, sessionId, ...c }))).onConflictDoNothing()));
  }

  if (sets.tagIds) {
    const stored = new Set(storedTags.map((t) => t.tagId));
    const wanted = new Set(sets.tagIds);
    const gone = [...stored].filter((id) => !wanted.has(id));
    for (const ids of chunked(gone)) statements.push(db.delete(sessionTags).where(and(ofSession(sessionTags), inArray(sessionTags.tagId, ids))));
    const added = sets.tagIds.filter((id) => !stored.has(id));
    statements.push(...inserts(added, 3, (rows) => db.insert(sessionTags).values(rows.map((tagId) => ({ ownerId, sessionId, tagId }))).onConflictDoNothing()));
  }

  if (sets.providers) {
    const stored = new Map<string, ProviderLink>(storedProviders.map((p) => [p.providerId, p]));
    const wanted = new Set(sets.providers.map((p) => p.providerId));
    const gone = [...stored.keys()].filter((id) => !wanted.has(id));
    for (const ids of chunked(gone)) statements.push(db.delete(sessionProviders).where(and(ofSession(sessionProviders), inArray(sessionProviders.providerId, ids))));
    for (const link of sets.providers) {
      const before = stored.get(link.providerId);
      if (before && !sameProvider(before, link)) {
        const { providerId, ...values } = link;
        statements.push(db.update(sessionProviders).set(values).where(and(ofSession(sessionProviders), eq(sessionProviders.providerId, providerId))));
      }
    }
    const added = sets.providers.filter((p) => !stored.has(p.providerId));
    statements.push(...inserts(added, 6, (rows) => db.insert(sessionProviders).values(rows.map((p) => ({ ownerId, sessionId, ...p }))).onConflictDoNothing()));
  }

  return statements;
}
