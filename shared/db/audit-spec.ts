import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as s from "./schema";

/** A tenant table whose rows are entities with their own history (a contact, a tag...). */
export interface EntityAudit {
  kind: "entity";
  table: SQLiteTable;
  entityType: string;
  /** Columns left out of the recorded changes: derived or bookkeeping values. */
  ignore?: string[];
  /** Columns recorded as "[redacted]": secrets, token hashes, sealed credentials. */
  redact?: string[];
}

/** A link table (contact ↔ tag...): each insert or delete is recorded as a change of the entities it links. */
export interface LinkAudit {
  kind: "link";
  table: SQLiteTable;
  /** For each linked entity: the column holding its id, and the field its history shows the change under. */
  sides: { entityType: string; idColumn: string; field: string; valueColumns: string[] }[];
}

export type AuditSpec = EntityAudit | LinkAudit;

const bookkeeping = ["seq", "id", "owner_id", "created_at", "updated_at"];

/** Every table with an `owner_id` is listed here; a test fails when one is missing or its triggers are stale. */
export const auditSpecs: AuditSpec[] = [
  { kind: "entity", table: s.contacts, entityType: "contact", ignore: [...bookkeeping, "phone_search", "sort_name"] },
  { kind: "entity", table: s.tags, entityType: "tag", ignore: [...bookkeeping, "name_key"] },
  { kind: "entity", table: s.sessions, entityType: "session", ignore: bookkeeping },
  { kind: "entity", table: s.providers, entityType: "provider", ignore: bookkeeping },
  { kind: "entity", table: s.files, entityType: "file", ignore: bookkeeping },
  { kind: "entity", table: s.fileUploads, entityType: "file_upload", ignore: bookkeeping, redact: ["r2_upload_id"] },
  { kind: "entity", table: s.duplicatePairs, entityType: "duplicate_pair", ignore: bookkeeping },
  { kind: "entity", table: s.exportsTable, entityType: "export", ignore: bookkeeping },
  { kind: "entity", table: s.availabilitySlots, entityType: "availability_slot", ignore: bookkeeping },
  { kind: "entity", table: s.availabilityExceptions, entityType: "availability_exception", ignore: bookkeeping },
  { kind: "entity", table: s.bookingSettings, entityType: "booking_settings", ignore: bookkeeping },
  { kind: "entity", table: s.bookings, entityType: "booking", ignore: [...bookkeeping, "reminder_sent_for", "google_event_id", "sequence"], redact: ["cancel_token_hash"] },
  { kind: "entity", table: s.quotes, entityType: "quote", ignore: [...bookkeeping, "year", "sequence", "version", "parties"] },
  { kind: "entity", table: s.invoices, entityType: "invoice", ignore: [...bookkeeping, "year", "sequence", "version", "parties"] },
  { kind: "entity", table: s.payments, entityType: "payment", ignore: bookkeeping },
  { kind: "entity", table: s.documentPdfs, entityType: "document_pdf", ignore: bookkeeping },
  { kind: "entity", table: s.documentDeliveries, entityType: "document_delivery", ignore: bookkeeping },
  { kind: "entity", table: s.emailTemplates, entityType: "email_template", ignore: bookkeeping },
  { kind: "entity", table: s.scheduledEmails, entityType: "scheduled_email", ignore: [...bookkeeping, "queued_at"] },
  { kind: "entity", table: s.clientAccessTokens, entityType: "client_access_token", ignore: [...bookkeeping, "last_used_at"], redact: ["token_hash", "token_sealed"] },
  { kind: "entity", table: s.clientMessages, entityType: "client_message", ignore: bookkeeping },
  {
    kind: "link",
    table: s.scheduledEmailFiles,
    sides: [{ entityType: "scheduled_email", idColumn: "scheduled_email_id", field: "attachment", valueColumns: ["file_id"] }],
  },
  {
    kind: "link",
    table: s.contactTags,
    sides: [{ entityType: "contact", idColumn: "contact_id", field: "tag", valueColumns: ["tag_id"] }],
  },
  {
    kind: "link",
    table: s.sessionTags,
    sides: [{ entityType: "session", idColumn: "session_id", field: "tag", valueColumns: ["tag_id"] }],
  },
  {
    kind: "link",
    table: s.sessionContacts,
    sides: [
      { entityType: "session", idColumn: "session_id", field: "contact", valueColumns: ["contact_id", "role"] },
      { entityType: "contact", idColumn: "contact_id", field: "session", valueColumns: ["session_id", "role"] },
    ],
  },
  {
    kind: "link",
    table: s.sessionProviders,
    sides: [
      {
        entityType: "session",
        idColumn: "session_id",
        field: "provider",
        valueColumns: ["provider_id", "role", "fee_amount", "fee_currency"],
      },
    ],
  },
];
