// Scheduling: the host's availability rules and date exceptions, their booking page settings, the bookings
// guests make, short holds on a slot, and the host's Google Calendar connection.
// Rules, exceptions, settings and bookings are the studio's own data: they carry owner_id and are audited.
// Holds are a guest's few minutes on a slot, written and expired by the host's BookingLock object; the
// calendar connection is credentials (like refresh tokens): neither is audited.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, timestamp } from "./columns";
import { contacts } from "./crm-schema";
import { users } from "./schema";

const ownerId = () =>
  text("owner_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });
const updatedAt = () => timestamp("updated_at").notNull();

/** As in API.md: `{ frequency, interval?, until?, byWeekday? }` (see workers/modules/booking/expand.ts). */
export interface RecurrenceJson {
  frequency: "DAILY" | "WEEKLY";
  interval?: number;
  until?: string;
  byWeekday?: ("MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU")[];
}

/** A window of local wall-clock time in an IANA zone, optionally repeating, optionally split into slots. */
export const availabilitySlots = sqliteTable(
  "availability_slots",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    timezone: text("timezone").notNull(),
    /** Local date-times in `timezone` (`2026-12-05T09:00`), exactly as the host wrote them. */
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    recurrence: text("recurrence", { mode: "json" }).$type<RecurrenceJson>(),
    slotMinutes: integer("slot_minutes"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("availability_slots_owner_idx").on(t.ownerId, t.id)],
);

export const availabilityExceptionKinds = ["BLOCKED", "HOURS"] as const;

/** One local date whose availability differs: BLOCKED (nothing offered) or HOURS (these windows instead). */
export const availabilityExceptions = sqliteTable(
  "availability_exceptions",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    /** `YYYY-MM-DD`, a local date in `timezone`. */
    date: text("date").notNull(),
    timezone: text("timezone").notNull(),
    kind: text("kind", { enum: availabilityExceptionKinds }).notNull(),
    /** HOURS only: local `HH:MM` windows of that date, each split by `slotMinutes` when set. */
    windows: text("windows", { mode: "json" }).$type<{ start: string; end: string }[]>(),
    slotMinutes: integer("slot_minutes"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("availability_exceptions_owner_date_unique").on(t.ownerId, t.date)],
);

/** One row per host: the public booking page and the rules every booking is checked against. */
export const bookingSettings = sqliteTable(
  "booking_settings",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(false),
    /** Lower-case slug, unique across hosts: `/book/:handle` and wherever API.md says `:userId`. */
    handle: text("handle"),
    title: text("title"),
    description: text("description"),
    minNoticeMinutes: integer("min_notice_minutes").notNull().default(0),
    maxAdvanceDays: integer("max_advance_days").notNull().default(60),
    bufferMinutes: integer("buffer_minutes").notNull().default(0),
    /** Most active bookings starting on one local date (host's time zone); null = no limit. */
    dailyLimit: integer("daily_limit"),
    /** New bookings wait as PENDING until the host confirms or declines them. */
    requiresConfirmation: integer("requires_confirmation", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("booking_settings_owner_unique").on(t.ownerId), uniqueIndex("booking_settings_handle_unique").on(t.handle)],
);

export const bookingStatuses = ["PENDING", "CONFIRMED", "CANCELLED", "DECLINED"] as const;
export type BookingStatus = (typeof bookingStatuses)[number];
/** Statuses that occupy their slot. */
export const activeBookingStatuses = ["PENDING", "CONFIRMED"] as const satisfies readonly BookingStatus[];

export const bookings = sqliteTable(
  "bookings",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    startAt: timestamp("start_at").notNull(),
    endAt: timestamp("end_at").notNull(),
    status: text("status", { enum: bookingStatuses }).notNull(),
    guestName: text("guest_name").notNull(),
    /** Trimmed and lower-cased. */
    guestEmail: text("guest_email").notNull(),
    guestPhone: text("guest_phone"),
    message: text("message"),
    /** The guest's IANA zone when the page knew it: their emails show times in it. */
    guestTimezone: text("guest_timezone"),
    contactId: text("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    /** SHA-256 of the guest's cancel/reschedule token; a spent token is replaced (reschedule) or cleared. */
    cancelTokenHash: text("cancel_token_hash"),
    /** Increases with every change the guest's calendar must see (RFC 5545 SEQUENCE of the .ics). */
    sequence: integer("sequence").notNull().default(0),
    /** The event created in the host's Google Calendar, once the sync job has run. */
    googleEventId: text("google_event_id"),
    /** The start the 24-hours reminder was sent for (a reschedule makes it stale, so a new one goes out). */
    reminderSentFor: timestamp("reminder_sent_for"),
    cancelledAt: timestamp("cancelled_at"),
    cancelledBy: text("cancelled_by", { enum: ["GUEST", "HOST"] }),
    cancelReason: text("cancel_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The second guard against double booking, below the BookingLock: one active booking per host and start.
    uniqueIndex("bookings_owner_active_start_unique")
      .on(t.ownerId, t.startAt)
      .where(sql`${t.status} IN ('PENDING', 'CONFIRMED')`),
    index("bookings_owner_start_idx").on(t.ownerId, t.startAt, t.id),
    uniqueIndex("bookings_cancel_token_unique").on(t.cancelTokenHash),
    index("bookings_reminder_idx").on(t.startAt).where(sql`${t.status} = 'CONFIRMED'`),
    // Deleting or merging a contact finds its bookings through this, not a scan of every booking.
    index("bookings_contact_idx").on(t.contactId),
  ],
);

/** A guest holding a slot while filling in the form. Expired rows are ignored, and deleted by the lock's alarm. */
export const bookingHolds = sqliteTable(
  "booking_holds",
  {
    id: text("id").primaryKey(),
    hostId: text("host_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    startAt: timestamp("start_at").notNull(),
    endAt: timestamp("end_at").notNull(),
    /** SHA-256 of the hold token handed to the guest. */
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("booking_holds_host_start_idx").on(t.hostId, t.startAt), uniqueIndex("booking_holds_token_unique").on(t.tokenHash)],
);

export const calendarConnectionStatuses = ["ACTIVE", "PENDING", "REVOKED"] as const;

/** The host's Google Calendar grant. Tokens are sealed with AES-GCM (shared/lib/crypto.ts), never stored plain. */
export const calendarConnections = sqliteTable("calendar_connections", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  provider: text("provider", { enum: ["GOOGLE"] }).notNull().default("GOOGLE"),
  /** The Google account the grant belongs to, shown to the host. */
  accountEmail: text("account_email"),
  calendarId: text("calendar_id").notNull().default("primary"),
  refreshTokenSealed: text("refresh_token_sealed").notNull(),
  accessTokenSealed: text("access_token_sealed"),
  accessTokenExpiresAt: timestamp("access_token_expires_at"),
  status: text("status", { enum: calendarConnectionStatuses }).notNull().default("ACTIVE"),
  lastError: text("last_error"),
  /** Free/busy of the coming weeks as last read from Google (JSON `[[startMs, endMs], ...]`) and when. */
  busyCache: text("busy_cache", { mode: "json" }).$type<{ from: number; to: number; busy: [number, number][]; remembered?: [number, number, number][] }>(),
  busyFetchedAt: timestamp("busy_fetched_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export type AvailabilitySlotRow = typeof availabilitySlots.$inferSelect;
export type AvailabilityException = typeof availabilityExceptions.$inferSelect;
export type BookingSettings = typeof bookingSettings.$inferSelect;
export type Booking = typeof bookings.$inferSelect;
export type BookingHold = typeof bookingHolds.$inferSelect;
export type CalendarConnection = typeof calendarConnections.$inferSelect;
