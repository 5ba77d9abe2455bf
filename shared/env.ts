import type { JobMessage } from "./contracts/jobs";

/** Every binding, var and secret of the Worker. wrangler.toml declares the bindings and vars;
 *  secrets come from `wrangler secret put` (or `.dev.vars` locally). */
export interface Env {
  // Bindings
  DB: D1Database;
  FILES: R2Bucket;
  JOBS: Queue<JobMessage>;
  EMAIL: SendEmail;
  BROWSER: Fetcher;
  LOGIN_FAILURES_PER_IP: RateLimit;
  LOGIN_FAILURES_PER_ACCOUNT: RateLimit;
  REGISTRATIONS_PER_IP: RateLimit;
  PASSWORD_FORGOT_PER_IP: RateLimit;
  BOOKING_REQUESTS_PER_IP: RateLimit;
  PORTAL_REQUESTS: RateLimit;
  PORTAL_FAILURES_PER_IP: RateLimit;
  REPORTS_PER_USER: RateLimit;
  SOCKETS: DurableObjectNamespace<import("../durable-objects/socket-connection").SocketConnection>;
  USER_HUBS: DurableObjectNamespace<import("../durable-objects/user-hub").UserHub>;
  BOOKING_LOCKS: DurableObjectNamespace<import("../durable-objects/booking-lock").BookingLock>;
  PDF_RENDERERS: DurableObjectNamespace<import("../durable-objects/pdf-renderer").PdfRenderer>;

  // Vars (strings in wrangler.toml, parsed and checked by shared/config.ts)
  ENVIRONMENT: string;
  APP_URL: string;
  API_URL: string;
  CORS_ORIGINS: string;
  MAIL_FROM: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  ACCESS_TOKEN_TTL_SECONDS: string;
  REFRESH_TOKEN_TTL_DAYS: string;
  PASSWORD_RESET_TTL_MINUTES: string;
  EMAIL_VERIFICATION_TTL_HOURS: string;
  MAX_BODY_BYTES: string;
  MAX_UPLOAD_BYTES: string;
  MAX_MULTIPART_UPLOAD_BYTES: string;
  UPLOAD_ALLOWED_TYPES: string;
  SIGNED_URL_TTL_SECONDS: string;
  DEFAULT_PHONE_REGION: string;
  EXPORT_INLINE_MAX_ROWS: string;
  IMPORT_MAX_ROWS: string;
  IMPORT_MAX_BYTES: string;
  SOCKET_PING_INTERVAL_MS: string;
  SOCKET_PING_TIMEOUT_MS: string;
  SOCKET_MAX_PAYLOAD_BYTES: string;
  SOCKET_EVENTS_PER_SECOND: string;
  MESSAGE_DIGEST_QUIET_MINUTES: string;
  BOOKING_HOLD_MINUTES: string;
  BOOKING_MAX_RANGE_DAYS: string;
  GOOGLE_AUTH_URL: string;
  GOOGLE_TOKEN_URL: string;
  GOOGLE_USERINFO_URL: string;
  GOOGLE_CALENDAR_API_URL: string;
  GOOGLE_REVOKE_URL: string;
  CALENDAR_BUSY_CACHE_SECONDS: string;
  QUOTE_VALID_DAYS: string;
  INVOICE_DUE_DAYS: string;
  INVOICE_REMINDER_INTERVAL_DAYS: string;
  INVOICE_MAX_REMINDERS: string;
  PORTAL_URL: string;
  /** Optional (default 72). */
  CLIENT_ACCESS_TOKEN_TTL_HOURS?: string;

  // Secrets
  JWT_SECRET: string;
  /** Optional: the previous signing secret, still accepted for verification during a rotation. */
  JWT_SECRET_PREVIOUS?: string;
  PASSWORD_PEPPER: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  /** Optional: AES-GCM key (32 random bytes, base64url) sealing OAuth tokens at rest; without it calendar connect answers 503. */
  TOKEN_SEALING_KEY?: string;
}
