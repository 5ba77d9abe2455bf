import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError, validationFailed } from "@shared/lib/errors";
import { checkDownload, type LinkCheck } from "../modules/files/signed-url";
import type { AppEnv } from "../router";
import { requireAuth } from "./auth";

/**
 * Downloads that take either the bearer token or a signed link (`?expires=<unix seconds>&signature=<hex>`,
 * modules/files/signed-url.ts), for file links and for the export links sent by email. A route declares
 * `tokenUnlessSigned` as its middleware and calls `downloadAccess` in its handler: the link is checked there,
 * once the query has been validated, so a malformed `expires` is a 400 rather than a forged link.
 */

/** A request carrying any part of a signed link goes on for the handler to check it; any other needs the token. */
export const tokenUnlessSigned = createMiddleware<AppEnv>((c, next) =>
  c.req.query("signature") !== undefined || c.req.query("expires") !== undefined ? next() : requireAuth(c, next),
);

export type DownloadAccess = { signedLink: true } | { signedLink: false; userId: string };

const fileLinkMessages: Record<Exclude<LinkCheck, "valid">, string> = {
  expired: "This download link has expired",
  invalid: "This download link is not valid",
};

/**
 * Who may download, behind `tokenUnlessSigned`: a valid link for `subject` (the signed message's id), or else
 * the token's user. A link missing one of its parts is a 400 naming it; a forged or expired one is a 403 FORBIDDEN
 * whatever token comes with it.
 */
export async function downloadAccess(
  c: Context<AppEnv>,
  subject: string,
  query: { expires?: number | undefined; signature?: string | undefined },
  messages = fileLinkMessages,
): Promise<DownloadAccess> {
  const { expires, signature } = query;
  if (expires === undefined && signature === undefined) return { signedLink: false, userId: c.get("auth").sub };
  if (expires === undefined || !signature) {
    throw validationFailed([{ path: `query.${signature ? "expires" : "signature"}`, message: "is required with a signed link" }]);
  }
  const check = await checkDownload(c.get("config").jwt, subject, expires, signature, new Date());
  if (check !== "valid") throw new ApiError("FORBIDDEN", messages[check]);
  return { signedLink: true };
}
