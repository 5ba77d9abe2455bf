// The host's side of scheduling: availability slots, date exceptions and booking page settings.
import { and, asc, count, eq, gt, gte } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import { isUniqueViolation } from "@shared/db/client";
import { availabilityExceptions, availabilitySlots, bookingSettings, users, type AvailabilityException, type AvailabilitySlotRow } from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { isTimeZone } from "./expand";
import { slotProblems, type BookingSettingsInput, type CreateAvailabilityInput, type ExceptionInput, type UpdateAvailabilityInput } from "./schemas";

// ───────────────────────────── availability slots ─────────────────────────────

/** Every public availability answer expands every rule: a host keeps at most this many. */
export const MAX_AVAILABILITY_SLOTS = 100;

export async function createAvailability(deps: ServiceDeps, ownerId: string, input: CreateAvailabilityInput): Promise<AvailabilitySlotRow> {
  const [{ rules }] = (await deps.db.select({ rules: count() }).from(availabilitySlots).where(eq(availabilitySlots.ownerId, ownerId))) as [{ rules: number }];
  if (rules >= MAX_AVAILABILITY_SLOTS) throw conflict(`A host keeps at most ${MAX_AVAILABILITY_SLOTS} availability slots: use recurrence, or remove old ones`);
  const now = new Date();
  const row = { id: newId(), ownerId, timezone: input.timezone, startsAt: input.startsAt, endsAt: input.endsAt, recurrence: input.recurrence ?? null, slotMinutes: input.slotMinutes ?? null, createdAt: now, updatedAt: now };
  const [[created]] = await auditedBatch(deps.db, deps.actor, [deps.db.insert(availabilitySlots).values(row).returning()]);
  return created!;
}

/** A host has a handful of rules: the list is paged for the contract's sake, by id (creation order). */
export async function listAvailability(deps: ServiceDeps, ownerId: string, query: { limit: number; cursor?: string }): Promise<Page<AvailabilitySlotRow>> {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.string()]))[0] : undefined;
  const rows = await deps.db
    .select()
    .from(availabilitySlots)
    .where(and(eq(availabilitySlots.ownerId, ownerId), after === undefined ? undefined : gt(availabilitySlots.id, after)))
    .orderBy(asc(availabilitySlots.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => [row.id], (row) => row);
}

export async function getAvailability(deps: ServiceDeps, ownerId: string, id: string): Promise<AvailabilitySlotRow> {
  const [row] = await deps.db
    .select()
    .from(availabilitySlots)
    .where(and(eq(availabilitySlots.ownerId, ownerId), eq(availabilitySlots.id, id)))
    .limit(1);
  if (!row) throw notFound("Availability slot");
  return row;
}

export async function updateAvailability(deps: ServiceDeps, ownerId: string, id: string, input: UpdateAvailabilityInput): Promise<AvailabilitySlotRow> {
  const current = await getAvailability(deps, ownerId, id);
  const merged = {
    timezone: input.timezone ?? current.timezone,
    startsAt: input.startsAt ?? current.startsAt,
    endsAt: input.endsAt ?? current.endsAt,
    recurrence: input.recurrence !== undefined ? input.recurrence : current.recurrence,
    slotMinutes: input.slotMinutes !== undefined ? input.slotMinutes : current.slotMinutes,
  };
  // Fields valid alone may still make a bad slot together (an end before the stored start...).
  const problems = slotProblems(merged);
  if (problems.length > 0) throw validationFailed(problems.map((p) => ({ path: ["body", ...p.path].join("."), message: p.message })));
  const [[updated]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(availabilitySlots)
      .set({ ...merged, updatedAt: new Date() })
      .where(and(eq(availabilitySlots.ownerId, ownerId), eq(availabilitySlots.id, id)))
      .returning(),
  ]);
  if (!updated) throw notFound("Availability slot");
  return updated;
}

