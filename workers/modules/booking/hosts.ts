import { eq, or, sql } from "drizzle-orm";
import { bookingSettings, users, type BookingSettings } from "@shared/db/schema";
import type { Db } from "@shared/db/client";

/** A host whose booking page is open: what the public routes and the page may know about them. */
export interface Host {
  id: string;
  settings: BookingSettings;
  firstName: string;
  lastName: string;
  companyName: string | null;
  /** The host's own zone (their profile): days, the daily limit and the page's default display use it. */
  timezone: string;
}

/**
 * The host named by `handleOrId` (API.md: `:userId` also accepts the handle), or null when there is none or
 * their booking page is disabled: both answer 404 alike, so a closed page reveals nothing.
 */
export async function resolveHost(db: Db, handleOrId: string): Promise<Host | null> {
  const key = handleOrId.trim();
  const [row] = await db
    .select({ settings: bookingSettings, firstName: users.firstName, lastName: users.lastName, companyName: users.companyName, timezone: users.timezone })
    .from(bookingSettings)
    .innerJoin(users, eq(users.id, bookingSettings.ownerId))
    .where(or(eq(bookingSettings.handle, key.toLowerCase()), eq(bookingSettings.ownerId, key)))
    // An exact user id wins over a handle (handles shaped like ids are refused, but older rows may exist).
    .orderBy(sql`${bookingSettings.ownerId} = ${key} DESC`)
    .limit(1);
  if (!row || !row.settings.enabled) return null;
  return { id: row.settings.ownerId, settings: row.settings, firstName: row.firstName, lastName: row.lastName, companyName: row.companyName, timezone: row.timezone };
}

export const displayName = (host: Pick<Host, "firstName" | "lastName">) => `${host.firstName} ${host.lastName}`.trim();

/** GET /api/public/booking/:userId/info: never an email or phone. */
export function publicInfo(host: Host) {
  return {
    id: host.id,
    handle: host.settings.handle,
    displayName: displayName(host),
    company: host.companyName,
    timezone: host.timezone,
    settings: {
      title: host.settings.title,
      description: host.settings.description,
      minNoticeMinutes: host.settings.minNoticeMinutes,
      maxAdvanceDays: host.settings.maxAdvanceDays,
      requiresConfirmation: host.settings.requiresConfirmation,
    },
  };
}
