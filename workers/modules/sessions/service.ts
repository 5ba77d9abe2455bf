import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { auditedBatch } from "@shared/db/audited";
import { requireOwned } from "@shared/db/ownership";
import { contacts, providers, sessionContacts, sessionProviders, sessions, sessionTags, tags, type Session } from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { removeStoredObjects, storedKeysOf } from "../files/cleanup";
import { DEFAULT_CONTACT_ROLE, linkSetsOf, linkStatements, providerLink, requireOwnedLinks, sameProvider } from "./links";
import type { CreateSessionInput, UpdateSessionInput } from "./schemas";
import { assertTransition } from "./transitions";
import { findSession, toSessionDetail, toSessionDtos, type SessionDetailDto, type SessionDto } from "./views";

type Statement = BatchItem<"sqlite">;
type Fee = { amount: number; currency: string } | null;

async function ownedSession(deps: ServiceDeps, ownerId: string, id: string): Promise<Session> {
  const row = await findSession(deps.db, ownerId, id);
  if (!row) throw notFound("Session");
  return row;
}

const toDate = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));

/** endsAt must come after startsAt when both are set (reported on the field the request changed). */
function checkTimes(startsAt: Date | null, endsAt: Date | null, changed: "startsAt" | "endsAt") {
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) {
    throw validationFailed([{ path: `body.${changed}`, message: changed === "endsAt" ? "must be after startsAt" : "must be before endsAt" }]);
  }
}

const priceColumns = (price: Fee | undefined) =>
  price === undefined ? {} : { priceAmount: price?.amount ?? null, priceCurrency: price?.currency ?? null };

export async function createSession(deps: ServiceDeps, ownerId: string, input: CreateSessionInput): Promise<SessionDto> {
  const startsAt = toDate(input.startsAt) ?? null;
  const endsAt = toDate(input.endsAt) ?? null;
  checkTimes(startsAt, endsAt, "endsAt");
  const sets = linkSetsOf(input);
  await requireOwnedLinks(deps.db, ownerId, sets);

  const id = newId();
  const now = new Date();
  const [[row]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .insert(sessions)
      .values({
        id,
        ownerId,
        title: input.title,
        type: input.type ?? "OTHER",
        status: input.status ?? "LEAD",
        startsAt,
        endsAt,
        location: input.location ?? null,
        notes: input.notes ?? null,
        ...priceColumns(input.price ?? null),
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    ...(await linkStatements(deps.db, ownerId, id, sets, true)),
  ]);
  const [dto] = await toSessionDtos(deps.db, ownerId, [row!]);
  return dto!;
}

export async function getSession(deps: ServiceDeps, ownerId: string, id: string): Promise<SessionDetailDto> {
  return toSessionDetail(deps.db, ownerId, await ownedSession(deps, ownerId, id));
}

export async function updateSession(deps: ServiceDeps, ownerId: string, id: string, input: UpdateSessionInput): Promise<SessionDto> {
  const current = await ownedSession(deps, ownerId, id);
  const statusChanges = input.status !== undefined && input.status !== current.status;
  if (statusChanges) assertTransition(current.status, input.status!);
  const startsAt = toDate(input.startsAt);
  const endsAt = toDate(input.endsAt);
  checkTimes(startsAt === undefined ? current.startsAt : startsAt, endsAt === undefined ? current.endsAt : endsAt, endsAt !== undefined ? "endsAt" : "startsAt");
  const sets = linkSetsOf(input);
  await requireOwnedLinks(deps.db, ownerId, sets);

  const { title, type, status, location, notes } = input;
  const [updated] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(sessions)
      // Fields left undefined are not written.
      .set({ title, type, status, location, notes, startsAt, endsAt, ...priceColumns(input.price), updatedAt: new Date() })
      // The status the transition was checked from must still be the stored one: a concurrent change of
      // status makes this update match nothing (409) rather than skip the rule. Link sets in the same batch
      // still apply then; they are whole sets, so the client's retry after reloading writes them unchanged.
      .where(and(eq(sessions.ownerId, ownerId), eq(sessions.id, id), statusChanges ? eq(sessions.status, current.status) : undefined))
      .returning(),
    ...(await linkStatements(deps.db, ownerId, id, sets)),
  ]);
  if (updated.length === 0) {
    if (statusChanges) throw conflict(`The session's status changed meanwhile (it was ${current.status}): read it again`);
    throw notFound("Session");
  }
  const [dto] = await toSessionDtos(deps.db, ownerId, updated);
  return dto!;
}

/** Files go with their session: the R2 keys are read first, the rows go in the batch (by cascade), then the objects. */
export async function deleteSession(deps: ServiceDeps, ownerId: string, id: string): Promise<void> {
  await ownedSession(deps, ownerId, id);
  const stored = await storedKeysOf(deps.db, ownerId, { sessionId: id });
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(sessions)
      .where(and(eq(sessions.ownerId, ownerId), eq(sessions.id, id)))
      .returning({ id: sessions.id }),
  ]);
  if (deleted.length === 0) throw notFound("Session");
  await removeStoredObjects(deps.env.FILES, stored);
}

