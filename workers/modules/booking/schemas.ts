import { z } from "@hono/zod-openapi";
import { Temporal } from "temporal-polyfill";
import { activeBookingStatuses, bookingStatuses, type AvailabilityException, type AvailabilitySlotRow, type Booking, type BookingSettings } from "@shared/db/schema";
import { optionalText } from "../../openapi";
import { isTimeZone, WEEKDAYS } from "./expand";

// ───────────────────────────── field types ─────────────────────────────

const timezone = z.string().trim().min(1).max(64).refine(isTimeZone, "is not an IANA time zone").openapi({ example: "Europe/Paris" });

const isLocal = (value: string, parse: (v: string) => unknown) => {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
};
const plainDateTime = (v: string) => Temporal.PlainDateTime.from(v, { overflow: "reject" });
const plainDate = (v: string) => Temporal.PlainDate.from(v, { overflow: "reject" });
const plainTime = (v: string) => Temporal.PlainTime.from(v, { overflow: "reject" });

/** `2026-12-05T09:00` (seconds allowed), a real calendar date and time, no offset. */
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, "must be a local date-time like 2026-12-05T09:00 (no offset)")
  .refine((v) => isLocal(v, plainDateTime), "is not a real date and time")
  .openapi({ example: "2026-12-05T09:00" });
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-12-05")
  .refine((v) => isLocal(v, plainDate), "is not a real date")
  .openapi({ example: "2026-12-24" });
const localTime = z
  .string()
  .regex(/^\d{2}:\d{2}$/, "must be a local time like 09:30")
  .refine((v) => isLocal(v, plainTime), "is not a real time")
  .openapi({ example: "09:30" });

/** An instant with an offset, as API.md's "Times" says. */
export const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v)).openapi({ type: "string", format: "date-time", example: "2026-12-05T08:00:00.000Z" });

const slotMinutes = z.number().int().min(5).max(1440);

// ───────────────────────────── availability slots ─────────────────────────────

export const RecurrenceSchema = z
  .strictObject({
    frequency: z.enum(["DAILY", "WEEKLY"]),
    interval: z.number().int().min(1).max(52).optional(),
    until: localDate.optional(),
    byWeekday: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .refine((days) => new Set(days).size === days.length, "lists a weekday twice")
      .optional(),
  })
  .refine((r) => r.frequency === "WEEKLY" || r.byWeekday === undefined, { message: "is only allowed with WEEKLY", path: ["byWeekday"] })
  .openapi("Recurrence");

const windowMinutes = (startsAt: string, endsAt: string) =>
  plainDateTime(startsAt).until(plainDateTime(endsAt), { largestUnit: "minutes" }).minutes;

/** The checks a slot must pass as a whole, shared by create and (after merging) update. */
export function slotProblems(slot: { startsAt: string; endsAt: string; slotMinutes?: number | null; recurrence?: { until?: string } | null }) {
  const problems: { path: string[]; message: string }[] = [];
  // A field that is itself invalid has its own error already; the whole-slot checks need every part readable.
  if (![slot.startsAt, slot.endsAt].every((v) => typeof v === "string" && isLocal(v, plainDateTime))) return problems;
  if (slot.recurrence?.until !== undefined && !(typeof slot.recurrence.until === "string" && isLocal(slot.recurrence.until, plainDate))) return problems;
  const minutes = windowMinutes(slot.startsAt, slot.endsAt);
  if (minutes <= 0) problems.push({ path: ["endsAt"], message: "must be after startsAt" });
  else if (minutes > 24 * 60) problems.push({ path: ["endsAt"], message: "must be at most 24 hours after startsAt" });
  else if (slot.slotMinutes && slot.slotMinutes > minutes) problems.push({ path: ["slotMinutes"], message: "is longer than the window" });
  if (slot.recurrence?.until && Temporal.PlainDate.compare(plainDate(slot.recurrence.until), plainDateTime(slot.startsAt).toPlainDate()) < 0) {
    problems.push({ path: ["recurrence", "until"], message: "is before the first occurrence" });
  }
  return problems;
}

const slotFields = {
  timezone,
  startsAt: localDateTime,
  endsAt: localDateTime,
  recurrence: RecurrenceSchema.nullable().optional(),
  slotMinutes: slotMinutes.nullable().optional(),
};

export const CreateAvailabilitySchema = z
  .strictObject(slotFields)
  .superRefine((slot, ctx) => {
    for (const problem of slotProblems(slot)) ctx.addIssue({ code: "custom", ...problem });
  })
  .openapi("CreateAvailabilitySlot");
export type CreateAvailabilityInput = z.infer<typeof CreateAvailabilitySchema>;

