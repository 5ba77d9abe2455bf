// The guest's side of booking: holds, bookings, and the cancel/reschedule token. Writes that depend on what the
// host still offers go through the host's BookingLock; cancelling only frees a slot, so it is a guarded update.
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { bookingHolds, bookings, type Booking } from "@shared/db/schema";
import { sha256Hex } from "@shared/lib/crypto";
import { ApiError, notFound } from "@shared/lib/errors";
import { bookingLockOf, unwrap } from "../../../durable-objects/booking-lock";
import { warmBusyTimes, type AvailabilityDeps } from "./availability";
import { resolveHost, type Host } from "./hosts";
import { announce, detectGuestDuplicates } from "./locked";
import { ACTIVE, type BookInput } from "./schemas";

type Deps = AvailabilityDeps & { actor?: Actor };

export async function holdSlot(deps: Deps, host: Host, input: { start: Date }) {
  await warmBusyTimes(deps, host.id, input.start);
  return unwrap(await bookingLockOf(deps.env, host.id).hold({ hostId: host.id, start: input.start.toISOString() }));
}

/** Gives a hold back before it expires (the guest left the form). */
export async function releaseHold(deps: Deps, holdToken: string): Promise<void> {
  const [released] = await deps.db
    .delete(bookingHolds)
    .where(and(eq(bookingHolds.tokenHash, await sha256Hex(holdToken)), gt(bookingHolds.expiresAt, new Date())))
    .returning({ id: bookingHolds.id });
  if (!released) throw notFound("Hold");
}

export async function bookSlot(deps: Deps, host: Host, input: BookInput, requestId: string | null = null) {
  await warmBusyTimes(deps, host.id, input.start);
  const { booking, cancelToken, newContactId } = unwrap(
    await bookingLockOf(deps.env, host.id).book({
      hostId: host.id,
      start: input.start.toISOString(),
      name: input.name,
      email: input.email,
      phone: input.phone ?? null,
      message: input.message ?? null,
      ...(input.timezone ? { timezone: input.timezone } : {}),
      ...(input.holdToken ? { holdToken: input.holdToken } : {}),
      requestId,
    }),
  );
  if (newContactId) await detectGuestDuplicates(deps, host.id, newContactId, requestId);
  return { booking, cancelToken };
}

/** The booking a token names, whatever its status (the manage page shows a cancelled one as cancelled). */
async function findByToken(deps: Deps, token: string): Promise<Booking | undefined> {
  const [booking] = await deps.db
    .select()
    .from(bookings)
    .where(eq(bookings.cancelTokenHash, await sha256Hex(token)))
    .limit(1);
  return booking;
}

export async function getBookingByToken(deps: Deps, token: string): Promise<{ booking: Booking; host: Host | null } | null> {
  const booking = await findByToken(deps, token);
  if (!booking) return null;
  return { booking, host: await resolveHost(deps.db, booking.ownerId) };
}

/** API.md: 200 `{ status: "CANCELLED" }`; an unknown token 404; a spent one (the booking is over) 410. */
export async function cancelByToken(deps: Deps, token: string, input: { reason?: string | null }, requestId: string | null = null) {
  const tokenHash = await sha256Hex(token);
  const now = new Date();
  const [cancelled] = await auditedBatch(deps.db, { type: "GUEST", id: null, requestId }, [
    deps.db
      .update(bookings)
      // A cancellation is a new version of the event for calendars (RFC 5545 SEQUENCE).
      .set({ status: "CANCELLED", cancelledAt: now, cancelledBy: "GUEST", cancelReason: input.reason ?? null, sequence: sql`${bookings.sequence} + 1`, updatedAt: now })
      // A booking that has started can no longer be cancelled by the guest (410 below).
      .where(and(eq(bookings.cancelTokenHash, tokenHash), inArray(bookings.status, [...ACTIVE]), gt(bookings.startAt, now)))
      .returning({ id: bookings.id, sequence: bookings.sequence }),
  ]);
  const row = cancelled[0];
  if (!row) {
    const found = await findByToken(deps, token);
    if (found) throw new ApiError("GONE", (ACTIVE as readonly string[]).includes(found.status) ? "This booking has already started" : "This booking is already cancelled or declined");
    throw notFound("Booking");
  }
  await announce(deps, { bookingId: row.id, kind: "CANCELLED", by: "GUEST", sequence: row.sequence });
  return { status: "CANCELLED" as const };
}

export async function rescheduleByToken(deps: Deps, token: string, input: { start: Date }, requestId: string | null = null) {
  const booking = await findByToken(deps, token);
  if (!booking) throw notFound("Booking");
  if (!(ACTIVE as readonly string[]).includes(booking.status)) throw new ApiError("GONE", "This booking is already cancelled or declined");
  await warmBusyTimes(deps, booking.ownerId, input.start);
  return unwrap(
    await bookingLockOf(deps.env, booking.ownerId).move({
      hostId: booking.ownerId,
      bookingId: booking.id,
      start: input.start.toISOString(),
      by: "GUEST",
      tokenHash: await sha256Hex(token),
      actor: { type: "GUEST", id: null, requestId },
    }),
  );
}

