import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError } from "@shared/lib/errors";
import type { AppEnv } from "../router";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
const ACCEPTED = (mediaType: string) => JSON_TYPE.test(mediaType) || mediaType === "multipart/form-data";
// Multipart upload parts are raw bytes (R2 needs each part's exact length): octet-stream is accepted there
// alone, and the route bounds the size itself (files/multipart.ts).
const RAW_BYTES_ROUTE = /^\/api\/uploads\/[^/]+\/parts\/[^/]+$/;

/**
 * Request bodies: at most MAX_BODY_BYTES (counted while streaming, so a missing or lying Content-Length does
 * not help), and JSON unless the route takes an upload.
 */
export const bodyGuard = createMiddleware<AppEnv>(async (c, next) => {
  const hasBody =
    c.req.raw.body !== null && (c.req.header("content-length") !== "0" || c.req.header("transfer-encoding"));
  if (hasBody && !["GET", "HEAD"].includes(c.req.method)) {
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (c.req.method === "PUT" && RAW_BYTES_ROUTE.test(c.req.path)) {
      if (mediaType === "application/octet-stream") return next();
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the part's bytes as application/octet-stream");
    }
    if (!ACCEPTED(mediaType)) {
      throw new ApiError(
        "UNSUPPORTED_MEDIA_TYPE",
        mediaType ? `Content-Type ${mediaType} is not accepted: send application/json` : "Content-Type is missing: send application/json",
      );
    }
    if (mediaType !== "multipart/form-data") {
      const maxSize = c.get("config").maxBodyBytes;
      return bodyLimit({
        maxSize,
        onError: () => {
          throw new ApiError("PAYLOAD_TOO_LARGE", `The request body exceeds ${maxSize} bytes`);
        },
      })(c, next);
    }
  }
  await next();
});