export const UpdateAvailabilitySchema = z
  .strictObject(slotFields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateAvailabilitySlot");
export type UpdateAvailabilityInput = z.infer<typeof UpdateAvailabilitySchema>;

export const AvailabilitySlotSchema = z
  .object({
    id: z.string(),
    timezone: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    recurrence: RecurrenceSchema.nullable(),
    slotMinutes: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("AvailabilitySlot");

export const toSlotDto = (row: AvailabilitySlotRow): z.infer<typeof AvailabilitySlotSchema> => ({
  id: row.id,
  timezone: row.timezone,
  startsAt: row.startsAt,
  endsAt: row.endsAt,
  recurrence: row.recurrence ?? null,
  slotMinutes: row.slotMinutes ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

// ───────────────────────────── date exceptions ─────────────────────────────

const ExceptionWindow = z
  .strictObject({ start: localTime, end: localTime })
  .refine((w) => w.end === "00:00" || w.end > w.start, { message: "must be after start (00:00 means midnight)", path: ["end"] });

export const ExceptionSchema = z
  .strictObject({
    date: localDate,
    /** Default: the host's time zone (users.timezone). */
    timezone: timezone.optional(),
    kind: z.enum(["BLOCKED", "HOURS"]),
    windows: z.array(ExceptionWindow).min(1).max(24).optional(),
    slotMinutes: slotMinutes.nullable().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.kind === "HOURS" && !value.windows) ctx.addIssue({ code: "custom", path: ["windows"], message: "is required when kind is HOURS" });
    if (value.kind === "BLOCKED" && value.windows) ctx.addIssue({ code: "custom", path: ["windows"], message: "is only allowed when kind is HOURS" });
  })
  .openapi("AvailabilityExceptionInput");
export type ExceptionInput = z.infer<typeof ExceptionSchema>;

export const AvailabilityExceptionSchema = z
  .object({
    id: z.string(),
    date: z.string(),
    timezone: z.string(),
    kind: z.enum(["BLOCKED", "HOURS"]),
    windows: z.array(z.object({ start: z.string(), end: z.string() })).nullable(),
    slotMinutes: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("AvailabilityException");

export const toExceptionDto = (row: AvailabilityException): z.infer<typeof AvailabilityExceptionSchema> => ({
  id: row.id,
  date: row.date,
  timezone: row.timezone,
  kind: row.kind,
  windows: row.windows ?? null,
  slotMinutes: row.slotMinutes ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

// ───────────────────────────── settings ─────────────────────────────

/** Paths of the booking page and API that a handle must not shadow. */
const RESERVED_HANDLES = new Set(["manage", "cancel", "reschedule", "holds", "api", "admin", "static", "assets"]);

export const handle = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/, "must be 3 to 40 lower-case letters, digits or dashes, starting and ending with a letter or digit")
  .refine((v) => !RESERVED_HANDLES.has(v), "is reserved")
  // Pages accept a user id wherever a handle goes: a handle shaped like one could shadow another host.
  .refine((v) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v), "must not look like a user id")
  .openapi({ example: "studio-lumiere" });

export const BookingSettingsInputSchema = z
  .strictObject({
    enabled: z.boolean(),
    handle: handle.nullable().optional(),
    title: optionalText(200).optional(),
    description: optionalText(2000).optional(),
    minNoticeMinutes: z.number().int().min(0).max(525_600).optional(),
    maxAdvanceDays: z.number().int().min(1).max(730).optional(),
    bufferMinutes: z.number().int().min(0).max(1440).optional(),
    dailyLimit: z.number().int().min(1).max(100).nullable().optional(),
    requiresConfirmation: z.boolean().optional(),
  })
  .openapi("BookingSettingsInput");
export type BookingSettingsInput = z.infer<typeof BookingSettingsInputSchema>;

export const BookingSettingsSchema = z
  .object({
    enabled: z.boolean(),
    handle: z.string().nullable(),
    title: z.string().nullable(),
    description: z.string().nullable(),
    minNoticeMinutes: z.number().int(),
    maxAdvanceDays: z.number().int(),
    bufferMinutes: z.number().int(),
    dailyLimit: z.number().int().nullable(),
    requiresConfirmation: z.boolean(),
  })
  .openapi("BookingSettings");

export const toSettingsDto = (row: Omit<BookingSettings, "id" | "ownerId" | "createdAt" | "updatedAt">): z.infer<typeof BookingSettingsSchema> => ({
  enabled: row.enabled,
  handle: row.handle,
  title: row.title,
  description: row.description,
  minNoticeMinutes: row.minNoticeMinutes,
  maxAdvanceDays: row.maxAdvanceDays,
  bufferMinutes: row.bufferMinutes,
  dailyLimit: row.dailyLimit,
  requiresConfirmation: row.requiresConfirmation,
});

// ───────────────────────────── public booking ─────────────────────────────

export const HostParams = z.object({ userId: z.string().min(1).max(64).openapi({ description: "The host's user id or booking handle" }) });
export const TokenParams = z.object({ token: z.string().min(16).max(128) });

export const AvailabilityQuery = z.object({ from: instant, to: instant });

export const PublicSlotsSchema = z
  .object({ timezone: z.string(), slots: z.array(z.object({ start: z.iso.datetime(), end: z.iso.datetime() })) })
  .openapi("PublicAvailability");

export const PublicInfoSchema = z
  .object({
    id: z.string(),
    handle: z.string().nullable(),
    displayName: z.string(),
    company: z.string().nullable(),
    timezone: z.string(),
    settings: z.object({
      title: z.string().nullable(),
      description: z.string().nullable(),
      minNoticeMinutes: z.number().int(),
      maxAdvanceDays: z.number().int(),
      requiresConfirmation: z.boolean(),
    }),
  })
  .openapi("PublicBookingInfo");

const guestName = z.string().trim().min(1).max(200);
export const HoldSchema = z.strictObject({ start: instant }).openapi("HoldSlot");
export const HoldResultSchema = z
  .object({ holdToken: z.string(), start: z.iso.datetime(), end: z.iso.datetime(), expiresAt: z.iso.datetime() })
  .openapi("Hold");

export const BookSchema = z
  .strictObject({
    start: instant,
    name: guestName,
    email: z.email().max(254).transform((v) => v.trim().toLowerCase()),
    phone: optionalText(50).optional(),
    message: optionalText(2000).optional(),
    /** The guest's IANA time zone: their emails show times in it. */
    timezone: timezone.optional(),
    /** From POST .../hold: the held slot is theirs to book. */
    holdToken: z.string().min(16).max(128).optional(),
  })
  .openapi("BookSlot");
export type BookInput = z.infer<typeof BookSchema>;

export const PublicBookingSchema = z
  .object({ id: z.string(), start: z.iso.datetime(), end: z.iso.datetime(), status: z.enum(bookingStatuses) })
  .openapi("PublicBooking");
export const BookResultSchema = z.object({ booking: PublicBookingSchema, cancelToken: z.string() }).openapi("BookResult");
export const CancelSchema = z.strictObject({ reason: optionalText(500).optional() }).openapi("CancelBooking");
export const RescheduleSchema = z.strictObject({ start: instant }).openapi("RescheduleBooking");

export const toPublicBooking = (b: Pick<Booking, "id" | "startAt" | "endAt" | "status">) => ({
  id: b.id,
  start: b.startAt.toISOString(),
  end: b.endAt.toISOString(),
  status: b.status,
});

// ───────────────────────────── host bookings ─────────────────────────────

export const BookingSchema = z
  .object({
    id: z.string(),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
    status: z.enum(bookingStatuses),
    guest: z.object({ name: z.string(), email: z.string(), phone: z.string().nullable(), timezone: z.string().nullable() }),
    message: z.string().nullable(),
    contactId: z.string().nullable(),
    googleEventId: z.string().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    cancelledBy: z.enum(["GUEST", "HOST"]).nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Booking");

export const toBookingDto = (b: Booking): z.infer<typeof BookingSchema> => ({
  id: b.id,
  start: b.startAt.toISOString(),
  end: b.endAt.toISOString(),
  status: b.status,
  guest: { name: b.guestName, email: b.guestEmail, phone: b.guestPhone, timezone: b.guestTimezone },
  message: b.message,
  contactId: b.contactId,
  googleEventId: b.googleEventId,
  cancelledAt: b.cancelledAt?.toISOString() ?? null,
  cancelledBy: b.cancelledBy ?? null,
  cancelReason: b.cancelReason,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

export const BookingListQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  status: z.enum(bookingStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});
export type BookingListQuery = z.infer<typeof BookingListQuery>;

export const UpdateBookingSchema = z
  .strictObject({
    status: z.enum(["CONFIRMED", "DECLINED", "CANCELLED"]).optional(),
    /** Moves the booking (any time that collides with no other active booking; the guest is told). */
    start: instant.optional(),
    reason: optionalText(500).optional(),
  })
  .refine((v) => v.status !== undefined || v.start !== undefined, "status or start is required")
  .refine((v) => !(v.status && v.start), "change status and start in separate requests")
  .openapi("UpdateBooking");
export type UpdateBookingInput = z.infer<typeof UpdateBookingSchema>;

export const BookingStatsSchema = z
  .object({
    total: z.number().int(),
    upcoming: z.number().int(),
    pending: z.number().int(),
    confirmed: z.number().int(),
    cancelled: z.number().int(),
    declined: z.number().int(),
    past: z.number().int(),
    next: PublicBookingSchema.nullable(),
  })
  .openapi("BookingStats");

export const IdParams = z.object({ id: z.string().min(1).max(64) });
export const ACTIVE = activeBookingStatuses;
