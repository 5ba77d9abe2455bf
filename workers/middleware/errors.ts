import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError, toProblem, validationFailed } from "@shared/lib/errors";
import type { AppEnv } from "../router";

export function problemResponse(c: Context<AppEnv>, error: ApiError): Response {
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (error.extras.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.extras.retryAfterSeconds);
  return c.body(JSON.stringify(toProblem(error, c.get("requestId"), c.req.path)), error.status, headers);
}

function fromHttpException(error: HTTPException): ApiError {
  switch (error.status) {
    case 400:
      // Hono raises these when the body cannot be parsed (malformed JSON or form data): still a validation
      // failure, and API.md promises every one of those an `errors` list.
      return validationFailed([{ path: "body", message: error.message || "cannot be parsed" }], error.message || "The request is not valid");
    case 401:
      return new ApiError("UNAUTHORIZED", error.message || undefined);
    case 403:
      return new ApiError("FORBIDDEN", error.message || undefined);
    case 404:
      return new ApiError("NOT_FOUND", error.message || undefined);
    case 413:
      return new ApiError("PAYLOAD_TOO_LARGE", error.message || undefined);
    case 415:
      return new ApiError("UNSUPPORTED_MEDIA_TYPE", error.message || undefined);
    case 429:
      return new ApiError("RATE_LIMITED", error.message || undefined);
    default:
      return new ApiError("INTERNAL");
  }
}

/** RFC 9457 problems for everything; unknown exceptions become a bare 500 and a log line, never a stack. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ApiError) return problemResponse(c, error);
  if (error instanceof HTTPException && error.status < 500) return problemResponse(c, fromHttpException(error));
  console.error(
    JSON.stringify({
      level: "error",
      msg: "unhandled exception",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    }),
  );
  return problemResponse(c, new ApiError("INTERNAL", "An unexpected error occurred"));
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