export async function deleteAvailability(deps: ServiceDeps, ownerId: string, id: string): Promise<void> {
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(availabilitySlots)
      .where(and(eq(availabilitySlots.ownerId, ownerId), eq(availabilitySlots.id, id)))
      .returning({ id: availabilitySlots.id }),
  ]);
  if (!deleted[0]) throw notFound("Availability slot");
}

// ───────────────────────────── date exceptions ─────────────────────────────

async function ownerZone(deps: ServiceDeps, ownerId: string): Promise<string> {
  const [owner] = await deps.db.select({ timezone: users.timezone }).from(users).where(eq(users.id, ownerId)).limit(1);
  return owner && isTimeZone(owner.timezone) ? owner.timezone : "UTC";
}

/** One exception per date: setting a date that has one replaces it (PUT semantics on the date). */
export async function putException(deps: ServiceDeps, ownerId: string, input: ExceptionInput): Promise<AvailabilityException> {
  const now = new Date();
  const values = {
    timezone: input.timezone ?? (await ownerZone(deps, ownerId)),
    kind: input.kind,
    windows: input.kind === "HOURS" ? input.windows! : null,
    slotMinutes: input.kind === "HOURS" ? (input.slotMinutes ?? null) : null,
    updatedAt: now,
  };
  const [[row]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .insert(availabilityExceptions)
      .values({ id: newId(), ownerId, date: input.date, ...values, createdAt: now })
      .onConflictDoUpdate({ target: [availabilityExceptions.ownerId, availabilityExceptions.date], set: values })
      .returning(),
  ]);
  return row!;
}

/** Exceptions by date, from `from` (a local date) when given. */
export async function listExceptions(deps: ServiceDeps, ownerId: string, query: { limit: number; cursor?: string; from?: string }): Promise<Page<AvailabilityException>> {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.string()]))[0] : undefined;
  const rows = await deps.db
    .select()
    .from(availabilityExceptions)
    .where(
      and(
        eq(availabilityExceptions.ownerId, ownerId),
        query.from ? gte(availabilityExceptions.date, query.from) : undefined,
        after === undefined ? undefined : gt(availabilityExceptions.date, after),
      ),
    )
    .orderBy(asc(availabilityExceptions.date))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => [row.date], (row) => row);
}

export async function deleteException(deps: ServiceDeps, ownerId: string, id: string): Promise<void> {
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(availabilityExceptions)
      .where(and(eq(availabilityExceptions.ownerId, ownerId), eq(availabilityExceptions.id, id)))
      .returning({ id: availabilityExceptions.id }),
  ]);
  if (!deleted[0]) throw notFound("Availability exception");
}

// ───────────────────────────── settings ─────────────────────────────

const DEFAULT_SETTINGS = {
  enabled: false,
  handle: null,
  title: null,
  description: null,
  minNoticeMinutes: 0,
  maxAdvanceDays: 60,
  bufferMinutes: 0,
  dailyLimit: null,
  requiresConfirmation: false,
};

export async function getBookingSettings(deps: ServiceDeps, ownerId: string) {
  const [row] = await deps.db.select().from(bookingSettings).where(eq(bookingSettings.ownerId, ownerId)).limit(1);
  return row ?? DEFAULT_SETTINGS;
}

/** PUT: `enabled` is required; a field left out keeps its current value (nothing is reset by omission). */
export async function putBookingSettings(deps: ServiceDeps, ownerId: string, input: BookingSettingsInput) {
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const now = new Date();
  try {
    const [[row]] = await auditedBatch(deps.db, deps.actor, [
      deps.db
        .insert(bookingSettings)
        .values({ ...DEFAULT_SETTINGS, ...changes, id: newId(), ownerId, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: bookingSettings.ownerId, set: { ...changes, updatedAt: now } })
        .returning(),
    ]);
    return row!;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`The handle "${input.handle}" is taken`);
    throw error;
  }
}
