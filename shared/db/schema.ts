import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Times are stored as integer milliseconds since the epoch (UTC) and surface as Date objects.
const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });
const createdAt = (name = "created_at") => timestamp(name).notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Trimmed and lower-cased before it is stored; unique. */
    email: text("email").notNull(),
    emailVerifiedAt: timestamp("email_verified_at"),
    /** Null for accounts created through Google sign-in until a password is set. */
    passwordHash: text("password_hash"),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    phone: text("phone"),
    companyName: text("company_name"),
    addressLine1: text("address_line1"),
    addressLine2: text("address_line2"),
    postalCode: text("postal_code"),
    city: text("city"),
    region: text("region"),
    country: text("country"),
    vatNumber: text("vat_number"),
    timezone: text("timezone").notNull().default("UTC"),
    locale: text("locale").notNull().default("en"),
    role: text("role", { enum: ["USER", "ADMIN"] }).notNull().default("USER"),
    plan: text("plan").notNull().default("FREE"),
    googleSub: text("google_sub"),
    invitationCode: text("invitation_code"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email), uniqueIndex("users_google_sub_unique").on(t.googleSub)],
);

/** One family per login: every refresh token issued from that login, so a replayed one revokes them all. */
export const refreshFamilies = sqliteTable(
  "refresh_families",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at"),
    revokedAt: timestamp("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("refresh_families_user_idx").on(t.userId)],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id")
      .notNull()
      .references(() => refreshFamilies.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    /** SHA-256 of the opaque token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    /** Id of the token this one was exchanged for: lets the exchange insert its successor in the same batch. */
    replacedBy: text("replaced_by"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_unique").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_replaced_by_idx").on(t.replacedBy),
    index("refresh_tokens_expires_idx").on(t.expiresAt),
  ],
);

export const oneTimeTokenPurposes = ["PASSWORD_RESET", "EMAIL_VERIFICATION", "GOOGLE_LOGIN"] as const;
export type OneTimeTokenPurpose = (typeof oneTimeTokenPurposes)[number];

/** Single-use tokens sent by email (reset, verification) or handed over after Google sign-in. */
export const oneTimeTokens = sqliteTable(
  "one_time_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: oneTimeTokenPurposes }).notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    consumedAt: timestamp("consumed_at"),
    /** A random value written by the consuming batch: later statements of that batch find the row by it. */
    consumedBy: text("consumed_by"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("one_time_tokens_hash_unique").on(t.tokenHash),
    index("one_time_tokens_consumed_by_idx").on(t.consumedBy),
    index("one_time_tokens_user_idx").on(t.userId),
    index("one_time_tokens_expires_idx").on(t.expiresAt),
  ],
);

/** PKCE verifier and return path of a Google sign-in in progress, keyed by the hash of its `state`. */
export const oauthStates = sqliteTable(
  "oauth_states",
  {
    stateHash: text("state_hash").primaryKey(),
    codeVerifier: text("code_verifier").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("oauth_states_expires_idx").on(t.expiresAt)],
);

/** A key (IP or account) that went over a failed-login limit stays refused until `blockedUntil`. */
export const authThrottles = sqliteTable(
  "auth_throttles",
  {
    key: text("key").primaryKey(),
    blockedUntil: timestamp("blocked_until").notNull(),
  },
  (t) => [index("auth_throttles_blocked_until_idx").on(t.blockedUntil)],
);

