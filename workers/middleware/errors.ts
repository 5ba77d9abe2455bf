import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError, toProblem, validationFailed, type ErrorCode } from "@shared/lib/errors";
import type { AppEnv } from "../router";
import { loggablePath } from "@shared/lib/text";

export function problemResponse(c: Context<AppEnv>, error: ApiError): Response {
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (error.extras.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.extras.retryAfterSeconds);
  return c.body(JSON.stringify(toProblem(error, c.get("requestId"), c.req.path)), error.status, headers);
}

const codeOfStatus: Partial<Record<number, ErrorCode>> = {
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
};

function fromHttpException(error: HTTPException): ApiError {
  const detail = error.message || undefined;
  // Hono raises a 400 when the body cannot be parsed (malformed JSON or form data): still a validation
  // failure, and API.md promises every one of those an `errors` list.
  if (error.status === 400) return validationFailed([{ path: "body", message: detail ?? "cannot be parsed" }], detail ?? "The request is not valid");
  const code = codeOfStatus[error.status];
  return code ? new ApiError(code, detail) : new ApiError("INTERNAL");
}

/**
 * What any failure means to the client: an ApiError as it is, a Hono 4xx as the matching ApiError, and anything
 * else a bare INTERNAL plus a log line (never a stack to the client). The API and the HTML pages share it.
 */
export function apiErrorOf(error: unknown, c: Context<AppEnv>): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException && error.status < 500) return fromHttpException(error);
  console.error(
    JSON.stringify({
      level: "error",
      msg: "unhandled exception",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: loggablePath(c.req.path),
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    }),
  );
  return new ApiError("INTERNAL", "An unexpected error occurred");
}

/** RFC 9457 problems for everything. */
export const onError: ErrorHandler<AppEnv> = (error, c) => problemResponse(c, apiErrorOf(error, c));

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
