import { z } from "zod";

/** Largest attachment carried inside the message itself (UTF-8 bytes): a queue message is capped at 128 KB. */
export const INLINE_ATTACHMENT_MAX_BYTES = 32 * 1024;

const attachmentMeta = { filename: z.string().min(1).max(255), contentType: z.string().min(1) };

/** An email as handed to the queue. Attachments travel as R2 keys, or inline when they are small text (an `.ics`). */
export const EmailJobPayload = z.object({
  to: z.email(),
  subject: z.string().min(1).max(998),
  text: z.string(),
  html: z.string().optional(),
  replyTo: z.email().optional(),
  attachments: z
    .array(
      z.union([
        z.object({
          ...attachmentMeta,
          /** Object key in the FILES bucket. */
          r2Key: z.string().min(1),
        }),
        z.object({
          ...attachmentMeta,
          /** The attachment's text, sent as UTF-8. */
          content: z
            .string()
            .refine((text) => new TextEncoder().encode(text).byteLength <= INLINE_ATTACHMENT_MAX_BYTES, `at most ${INLINE_ATTACHMENT_MAX_BYTES} bytes inline; larger attachments go through R2`),
        }),
      ]),
    )
    .default([]),
});
export type EmailJobPayload = z.infer<typeof EmailJobPayload>;

/** A large contacts or sessions export to produce into R2 (the `exports` row says what and for whom). */
export const ExportJobPayload = z.object({ exportId: z.string().min(1) });

/** An unread-messages digest falling due: the message_digests row with this `dueAt` is the quiet period it ends. */
export const MessageDigestJobPayload = z.object({ userId: z.string().min(1), conversationId: z.string().min(1), dueAt: z.iso.datetime() });

/** A booking changed: its guest and host are told, and the host's calendar follows (workers/modules/booking/announce.ts). */
export const BookingAnnounceJobPayload = z.object({
  bookingId: z.string().min(1),
  kind: z.enum(["CREATED", "CONFIRMED", "DECLINED", "CANCELLED", "RESCHEDULED"]),
  by: z.enum(["GUEST", "HOST"]),
  /** The booking's sequence once this change was stored. */
  sequence: z.number().int().min(0),
  /** The guest's new manage/cancel token, when the change issued one: the email is its only copy. */
  cancelToken: z.string().min(1).optional(),
  previousStartAt: z.iso.datetime().optional(),
});

/** Make the host's Google Calendar show this booking as it now is (workers/modules/calendar/sync.ts). */
export const CalendarSyncJobPayload = z.object({ bookingId: z.string().min(1) });

/** Email one quote or invoice to its client (workers/modules/deliveries): the document_deliveries row says what. */
export const DocumentDeliverJobPayload = z.object({ deliveryId: z.string().min(1) });

/** One occurrence of a scheduled email falling due (workers/modules/scheduled-emails). */
export const ScheduledEmailJobPayload = z.object({ scheduledEmailId: z.string().min(1), occurrence: z.number().int().min(0) });

/** Tell the owner about a client's portal message (workers/modules/portal/messages.ts). */
export const ClientMessageNotifyJobPayload = z.object({ messageId: z.string().min(1) });

/** Every job type and the shape of its payload: the queue consumer validates each message against it. */
export const jobPayloads = {
  "email.send": EmailJobPayload,
  "export.generate": ExportJobPayload,
  "messages.digest": MessageDigestJobPayload,
  "booking.announce": BookingAnnounceJobPayload,
  "calendar.sync": CalendarSyncJobPayload,
  "document.deliver": DocumentDeliverJobPayload,
  "scheduled-email.send": ScheduledEmailJobPayload,
  "client-message.notify": ClientMessageNotifyJobPayload,
} as const;

export type JobType = keyof typeof jobPayloads;

export const JobMessage = z.object({
  type: z.string(),
  /** Idempotency key: a redelivery of a message whose key already completed is acknowledged, not re-run. */
  key: z.string().min(1).max(200),
  payload: z.unknown(),
  enqueuedAt: z.string(),
});
export type JobMessage = z.infer<typeof JobMessage>;