/** One row per idempotency key: a redelivered job whose key is DONE is acknowledged without running again. */
export const jobRuns = sqliteTable(
  "job_runs",
  {
    key: text("key").primaryKey(),
    type: text("type").notNull(),
    status: text("status", { enum: ["RUNNING", "DONE", "FAILED"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** While RUNNING, another delivery of the same key waits until this lease passes. */
    leaseUntil: timestamp("lease_until"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at").notNull(),
    completedAt: timestamp("completed_at"),
  },
  (t) => [index("job_runs_status_updated_idx").on(t.status, t.updatedAt)],
);

/** Jobs that exhausted their retries (recorded by the dead-letter consumer) or could never run. */
export const failedJobs = sqliteTable(
  "failed_jobs",
  {
    id: text("id").primaryKey(),
    jobKey: text("job_key").notNull(),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    failedAt: createdAt("failed_at"),
  },
  (t) => [index("failed_jobs_failed_at_idx").on(t.failedAt), uniqueIndex("failed_jobs_job_key_unique").on(t.jobKey)],
);

/** Development only: every outgoing email, parsed from the exact MIME that was sent (raw bytes in R2). */
export const devMail = sqliteTable(
  "dev_mail",
  {
    id: text("id").primaryKey(),
    to: text("to").notNull(),
    from: text("from").notNull(),
    subject: text("subject").notNull(),
    text: text("text"),
    html: text("html"),
    /** JSON array of { filename, contentType, size, key }: each attachment's bytes are kept in R2 under `key`. */
    attachments: text("attachments", { mode: "json" }).$type<DevMailAttachment[]>().notNull(),
    rawKey: text("raw_key").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("dev_mail_to_created_idx").on(t.to, t.createdAt), index("dev_mail_created_idx").on(t.createdAt)],
);

export interface DevMailAttachment {
  filename: string;
  contentType: string;
  size: number;
  key: string;
}

export type User = typeof users.$inferSelect;

// ───────────────────────────── CRM: contacts, tags, sessions, providers, files ─────────────────────────────
// Every table below is tenant data: it carries `owner_id`, every query filters on it, and the audit triggers
// (shared/db/audit-spec.ts, generated by shared/db/audit-sql.ts into migrations/0002_search_and_audit.sql) record each insert, update and delete.

const ownerId = () =>
  text("owner_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });
const updatedAt = () => timestamp("updated_at").notNull();

export const contactSources = ["BOOKING", "LEAD_FORM", "IMPORT", "MANUAL"] as const;

export const contacts = sqliteTable(
  "contacts",
  {
    /** Integer row key: the full-text index (contacts_fts) is keyed by it, and VACUUM never renumbers it. */
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    ownerId: ownerId(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name"),
    /** Trimmed and lower-cased: the duplicate detector compares it as is. */
    email: text("email"),
    /** The phone exactly as typed. */
    phone: text("phone"),
    /** The same number in E.164 when it parses (region: the owner's country, else DEFAULT_PHONE_REGION). */
    phoneE164: text("phone_e164"),
    /** Digit strings a search may start with (E.164, national, national with trunk prefix), space-separated. */
    phoneSearch: text("phone_search"),
    company: text("company"),
    notes: text("notes"),
    addressLine1: text("address_line1"),
    addressLine2: text("address_line2"),
    postalCode: text("postal_code"),
    city: text("city"),
    region: text("region"),
    country: text("country"),
    latitude: real("latitude"),
    longitude: real("longitude"),
    source: text("source", { enum: contactSources }).notNull().default("MANUAL"),
    /** YYYY-MM-DD */
    birthday: text("birthday"),
    /** "last first", case- and accent-folded: the name sort order and the similarity key. */
    sortName: text("sort_name").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("contacts_id_unique").on(t.id),
    index("contacts_owner_name_idx").on(t.ownerId, t.sortName, t.id),
    index("contacts_owner_created_idx").on(t.ownerId, t.createdAt, t.id),
    index("contacts_owner_updated_idx").on(t.ownerId, t.updatedAt, t.id),
    index("contacts_owner_email_idx").on(t.ownerId, t.email),
    index("contacts_owner_phone_idx").on(t.ownerId, t.phoneE164),
  ],
);

export const tags = sqliteTable(
  "tags",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    name: text("name").notNull(),
    /** The name case- and accent-folded: unique per owner, so "Wedding" and "wedding" cannot both exist. */
    nameKey: text("name_key").notNull(),
    /** #rrggbb */
    color: text("color"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("tags_owner_name_unique").on(t.ownerId, t.nameKey)],
);

export const contactTags = sqliteTable(
  "contact_tags",
  {
    ownerId: ownerId(),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    tagId: text("tag_id")
      .notNull()
      .references(() => tags.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.tagId] }),
    index("contact_tags_owner_tag_idx").on(t.ownerId, t.tagId, t.contactId),
    index("contact_tags_tag_idx").on(t.tagId),
  ],
);

export const sessionTypes = ["WEDDING", "PORTRAIT", "FAMILY", "CORPORATE", "EVENT", "OTHER"] as const;
export const sessionStatuses = ["LEAD", "CONFIRMED", "COMPLETED", "CANCELLED"] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

/** A photo shoot. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    title: text("title").notNull(),
    type: text("type", { enum: sessionTypes }).notNull().default("OTHER"),
    status: text("status", { enum: sessionStatuses }).notNull().default("LEAD"),
    startsAt: timestamp("starts_at"),
    endsAt: timestamp("ends_at"),
    location: text("location"),
    /** Minor units, with priceCurrency (ISO 4217). */
    priceAmount: integer("price_amount"),
    priceCurrency: text("price_currency"),
    notes: text("notes"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("sessions_owner_starts_idx").on(t.ownerId, t.startsAt, t.id),
    index("sessions_owner_status_starts_idx").on(t.ownerId, t.status, t.startsAt, t.id),
    index("sessions_owner_created_idx").on(t.ownerId, t.createdAt, t.id),
  ],
);

export const sessionContacts = sqliteTable(
  "session_contacts",
  {
    ownerId: ownerId(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    /** CLIENT, GUEST, ... (free text, upper-cased). */
    role: text("role").notNull().default("CLIENT"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.contactId] }),
    index("session_contacts_owner_contact_idx").on(t.ownerId, t.contactId, t.sessionId),
    index("session_contacts_contact_idx").on(t.contactId),
  ],
);

export const sessionTags = sqliteTable(
  "session_tags",
  {
    ownerId: ownerId(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    tagId: text("tag_id")
      .notNull()
      .references(() => tags.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.tagId] }),
    index("session_tags_owner_tag_idx").on(t.ownerId, t.tagId, t.sessionId),
    index("session_tags_tag_idx").on(t.tagId),
  ],
);

/** The studio's address book of collaborators (second shooter, make-up artist...), reused across shoots. */
export const providers = sqliteTable(
  "providers",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    name: text("name").notNull(),
    role: text("role"),
    email: text("email"),
    phone: text("phone"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("providers_owner_name_idx").on(t.ownerId, t.name, t.id)],
);

/** A provider booked on a shoot, with the role and fee for that shoot. */
export const sessionProviders = sqliteTable(
  "session_providers",
  {
    ownerId: ownerId(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    providerId: text("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    role: text("role"),
    feeAmount: integer("fee_amount"),
    feeCurrency: text("fee_currency"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.providerId] }),
    index("session_providers_provider_idx").on(t.providerId),
  ],
);

/** A file in R2 attached to a contact or a session (exactly one of the two). */
export const files = sqliteTable(
  "files",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    contactId: text("contact_id").references(() => contacts.id, { onDelete: "cascade" }),
    sessionId: text("session_id").references(() => sessions.id, { onDelete: "cascade" }),
    /** Sanitized file name, as offered on download. */
    name: text("name").notNull(),
    /** The type detected from the file's magic bytes. */
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    /** `<ownerId>/files/<fileId>`: every object key starts with its owner's id. */
    r2Key: text("r2_key").notNull(),
    sha256: text("sha256"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("files_r2_key_unique").on(t.r2Key),
    // (created_at, id) is the keyset of the file lists: both in the index, so a page is one index range.
    index("files_owner_contact_idx").on(t.ownerId, t.contactId, t.createdAt, t.id),
    index("files_owner_session_idx").on(t.ownerId, t.sessionId, t.createdAt, t.id),
    index("files_contact_idx").on(t.contactId),
    index("files_session_idx").on(t.sessionId),
    check("files_one_parent", sql`(${t.contactId} IS NULL) <> (${t.sessionId} IS NULL)`),
  ],
);

/** An R2 multipart upload in progress through the API (large archives); becomes a `files` row on completion. */
export const fileUploads = sqliteTable(
  "file_uploads",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    contactId: text("contact_id").references(() => contacts.id, { onDelete: "cascade" }),
    sessionId: text("session_id").references(() => sessions.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Detected from the first part's magic bytes; null until part 1 arrives. */
    contentType: text("content_type"),
    r2Key: text("r2_key").notNull(),
    r2UploadId: text("r2_upload_id").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("file_uploads_owner_idx").on(t.ownerId, t.createdAt),
    index("file_uploads_expires_idx").on(t.expiresAt),
    // The foreign keys' own lookups: deleting a contact or session checks its uploads through these.
    index("file_uploads_contact_idx").on(t.contactId),
    index("file_uploads_session_idx").on(t.sessionId),
    // The hourly orphan sweep asks, per R2 key, whether an upload in progress still claims it.
    uniqueIndex("file_uploads_r2_key_unique").on(t.r2Key),
    check("file_uploads_one_parent", sql`(${t.contactId} IS NULL) <> (${t.sessionId} IS NULL)`),
  ],
);

export const duplicateReasons = ["EMAIL", "PHONE", "NAME"] as const;

/** A probable duplicate pair, stored with `contact_a_id < contact_b_id` so each pair exists once. */
export const duplicatePairs = sqliteTable(
  "duplicate_pairs",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    contactAId: text("contact_a_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    contactBId: text("contact_b_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    reason: text("reason", { enum: duplicateReasons }).notNull(),
    /** 0..1: 1 for an identical email or phone, the name similarity otherwise. */
    score: real("score").notNull(),
    status: text("status", { enum: ["PENDING", "IGNORED"] }).notNull().default("PENDING"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("duplicate_pairs_pair_unique").on(t.contactAId, t.contactBId),
    // `id` breaks ties between equal scores, so the list pages on (score, id) straight from the index.
    index("duplicate_pairs_owner_status_idx").on(t.ownerId, t.status, t.score, t.id),
    index("duplicate_pairs_b_idx").on(t.contactBId),
  ],
);

export const exportFormats = ["csv", "json", "xlsx"] as const;

/** A large export, produced by a queue job into R2 and offered for download once READY. */
export const exportsTable = sqliteTable(
  "exports",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    entity: text("entity", { enum: ["contacts", "sessions"] }).notNull(),
    format: text("format", { enum: exportFormats }).notNull(),
    status: text("status", { enum: ["PENDING", "READY", "FAILED"] }).notNull().default("PENDING"),
    rowCount: integer("row_count"),
    size: integer("size"),
    r2Key: text("r2_key"),
    error: text("error"),
    expiresAt: timestamp("expires_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Ids are UUIDv7, so (owner_id, id) is also creation order: the list pages on it.
  (t) => [index("exports_owner_id_idx").on(t.ownerId, t.id), index("exports_expires_idx").on(t.expiresAt)],
);

// ───────────────────────────── Audit log ─────────────────────────────

export const auditActions = ["CREATE", "UPDATE", "DELETE", "MERGE"] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who is writing, set as the first statement of every tenant-data batch; the audit triggers read it and
 *  refuse (RAISE ABORT) a write made without it. Emptied by the batch's last statement. */
export const auditContext = sqliteTable("audit_context", {
  id: integer("id").primaryKey(),
  actorId: text("actor_id"),
  /** USER, SYSTEM (cron, queue), GUEST (public booking), CLIENT (portal) */
  actorType: text("actor_type").notNull(),
  requestId: text("request_id"),
});

/** Append-only trail of every create, update and delete of tenant data, written by SQLite triggers. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    /** Integer, increasing: the order of writes and the cursor. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    ownerId: text("owner_id").notNull(),
    actorId: text("actor_id"),
    actorType: text("actor_type").notNull(),
    action: text("action", { enum: auditActions }).notNull(),
    /** contact, session, tag, ... (the table name in the singular) */
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    /** JSON { field: { before, after } }; secrets are "[redacted]". */
    changes: text("changes", { mode: "json" }).$type<Record<string, { before: unknown; after: unknown }>>().notNull(),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_log_owner_seq_idx").on(t.ownerId, t.seq),
    index("audit_log_owner_entity_idx").on(t.ownerId, t.entityType, t.entityId, t.seq),
    // GET /api/audit?entityType= (without an id) and ?action=: each filter pages on seq from its own index.
    index("audit_log_owner_type_idx").on(t.ownerId, t.entityType, t.seq),
    index("audit_log_owner_action_idx").on(t.ownerId, t.action, t.seq),
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
  ],
);

export type Contact = typeof contacts.$inferSelect;
export type Tag = typeof tags.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Provider = typeof providers.$inferSelect;
export type FileRow = typeof files.$inferSelect;
