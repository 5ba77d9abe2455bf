import { z } from "@hono/zod-openapi";
import { scheduledEmailRepeats, scheduledEmailStatuses, type ScheduledEmail } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { isTimeZone } from "../booking/expand";
import { templateBody, templateSubject } from "../email-templates/schemas";

/** Attachments of one scheduled email, at most. */
export const MAX_SCHEDULED_FILES = 10;

export const ScheduledEmailFileSchema = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number().int() }).openapi("ScheduledEmailFile");

export const ScheduledEmailSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    subject: z.string(),
    body: z.string(),
    /** The next (or only) time it goes out. */
    sendAt: z.iso.datetime(),
    timezone: z.string().openapi({ example: "Europe/Paris" }),
    repeat: z.enum(scheduledEmailRepeats),
    status: z.enum(scheduledEmailStatuses),
    /** Occurrences sent so far. */
    occurrence: z.number().int(),
    lastSentAt: z.iso.datetime().nullable(),
    /** YEARLY: the first occurrence's local date and time in `timezone`, which every year keeps. */
    anniversary: z.string().nullable().openapi({ example: "2032-02-29T09:00" }),
    /** Why the last occurrence could not be sent (status FAILED, or a yearly email that moved on without it). */
    lastError: z.string().nullable(),
    files: z.array(ScheduledEmailFileSchema),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("ScheduledEmail");
export type ScheduledEmailDto = z.infer<typeof ScheduledEmailSchema>;
export type ScheduledFile = z.infer<typeof ScheduledEmailFileSchema>;

export const toScheduledEmailDto = (row: ScheduledEmail, files: ScheduledFile[]): ScheduledEmailDto => ({
  id: row.id,
  contactId: row.contactId,
  subject: row.subject,
  body: row.body,
  sendAt: row.sendAt.toISOString(),
  timezone: row.timezone,
  repeat: row.repeat,
  status: row.status,
  occurrence: row.occurrence,
  lastSentAt: row.lastSentAt?.toISOString() ?? null,
  anniversary: row.anniversary,
  lastError: row.lastError,
  files,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const fields = {
  contactId: z.string().min(1).max(64),
  subject: templateSubject,
  body: templateBody,
  sendAt: z.iso.datetime({ offset: true }).openapi({ example: "2026-06-06T09:00:00+02:00" }),
  /** Where a YEARLY email keeps its local date and time; the owner's zone when left out. */
  timezone: z.string().max(64).refine(isTimeZone, "must be an IANA time zone such as Europe/Paris"),
  repeat: z.enum(scheduledEmailRepeats),
  fileIds: z
    .array(z.string().min(1).max(64))
    .max(MAX_SCHEDULED_FILES)
    .refine((ids) => new Set(ids).size === ids.length, "must not repeat a file"),
};

export const CreateScheduledEmailSchema = z
  .strictObject({ ...fields, timezone: fields.timezone.optional(), repeat: fields.repeat.default("NONE"), fileIds: fields.fileIds.default([]) })
  .openapi("CreateScheduledEmail");
export type CreateScheduledEmailInput = z.infer<typeof CreateScheduledEmailSchema>;

export const UpdateScheduledEmailSchema = z
  .strictObject(fields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateScheduledEmail");
export type UpdateScheduledEmailInput = z.infer<typeof UpdateScheduledEmailSchema>;

export const ScheduledEmailListQuery = z.object({
  limit: limitParam,
  cursor: z.string().max(512).optional(),
  status: z.enum(scheduledEmailStatuses).optional(),
  contactId: z.string().min(1).max(64).optional(),
});
export type ScheduledEmailListQuery = z.infer<typeof ScheduledEmailListQuery>;

export const ScheduledEmailListSchema = z.object({ items: z.array(ScheduledEmailSchema), nextCursor: z.string().nullable() }).openapi("ScheduledEmailList");

export const ScheduledEmailIdParams = z.object({ id: z.string().min(1).max(64) });
