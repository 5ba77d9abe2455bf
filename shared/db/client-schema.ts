// What reaches a studio's clients besides documents: per-studio email templates, scheduled emails, and the client
// portal (access tokens and the message thread). Every table here carries owner_id and is audited
// (shared/db/audit-spec.ts).
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { invoices, quotes } from "./billing-schema";
import { createdAt, timestamp } from "./columns";
import { contacts, files } from "./crm-schema";
import { users } from "./schema";

const ownerId = () =>
  text("owner_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });
const updatedAt = () => timestamp("updated_at").notNull();

export const emailTemplateKinds = ["QUOTE_SENT", "INVOICE_SENT", "PAYMENT_REMINDER", "BOOKING_CONFIRMED", "CLIENT_MESSAGE_REPLY", "SCHEDULED_EMAIL"] as const;
export type EmailTemplateKind = (typeof emailTemplateKinds)[number];

/** A studio's own wording of one kind of email; kinds without a row use the default (workers/modules/email-templates). */
export const emailTemplates = sqliteTable(
  "email_templates",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    kind: text("kind", { enum: emailTemplateKinds }).notNull(),
    subject: text("subject").notNull(),
    /** Plain text with `{{variables}}`; blank lines separate paragraphs in the HTML part. */
    body: text("body").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("email_templates_owner_kind_unique").on(t.ownerId, t.kind)],
);

export const scheduledEmailRepeats = ["NONE", "YEARLY"] as const;
export const scheduledEmailStatuses = ["SCHEDULED", "QUEUED", "SENT", "CANCELLED", "FAILED"] as const;

/** An email to a contact at a set time, optionally every year (anniversaries). */
export const scheduledEmails = sqliteTable(
  "scheduled_emails",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    /** The next (or only) time it goes out. */
    sendAt: timestamp("send_at").notNull(),
    /** The IANA zone a YEARLY email keeps its local date and time in. */
    timezone: text("timezone").notNull(),
    repeat: text("repeat", { enum: scheduledEmailRepeats }).notNull().default("NONE"),
    /** YEARLY: the first occurrence as a local date-time in `timezone` (`2032-02-29T09:00`). Every later one is
     *  computed from it, so a 29 February or a time skipped by DST is clamped only in the years that need it. */
    anniversary: text("anniversary"),
    status: text("status", { enum: scheduledEmailStatuses }).notNull().default("SCHEDULED"),
    /** Occurrences sent so far: with the id, the idempotency key of each occurrence's job. */
    occurrence: integer("occurrence").notNull().default(0),
    queuedAt: timestamp("queued_at"),
    lastSentAt: timestamp("last_sent_at"),
    /** FAILED: why the last occurrence could not be sent (its job exhausted its retries). */
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("scheduled_emails_owner_send_idx").on(t.ownerId, t.sendAt, t.id),
    index("scheduled_emails_due_idx").on(t.sendAt).where(sql`${t.status} = 'SCHEDULED'`),
    index("scheduled_emails_queued_idx").on(t.queuedAt).where(sql`${t.status} = 'QUEUED'`),
    index("scheduled_emails_contact_idx").on(t.contactId),
  ],
);

/** Files (already in R2) attached to a scheduled email. */
export const scheduledEmailFiles = sqliteTable(
  "scheduled_email_files",
  {
    ownerId: ownerId(),
    scheduledEmailId: text("scheduled_email_id")
      .notNull()
      .references(() => scheduledEmails.id, { onDelete: "cascade" }),
    fileId: text("file_id")
      .notNull()
      .references(() => files.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scheduledEmailId, t.fileId] }), index("scheduled_email_files_file_idx").on(t.fileId)],
);

/** A link into the client portal for one contact, scoped to one quote or invoice (or to messages only when
 *  neither is set). The token is random; its SHA-256 finds the row, and a sealed copy (AES-GCM) lets the owner's
 *  `client-link` hand the same live link out again instead of minting one per click. */
export const clientAccessTokens = sqliteTable(
  "client_access_tokens",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    quoteId: text("quote_id").references(() => quotes.id, { onDelete: "cascade" }),
    invoiceId: text("invoice_id").references(() => invoices.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    tokenSealed: text("token_sealed").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    revokedAt: timestamp("revoked_at"),
    lastUsedAt: timestamp("last_used_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("client_access_tokens_hash_unique").on(t.tokenHash),
    index("client_access_tokens_contact_idx").on(t.contactId, t.expiresAt),
    index("client_access_tokens_quote_idx").on(t.quoteId, t.expiresAt),
    index("client_access_tokens_invoice_idx").on(t.invoiceId, t.expiresAt),
    check("client_access_tokens_scope", sql`${t.quoteId} IS NULL OR ${t.invoiceId} IS NULL`),
  ],
);

export const clientMessageDirections = ["CLIENT", "OWNER"] as const;

/** The thread between a studio and one client: written from the portal (CLIENT) or the contact view (OWNER). */
export const clientMessages = sqliteTable(
  "client_messages",
  {
    /** UUIDv7: time-ordered, so a thread page walks (contact_id, id). */
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    direction: text("direction", { enum: clientMessageDirections }).notNull(),
    body: text("body").notNull(),
    /** The portal link a CLIENT message came through. */
    accessTokenId: text("access_token_id").references(() => clientAccessTokens.id, { onDelete: "set null" }),
    /** When the other side read it (the owner for CLIENT messages, the client for OWNER ones). */
    readAt: timestamp("read_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("client_messages_contact_idx").on(t.contactId, t.id),
    index("client_messages_token_idx").on(t.accessTokenId),
    index("client_messages_owner_unread_idx").on(t.ownerId, t.contactId).where(sql`${t.direction} = 'CLIENT' AND ${t.readAt} IS NULL`),
  ],
);

export type EmailTemplate = typeof emailTemplates.$inferSelect;
export type ScheduledEmail = typeof scheduledEmails.$inferSelect;
export type ClientAccessToken = typeof clientAccessTokens.$inferSelect;
export type ClientMessage = typeof clientMessages.$inferSelect;
