import { z } from "zod";

/** An email as handed to the queue. Attachments travel as R2 keys: a queue message is capped at 128 KB. */
export const EmailJobPayload = z.object({
  to: z.email(),
  subject: z.string().min(1).max(998),
  text: z.string(),
  html: z.string().optional(),
  replyTo: z.email().optional(),
  attachments: z
    .array(
      z.object({
        filename: z.string().min(1).max(255),
        contentType: z.string().min(1),
        /** Object key in the FILES bucket. */
        r2Key: z.string().min(1),
      }),
    )
    .default([]),
});
export type EmailJobPayload = z.infer<typeof EmailJobPayload>;

/** A large contacts or sessions export to produce into R2 (the `exports` row says what and for whom). */
export const ExportJobPayload = z.object({ exportId: z.string().min(1) });

/** An unread-messages digest falling due: the message_digests row with this `dueAt` is the quiet period it ends. */
export const MessageDigestJobPayload = z.object({ userId: z.string().min(1), conversationId: z.string().min(1), dueAt: z.iso.datetime() });

/** Every job type and the shape of its payload: the queue consumer validates each message against it. */
export const jobPayloads = {
  "email.send": EmailJobPayload,
  "export.generate": ExportJobPayload,
  "messages.digest": MessageDigestJobPayload,
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
