// The owner's calendar: documents are dated and numbered in the studio's own time zone, so an invoice made on
// 31 December at 23:30 in Paris is F-<that year>, dated that day, whatever UTC says.
import { eq } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Db } from "@shared/db/client";
import { users } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";

export interface OwnerCalendar {
  timezone: string;
  locale: string;
  /** `YYYY-MM-DD` in the owner's zone. */
  today: string;
  year: number;
}

/** The local date of `now` in `zone`. */
export const localDate = (now: Date, zone: string): string => Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(zone).toPlainDate().toString();

export const addDays = (date: string, days: number): string => Temporal.PlainDate.from(date).add({ days }).toString();

export async function ownerCalendar(db: Db, ownerId: string, now = new Date()): Promise<OwnerCalendar> {
  const [owner] = await db.select({ timezone: users.timezone, locale: users.locale }).from(users).where(eq(users.id, ownerId)).limit(1);
  if (!owner) throw notFound("User");
  const today = localDate(now, owner.timezone);
  return { timezone: owner.timezone, locale: owner.locale, today, year: Number(today.slice(0, 4)) };
}
