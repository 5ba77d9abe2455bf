// The writes that must see a host's calendar stand still: taking a hold, booking, and moving a booking. They
// run inside that host's BookingLock (durable-objects/booking-lock.ts), one at a time, so "is this slot still
// open?" and "store the booking" cannot interleave with another request for the same host. Below the lock, the
// unique index on a host's active bookings by start refuses a second booking even if this code were wrong.
import { and, count, eq, gt, inArray, lt, ne } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { isUniqueViolation } from "@shared/db/client";
import { bookingHolds, bookings, contacts, users, type Booking } from "@shared/db/schema";
import { randomToken, sha256Hex } from "@shared/lib/crypto";
import { ApiError, conflict, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { deriveContactFields, InvalidPhoneError, phoneRegionFor } from "../contacts/normalize";
import { detectDuplicatesAfterWrite } from "../duplicates/service";
import { enqueueBookingAnnouncement } from "./announce";
import { openSlots, type AvailabilityDeps } from "./availability";
import { resolveHost, type Host } from "./hosts";
import { ACTIVE } from "./schemas";

export type LockDeps = AvailabilityDeps;

const notOffered = () => conflict("This time is not offered, or it was just taken: pick another slot");

/** The open slot starting exactly at `start`, or a 409. */
async function requireOpenSlot(deps: LockDeps, host: Host, start: Date, options: { holdTokenHash?: string; ignoreBookingId?: string } = {}) {
  const [slot] = (await openSlots(deps, host, { from: start, to: new Date(start.getTime() + 1) }, { ...options, cachedBusy: true })).filter((s) => s.start.getTime() === start.getTime());
  if (!slot) throw notOffered();
  return slot;
}

async function openHost(deps: LockDeps, hostId: string) {
  const host = await resolveHost(deps.db, hostId);
  if (!host) throw notFound("Booking page");
  return host;
}

export interface HoldRequest {
  hostId: string;
  start: string;
}

/** Live holds one host may have at once: holds hide slots from everyone else, so they are scarce. */
export const MAX_LIVE_HOLDS = 10;

export async function lockedHold(deps: LockDeps, request: HoldRequest) {
  const host = await openHost(deps, request.hostId);
  const [{ live }] = (await deps.db
    .select({ live: count() })
    .from(bookingHolds)
    .where(and(eq(bookingHolds.hostId, host.id), gt(bookingHolds.expiresAt, new Date())))) as [{ live: number }];
  if (live >= MAX_LIVE_HOLDS) throw conflict("Too many guests are holding times of this host right now: book directly, or try again in a few minutes");
  const slot = await requireOpenSlot(deps, host, new Date(request.start));
  const holdToken = randomToken();
  const expiresAt = new Date(Date.now() + deps.config.booking.holdMinutes * 60_000);
  await deps.db.insert(bookingHolds).values({ id: newId(), hostId: host.id, startAt: slot.start, endAt: slot.end, tokenHash: await sha256Hex(holdToken), expiresAt });
  return { holdToken, start: slot.start.toISOString(), end: slot.end.toISOString(), expiresAt: expiresAt.toISOString() };
}

export interface BookRequest {
  hostId: string;
  start: string;
  name: string;
  email: string;
  phone?: string | null;
  message?: string | null;
  timezone?: string;
  holdToken?: string;
  requestId: string | null;
}

export async function lockedBook(deps: LockDeps, request: BookRequest) {
  const host = await openHost(deps, request.hostId);
  const holdTokenHash = request.holdToken ? await sha256Hex(request.holdToken) : undefined;
  const slot = await requireOpenSlot(deps, host, new Date(request.start), { holdTokenHash });
  const actor: Actor = { type: "GUEST", id: null, requestId: request.requestId };
  const { db } = deps;
  const now = new Date();

  // The guest becomes (or is matched to) a contact of the host, by email, in the same batch as the booking.
  const [[existing], [owner]] = await db.batch([
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.ownerId, host.id), eq(contacts.email, request.email)))
      .limit(1),
    db.select({ country: users.country }).from(users).where(eq(users.id, host.id)).limit(1),
  ]);
  const contactId = existing?.id ?? newId();
  const [firstName, ...rest] = request.name.trim().split(/\s+/);
  const derived = existing ? undefined : guestContact(request, firstName!, rest.join(" ") || null, phoneRegionFor(owner?.country, deps.config.defaultPhoneRegion));

  const cancelToken = randomToken();
  const booking = {
    id: newId(),
    ownerId: host.id,
    startAt: slot.start,
    endAt: slot.end,
    status: host.settings.requiresConfirmation ? ("PENDING" as const) : ("CONFIRMED" as const),
    guestName: request.name,
    guestEmail: request.email,
    guestPhone: request.phone ?? null,
    message: request.message ?? null,
    guestTimezone: request.timezone ?? null,
    contactId,
    cancelTokenHash: await sha256Hex(cancelToken),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await auditedBatch(db, actor, [
      // The contact first: the booking's contact_id refers to it.
      ...(derived ? [db.insert(contacts).values({ ...derived, id: contactId, ownerId: host.id, source: "BOOKING" as const, createdAt: now, updatedAt: now })] : []),
      db.insert(bookings).values(booking),
      ...(holdTokenHash ? [db.delete(bookingHolds).where(and(eq(bookingHolds.hostId, host.id), eq(bookingHolds.tokenHash, holdTokenHash)))] : []),
    ] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (error) {
    if (isUniqueViolation(error)) throw notOffered();
    throw error;
  }
  await announce(deps, { bookingId: booking.id, kind: "CREATED", by: "GUEST", sequence: 0, cancelToken });
  return {
    booking: { id: booking.id, start: booking.startAt.toISOString(), end: booking.endAt.toISOString(), status: booking.status },
    cancelToken,
    /** A contact this booking created: the caller looks for its duplicates once the lock is released. */
    newContactId: derived ? contactId : null,
  };
}

/** Duplicate detection for a guest's new contact: after the lock, so the next guest does not wait for it. */
export async function detectGuestDuplicates(deps: LockDeps, hostId: string, contactId: string, requestId: string | null): Promise<void> {
  await detectDuplicatesAfterWrite({ ...deps, actor: { type: "GUEST", id: null, requestId } }, hostId, [contactId]).catch((error) =>
    console.error(JSON.stringify({ level: "error", msg: "duplicate detection after a booking failed", contactId, error: String(error) })),
  );
}

function guestContact(request: BookRequest, firstName: string, lastName: string | null, region: string) {
  try {
    return deriveContactFields({ firstName, lastName, email: request.email, phone: request.phone ?? null }, region);
  } catch (error) {
    if (error instanceof InvalidPhoneError) throw validationFailed([{ path: "body.phone", message: error.message }]);
    throw error;
  }
}

export interface MoveRequest {
  hostId: string;
  bookingId: string;
  start: string;
  /** GUEST: by their token, to an offered slot. HOST: to any time free of other active bookings. */
  by: "GUEST" | "HOST";
  /** GUEST: the hash of the token they presented; the move spends it. */
  tokenHash?: string;
  actor: Actor;
}

export async function lockedMove(deps: LockDeps, request: MoveRequest) {
  const { db } = deps;
  const [booking] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.ownerId, request.hostId), eq(bookings.id, request.bookingId)))
    .limit(1);
  if (!booking || (request.by === "GUEST" && booking.cancelTokenHash !== request.tokenHash)) throw notFound("Booking");
  // For the guest a cancelled or started booking is gone (410); for the host it is a conflict with its state.
  const refuse = (detail: string) => (request.by === "GUEST" ? new ApiError("GONE", detail) : conflict(detail));
  if (!(ACTIVE as readonly string[]).includes(booking.status)) throw refuse("This booking was cancelled");
  if (request.by === "GUEST" && booking.startAt.getTime() <= Date.now()) throw refuse("This booking has already started");
  const start = new Date(request.start);
  const end = new Date(start.getTime() + (booking.endAt.getTime() - booking.startAt.getTime()));
  if (request.by === "GUEST") {
    const host = await openHost(deps, request.hostId);
    const slot = await requireOpenSlot(deps, host, start, { ignoreBookingId: booking.id });
    end.setTime(slot.end.getTime());
  } else {
    await requireNoOverlap(deps, booking, start, end);
  }
  const cancelToken = randomToken();
  const sequence = booking.sequence + 1;
  let moved: Booking[];
  try {
    [moved] = await auditedBatch(db, request.actor, [
      db
        .update(bookings)
        .set({ startAt: start, endAt: end, sequence, cancelTokenHash: await sha256Hex(cancelToken), reminderSentFor: null, updatedAt: new Date() })
        // The token (or the version the host saw) must still be the current one: a second use finds nothing.
        .where(and(eq(bookings.id, booking.id), eq(bookings.sequence, booking.sequence), inArray(bookings.status, [...ACTIVE])))
        .returning(),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw notOffered();
    throw error;
  }
  if (!moved[0]) throw refuse("This booking changed meanwhile; reload it");
  await announce(deps, { bookingId: booking.id, kind: "RESCHEDULED", by: request.by, sequence, cancelToken, previousStartAt: booking.startAt.toISOString() });
  return { booking: moved[0], cancelToken };
}

async function requireNoOverlap(deps: LockDeps, booking: Booking, start: Date, end: Date) {
  const [other] = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(eq(bookings.ownerId, booking.ownerId), lt(bookings.startAt, end), gt(bookings.endAt, start), inArray(bookings.status, [...ACTIVE]), ne(bookings.id, booking.id)))
    .limit(1);
  if (other) throw conflict("Another booking overlaps this time");
}

type Announcement = Parameters<typeof enqueueBookingAnnouncement>[1];

/** The booking is stored whatever happens here: a queue failure is logged, never turned into a lost booking. */
export async function announce(deps: Pick<LockDeps, "env">, announcement: Announcement): Promise<void> {
  await enqueueBookingAnnouncement(deps.env, announcement).catch((error) => logFailure("announcement", announcement.bookingId, error));
}

function logFailure(what: string, bookingId: string, error: unknown) {
  console.error(JSON.stringify({ level: "error", msg: `booking ${what} failed`, bookingId, error: String(error) }));
}
