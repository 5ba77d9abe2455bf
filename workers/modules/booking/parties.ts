import { eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { bookingSettings, bookings, users } from "@shared/db/schema";

/** The columns every booking email reads: the booking, its host, and the host's booking page. */
export const partiesColumns = {
  booking: bookings,
  host: { id: users.id, email: users.email, firstName: users.firstName, lastName: users.lastName, companyName: users.companyName, timezone: users.timezone },
  page: { enabled: bookingSettings.enabled, handle: bookingSettings.handle, title: bookingSettings.title },
};

/** Bookings with their host and booking page; callers add the condition. */
export const partiesQuery = (db: Db) =>
  db
    .select(partiesColumns)
    .from(bookings)
    .innerJoin(users, eq(users.id, bookings.ownerId))
    .leftJoin(bookingSettings, eq(bookingSettings.ownerId, bookings.ownerId));

export async function loadBookingParties(db: Db, bookingId: string): Promise<BookingParties | undefined> {
  const [row] = await partiesQuery(db).where(eq(bookings.id, bookingId)).limit(1);
  return row;
}

export type BookingParties = Awaited<ReturnType<ReturnType<typeof partiesQuery>["all"]>>[number];

export const hostDisplayName = (host: BookingParties["host"]) => `${host.firstName} ${host.lastName}`.trim();
/** The host as a guest knows them. */
export const hostPublicName = (host: BookingParties["host"]) => (host.companyName ? `${hostDisplayName(host)} (${host.companyName})` : hostDisplayName(host));
/** Guests read times in their own zone when the booking page knew it, else in the host's. */
export const guestZone = (parties: BookingParties) => parties.booking.guestTimezone ?? parties.host.timezone;