// Single links (PUT and DELETE /sessions/:id/{contacts,tags,providers}/:otherId). PUT states the whole link:
// a role or fee left out is reset to its default, as PUT replaces. Writing an unchanged link records nothing, and
// a link a concurrent request just created is left as that request made it (no duplicate-key failure).

async function writeLink(deps: ServiceDeps, ownerId: string, sessionId: string, statement: Statement | null): Promise<void> {
  if (!statement) return;
  const touch = deps.db
    .update(sessions)
    .set({ updatedAt: new Date() })
    .where(and(eq(sessions.ownerId, ownerId), eq(sessions.id, sessionId)));
  await auditedBatch(deps.db, deps.actor, [touch, statement]);
}

export async function putSessionContact(deps: ServiceDeps, ownerId: string, sessionId: string, contactId: string, role = DEFAULT_CONTACT_ROLE) {
  await ownedSession(deps, ownerId, sessionId);
  await requireOwned(deps.db, contacts, ownerId, [contactId], "Contact");
  const link = and(eq(sessionContacts.ownerId, ownerId), eq(sessionContacts.sessionId, sessionId), eq(sessionContacts.contactId, contactId));
  const [existing] = await deps.db.select().from(sessionContacts).where(link);
  await writeLink(
    deps,
    ownerId,
    sessionId,
    !existing
      ? deps.db.insert(sessionContacts).values({ ownerId, sessionId, contactId, role }).onConflictDoNothing()
      : existing.role !== role
        ? deps.db.update(sessionContacts).set({ role }).where(link)
        : null,
  );
}

export async function putSessionTag(deps: ServiceDeps, ownerId: string, sessionId: string, tagId: string) {
  await ownedSession(deps, ownerId, sessionId);
  await requireOwned(deps.db, tags, ownerId, [tagId], "Tag");
  const [existing] = await deps.db
    .select()
    .from(sessionTags)
    .where(and(eq(sessionTags.ownerId, ownerId), eq(sessionTags.sessionId, sessionId), eq(sessionTags.tagId, tagId)));
  await writeLink(deps, ownerId, sessionId, existing ? null : deps.db.insert(sessionTags).values({ ownerId, sessionId, tagId }).onConflictDoNothing());
}

export async function putSessionProvider(deps: ServiceDeps, ownerId: string, sessionId: string, providerId: string, input: { role?: string | null; fee?: Fee }) {
  await ownedSession(deps, ownerId, sessionId);
  await requireOwned(deps.db, providers, ownerId, [providerId], "Provider");
  const wanted = providerLink(providerId, input.role, input.fee);
  const link = and(eq(sessionProviders.ownerId, ownerId), eq(sessionProviders.sessionId, sessionId), eq(sessionProviders.providerId, providerId));
  const [existing] = await deps.db.select().from(sessionProviders).where(link);
  const { providerId: _, ...values } = wanted;
  await writeLink(
    deps,
    ownerId,
    sessionId,
    !existing
      ? deps.db.insert(sessionProviders).values({ ownerId, sessionId, ...wanted }).onConflictDoNothing()
      : !sameProvider(existing, wanted)
        ? deps.db.update(sessionProviders).set(values).where(link)
        : null,
  );
}

/** Unlinks a contact, tag or provider; 404 when the session is not the owner's or the link does not exist. */
export async function deleteSessionLink(deps: ServiceDeps, ownerId: string, sessionId: string, kind: "contact" | "tag" | "provider", otherId: string) {
  await ownedSession(deps, ownerId, sessionId);
  const { db } = deps;
  let linked: unknown[];
  let remove: Statement;
  if (kind === "contact") {
    const link = and(eq(sessionContacts.ownerId, ownerId), eq(sessionContacts.sessionId, sessionId), eq(sessionContacts.contactId, otherId));
    linked = await db.select({ id: sessionContacts.contactId }).from(sessionContacts).where(link);
    remove = db.delete(sessionContacts).where(link);
  } else if (kind === "tag") {
    const link = and(eq(sessionTags.ownerId, ownerId), eq(sessionTags.sessionId, sessionId), eq(sessionTags.tagId, otherId));
    linked = await db.select({ id: sessionTags.tagId }).from(sessionTags).where(link);
    remove = db.delete(sessionTags).where(link);
  } else {
    const link = and(eq(sessionProviders.ownerId, ownerId), eq(sessionProviders.sessionId, sessionId), eq(sessionProviders.providerId, otherId));
    linked = await db.select({ id: sessionProviders.providerId }).from(sessionProviders).where(link);
    remove = db.delete(sessionProviders).where(link);
  }
  if (linked.length === 0) throw notFound(`Link between this session and ${kind} ${otherId}`);
  await writeLink(deps, ownerId, sessionId, remove);
}
