import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, timestamp } from "./columns";

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
    /** The studio's logo, shown on quotes and invoices: R2 key `<userId>/branding/logo` and its detected type. */
    logoKey: text("logo_key"),
    logoContentType: text("logo_content_type"),
    /** Free text printed at the foot of invoices: bank account, payment terms. */
    paymentDetails: text("payment_details"),
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

export const oneTimeTokenPurposes = ["PASSWORD_RESET", "EMAIL_VERIFICATION", "GOOGLE_LOGIN", "CALENDAR_CONNECT"] as const;
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

/** PKCE verifier of a Google authorization in progress (sign-in, or a host connecting their calendar), keyed
 *  by the hash of its `state`. A callback only spends a state of its own purpose. */
export const oauthStates = sqliteTable(
  "oauth_states",
  {
    stateHash: text("state_hash").primaryKey(),
    codeVerifier: text("code_verifier").notNull(),
    purpose: text("purpose", { enum: ["SIGN_IN", "CALENDAR"] }).notNull().default("SIGN_IN"),
    /** CALENDAR: the signed-in user connecting their calendar (no foreign key: states expire in minutes and
     *  must never hold up an account's deletion). */
    userId: text("user_id"),
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

// The CRM's tables and the audit log: every table of a studio's own data.
export * from "./crm-schema";

// Conversations, messages and notifications: rows shared between users, not owned by one studio.
export * from "./messaging-schema";

// Availability, booking settings, bookings, holds and calendar connections.
export * from "./booking-schema";

// Quotes, invoices, payments, PDFs and their deliveries.
export * from "./billing-schema";

// Email templates, scheduled emails and the client portal.
export * from "./client-schema";
