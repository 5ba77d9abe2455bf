import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Stable machine-readable error codes (API.md, "Errors"). */
export type ErrorCode =
  | "VALIDATION_FAILED"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "GONE"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  | "BAD_GATEWAY"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL";

const titles: Record<ErrorCode, string> = {
  VALIDATION_FAILED: "Validation failed",
  UNAUTHORIZED: "Unauthorized",
  FORBIDDEN: "Forbidden",
  NOT_FOUND: "Not found",
  CONFLICT: "Conflict",
  GONE: "Gone",
  PAYLOAD_TOO_LARGE: "Payload too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  RATE_LIMITED: "Too many requests",
  BAD_GATEWAY: "Bad gateway",
  SERVICE_UNAVAILABLE: "Service unavailable",
  INTERNAL: "Internal server error",
};

const statuses: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface FieldError {
  path: string;
  message: string;
}

/** A failure the client should see as an RFC 9457 problem. Services throw it; the error handler renders it. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extras: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail ?? titles[code]);
    this.status = statuses[code];
  }
}

export const notFound = (what = "Resource") => new ApiError("NOT_FOUND", `${what} not found`);
export const unauthorized = (detail = "Authentication required") => new ApiError("UNAUTHORIZED", detail);
export const conflict = (detail: string) => new ApiError("CONFLICT", detail);
export const validationFailed = (errors: FieldError[], detail = "The request is not valid") =>
  new ApiError("VALIDATION_FAILED", detail, { errors });

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
  requestId?: string;
  instance?: string;
  errors?: FieldError[];
}

export function problemType(code: ErrorCode): string {
  return `urn:lightbox:problem:${code.toLowerCase().replace(/_/g, "-")}`;
}

export function toProblem(error: ApiError, requestId?: string, instance?: string): ProblemDetails {
  return {
    type: problemType(error.code),
    title: titles[error.code],
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(instance ? { instance } : {}),
    ...(error.extras.errors ? { errors: error.extras.errors } : {}),
  };
}
