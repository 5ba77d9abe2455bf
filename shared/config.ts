import { z } from "zod";
import type { Env } from "./env";

const positiveInt = z.coerce.number().int().positive();

const ConfigSchema = z.object({
  environment: z.enum(["development", "production", "staging"]),
  appUrl: z.url(),
  /** The API's public origin: signed download links in emails point here. */
  apiUrl: z.url(),
  corsOrigins: z.array(z.string()),
  mailFrom: z.string().min(3),
  jwt: z.object({
    issuer: z.string().min(1),
    audience: z.string().min(1),
    secret: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
    previousSecret: z.string().min(32).optional(),
    accessTtlSeconds: positiveInt,
  }),
  refreshTtlDays: positiveInt,
  passwordResetTtlMinutes: positiveInt,
  emailVerificationTtlHours: positiveInt,
  passwordPepper: z.string().min(16, "PASSWORD_PEPPER must be at least 16 characters"),
  maxBodyBytes: positiveInt,
  maxUploadBytes: positiveInt,
  /** Largest file one multipart upload (the upload routes) may assemble. */
  maxMultipartUploadBytes: positiveInt,
  /** MIME types accepted for uploads, checked against each file's magic bytes. */
  uploadAllowedTypes: z.array(z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "must be a MIME type")).min(1),
  signedUrlTtlSeconds: positiveInt,
  /** ISO 3166 region for phone numbers typed without a country code, when the owner's country is unknown. */
  defaultPhoneRegion: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code"),
  /** Exports up to this many rows answer directly; larger ones run as a queue job into R2. */
  exportInlineMaxRows: positiveInt,
  importMaxRows: positiveInt,
  /** Largest CSV file one import reads (it is held in memory to be parsed). */
  importMaxBytes: positiveInt,
  socket: z.object({
    pingIntervalMs: positiveInt,
    pingTimeoutMs: positiveInt,
    maxPayloadBytes: positiveInt,
    eventsPerSecond: positiveInt,
  }),
  /** An offline participant gets at most one unread-messages digest per conversation per this period. */
  messageDigestQuietMinutes: positiveInt,
  booking: z.object({
    /** How long a guest's hold keeps a slot from others. */
    holdMinutes: positiveInt,
    /** Longest range one public availability request may cover. */
    maxRangeDays: positiveInt,
  }),
  billing: z.object({
    /** A quote created without `validUntil` stays valid this many days. */
    quoteValidDays: positiveInt,
    /** An invoice created without `dueDate` is due this many days after its issue date. */
    invoiceDueDays: positiveInt,
    /** Days between payment reminders of an overdue invoice, and how many are sent at most. */
    reminderIntervalDays: positiveInt,
    maxReminders: z.coerce.number().int().min(0),
  }),
  portal: z.object({
    /** The client portal page that links in emails open; the token is appended as `?token=`. */
    url: z.url(),
    /** Lifetime of a client access token. */
    tokenTtlHours: positiveInt,
  }),
  /** AES-GCM key sealing OAuth tokens at rest (32 bytes, base64url); without it nothing can be sealed. */
  tokenSealingKey: z.string().regex(/^[A-Za-z0-9_-]{43}=?$/, "TOKEN_SEALING_KEY must be 32 bytes, base64url").optional(),
  google: z.object({
    authUrl: z.url(),
    tokenUrl: z.url(),
    userinfoUrl: z.url(),
    calendarApiUrl: z.url(),
    revokeUrl: z.url(),
    /** How long the host's free/busy read from Google is reused. */
    calendarBusyCacheSeconds: positiveInt,
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
  }),
});

export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

/** Parses the Worker's vars and secrets once per env object; a misconfiguration throws with every problem listed. */
export function getConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = ConfigSchema.safeParse({
    environment: env.ENVIRONMENT,
    appUrl: env.APP_URL,
    apiUrl: env.API_URL,
    corsOrigins: (env.CORS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    mailFrom: env.MAIL_FROM,
    jwt: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      secret: env.JWT_SECRET,
      previousSecret: env.JWT_SECRET_PREVIOUS || undefined,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    },
    refreshTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    passwordResetTtlMinutes: env.PASSWORD_RESET_TTL_MINUTES,
    emailVerificationTtlHours: env.EMAIL_VERIFICATION_TTL_HOURS,
    passwordPepper: env.PASSWORD_PEPPER,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    maxMultipartUploadBytes: env.MAX_MULTIPART_UPLOAD_BYTES,
    uploadAllowedTypes: (env.UPLOAD_ALLOWED_TYPES ?? "")
      .split(",")
      .map((type) => type.trim())
      .filter(Boolean),
    signedUrlTtlSeconds: env.SIGNED_URL_TTL_SECONDS,
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    exportInlineMaxRows: env.EXPORT_INLINE_MAX_ROWS,
    importMaxRows: env.IMPORT_MAX_ROWS,
    importMaxBytes: env.IMPORT_MAX_BYTES,
    socket: {
      pingIntervalMs: env.SOCKET_PING_INTERVAL_MS,
      pingTimeoutMs: env.SOCKET_PING_TIMEOUT_MS,
      maxPayloadBytes: env.SOCKET_MAX_PAYLOAD_BYTES,
      eventsPerSecond: env.SOCKET_EVENTS_PER_SECOND,
    },
    messageDigestQuietMinutes: env.MESSAGE_DIGEST_QUIET_MINUTES,
    booking: { holdMinutes: env.BOOKING_HOLD_MINUTES, maxRangeDays: env.BOOKING_MAX_RANGE_DAYS },
    billing: {
      quoteValidDays: env.QUOTE_VALID_DAYS,
      invoiceDueDays: env.INVOICE_DUE_DAYS,
      reminderIntervalDays: env.INVOICE_REMINDER_INTERVAL_DAYS,
      maxReminders: env.INVOICE_MAX_REMINDERS,
    },
    portal: { url: env.PORTAL_URL, tokenTtlHours: env.CLIENT_ACCESS_TOKEN_TTL_HOURS || "72" },
    tokenSealingKey: env.TOKEN_SEALING_KEY || undefined,
    google: {
      authUrl: env.GOOGLE_AUTH_URL,
      tokenUrl: env.GOOGLE_TOKEN_URL,
      userinfoUrl: env.GOOGLE_USERINFO_URL,
      calendarApiUrl: env.GOOGLE_CALENDAR_API_URL,
      revokeUrl: env.GOOGLE_REVOKE_URL,
      calendarBusyCacheSeconds: env.CALENDAR_BUSY_CACHE_SECONDS,
      clientId: env.GOOGLE_CLIENT_ID || undefined,
      clientSecret: env.GOOGLE_CLIENT_SECRET || undefined,
    },
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid Worker configuration: ${problems.join("; ")}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
