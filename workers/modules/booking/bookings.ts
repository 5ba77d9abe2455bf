// The host's bookings: list, stats, confirm/decline/cancel, move, delete.
import { and, asc, eq, gt, gte, inArray, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { bookings, type Booking, type BookingStatus } from "@shared/db/schema";
import { randomToken, sha256Hex } from "@shared/lib/crypto";
import { ApiError, conflict, notFound } from "@shared/lib/errors";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import { bookingLockOf, unwrap } from "../../../durable-objects/booking-lock";
import type { ServiceDeps } from "../../router";
import { announce } from "./locked";
import { ACTIVE, toPublicBooking, type BookingListQuery, type UpdateBookingInput } from "./schemas";

/** By start time (then id), optionally within [from, to) and of one status; keyset on bookings_owner_start_idx. */
export async function listBookings(deps: ServiceDeps, ownerId: string, query: BookingListQuery): Promise<Page<Booking>> {
  const rows = await bookingListQuery(deps.db, ownerId, query);
  return toPage(rows, query.limit, (b) => [b.startAt.getTime(), b.id], (b) => b);
}

export function bookingListQuery(db: Db, ownerId: string, query: BookingListQuery) {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.number().int(), z.string()])) : undefined;
  return db
    .select()
    .from(bookings)
    .where(
      and(
        eq(bookings.ownerId, ownerId),
        query.from ? gte(bookings.startAt, query.from) : undefined,
        query.to ? lt(bookings.startAt, query.to) : undefined,
        query.status ? eq(bookings.status, query.status) : undefined,
        after ? or(gt(bookings.startAt, new Date(after[0])), and(eq(bookings.startAt, new Date(after[0])), gt(bookings.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(bookings.startAt), asc(bookings.id))
    .limit(query.limit + 1);
}

export async function getBooking(deps: ServiceDeps, ownerId: string, id: string): Promise<Booking> {
  const [booking] = await deps.db
    .select()
    .from(bookings)
    .where(and(eq(bookings.ownerId, ownerId), eq(bookings.id, id)))
    .limit(1);
  if (!booking) throw notFound("Booking");
  return booking;
}

/** One aggregate over the host's bookings (index bookings_owner_start_idx), plus the next upcoming one. */
export async function bookingStats(deps: ServiceDeps, ownerId: string, now = new Date()) {
  const active = sql`${bookings.status} IN ('PENDING', 'CONFIRMED')`;
  const [[counts], [next]] = await deps.db.batch([
    deps.db
      .select({
        total: sql<number>`count(*)`,
        upcoming: sql<number>`coalesce(sum(CASE WHEN ${active} AND ${bookings.startAt} >= ${now.getTime()} THEN 1 ELSE 0 END), 0)`,
        past: sql<number>`coalesce(sum(CASE WHEN ${active} AND ${bookings.startAt} < ${now.getTime()} THEN 1 ELSE 0 END), 0)`,
        pending: sql<number>`coalesce(sum(CASE WHEN ${bookings.status} = 'PENDING' THEN 1 ELSE 0 END), 0)`,
        confirmed: sql<number>`coalesce(sum(CASE WHEN ${bookings.status} = 'CONFIRMED' THEN 1 ELSE 0 END), 0)`,
        cancelled: sql<number>`coalesce(sum(CASE WHEN ${bookings.status} = 'CANCELLED' THEN 1 ELSE 0 END), 0)`,
        declined: sql<number>`coalesce(sum(CASE WHEN ${bookings.status} = 'DECLINED' THEN 1 ELSE 0 END), 0)`,
      })
      .from(bookings)
      .where(eq(bookings.ownerId, ownerId)),
    deps.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.ownerId, ownerId), gte(bookings.startAt, now), inArray(bookings.status, [...ACTIVE])))
      .orderBy(asc(bookings.startAt))
      .limit(1),
  ]);
  return { ...counts!, next: next ? toPublicBooking(next) : null };
}

/** Which status a booking may move to from which (everything else is a 409). */
const transitions: Record<BookingStatus, BookingStatus[]> = {
  PENDING: ["CONFIRMED", "DECLINED", "CANCELLED"],
  CONFIRMED: ["CANCELLED"],
  CANCELLED: [],
  DECLINED: [],
};

export async function updateBooking(deps: ServiceDeps, ownerId: string, id: string, input: UpdateBookingInput): Promise<Booking> {
  const booking = await getBooking(deps, ownerId, id);
  if (input.start) {
    unwrap(
      await bookingLockOf(deps.env, ownerId).move({ hostId: ownerId, bookingId: id, start: input.start.toISOString(), by: "HOST", actor: deps.actor }),
    );
    return getBooking(deps, ownerId, id);
  }
  const status = input.status!;
  if (!transitions[booking.status].includes(status)) throw conflict(`A ${booking.status} booking cannot become ${status}`);
  const now = new Date();
  const ending = status !== "CONFIRMED";
  // A confirmation email carries a working manage link; the token is stored hashed, so a new one is issued.
  const cancelToken = ending ? undefined : randomToken();
  const [[updated]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(bookings)
      .set({
        status,
        sequence: sql`${bookings.sequence} + 1`,
        ...(ending ? { cancelledAt: now, cancelledBy: "HOST" as const, cancelReason: input.reason ?? null } : { cancelTokenHash: await sha256Hex(cancelToken!) }),
        updatedAt: now,
      })
      // Guarded by the status read above: a guest cancelling at the same moment wins, and this answers 409.
      .where(and(eq(bookings.ownerId, ownerId), eq(bookings.id, id), eq(bookings.status, booking.status)))
      .returning(),
  ]);
  if (!updated) throw conflict("This booking changed meanwhile; reload it");
  await announce(deps, { bookingId: id, kind: status === "CONFIRMED" ? "CONFIRMED" : status === "DECLINED" ? "DECLINED" : "CANCELLED", by: "HOST", sequence: updated.sequence, ...(cancelToken ? { cancelToken } : {}) });
  return updated;
}

/**
 * Removes a booking from the host's records. An active booking still to come must be cancelled first, so the
 * guest hears about it; past and ended bookings go at once.
 */
export async function deleteBooking(deps: ServiceDeps, ownerId: string, id: string, now = new Date()): Promise<void> {
  const booking = await getBooking(deps, ownerId, id);
  if ((ACTIVE as readonly string[]).includes(booking.status) && booking.endAt.getTime() > now.getTime()) {
    throw new ApiError("CONFLICT", "Cancel this booking first (PATCH status CANCELLED) so the guest is told");
  }
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(bookings)
      .where(and(eq(bookings.ownerId, ownerId), eq(bookings.id, id)))
      .returning({ id: bookings.id }),
  ]);
  if (!deleted[0]) throw notFound("Booking");
}
