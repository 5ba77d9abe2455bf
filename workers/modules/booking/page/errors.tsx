import type { ErrorHandler } from "hono";
import { ApiError } from "@shared/lib/errors";
import { apiErrorOf } from "../../../middleware/errors";
import type { AppEnv } from "../../../router";
import { ErrorPage } from "./layout";

/** What a guest reads for each failure; the API's wording is written for programs, not for them. */
const PAGES: Partial<Record<ApiError["code"], { title: string; message?: string }>> = {
  NOT_FOUND: { title: "Page not found" },
  GONE: { title: "This booking can no longer be changed", message: "It was cancelled, declined, or has already taken place." },
  PAYLOAD_TOO_LARGE: { title: "That form is too large", message: "Please shorten your message and try again." },
  RATE_LIMITED: { title: "Too many requests", message: "Please wait a minute and try again." },
  VALIDATION_FAILED: { title: "Something in that request is not right", message: "Please go back and try again." },
};

/** Somewhere useful to go from the error: the booking itself, or the same page once more. */
function linkFor(method: string, path: string, status: number) {
  const manage = path.match(/^\/book\/manage\/[^/]+/)?.[0];
  if (status === 410 && manage) return { href: manage, label: "See your booking" };
  if (method === "GET" && status >= 429) return { href: path, label: "Try again" };
  return undefined;
}

/**
 * Pages fail as pages, with the right status: a 404 for an unknown or closed booking page, a 410 for a spent
 * link. Unknown exceptions are logged like the API's and shown as a plain apology, never a stack.
 */
export const renderError: ErrorHandler<AppEnv> = async (error, c) => {
  const apiError = apiErrorOf(error, c);
  const page = PAGES[apiError.code] ?? { title: "Something went wrong", message: "Please try again in a moment." };
  const message = page.message ?? apiError.detail ?? "";
  c.header("cache-control", "no-store");
  if (apiError.extras.retryAfterSeconds !== undefined) c.header("retry-after", String(apiError.extras.retryAfterSeconds));
  const status = apiError.status;
  const html = await (<ErrorPage title={page.title} message={message} link={linkFor(c.req.method, c.req.path, status)} />);
  return c.html(`<!doctype html>${html}`, status);
};
