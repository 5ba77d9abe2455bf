import type { Context } from "hono";
import { ApiError } from "@shared/lib/errors";
import type { Env } from "@shared/env";
import type { AppEnv } from "../router";

/** Every limiter in wrangler.toml uses a 60-second period; the binding cannot report time left, so we
 *  answer with the whole period. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

export type LimiterName = "LOGIN_FAILURES_PER_IP" | "LOGIN_FAILURES_PER_ACCOUNT" | "REGISTRATIONS_PER_IP" | "PASSWORD_FORGOT_PER_IP" | "BOOKING_REQUESTS_PER_IP";

export const rateLimited = (detail = "Too many requests, try again later", retryAfterSeconds = RATE_LIMIT_PERIOD_SECONDS) =>
  new ApiError("RATE_LIMITED", detail, { retryAfterSeconds: Math.max(1, retryAfterSeconds) });

/** The caller's address as Cloudflare reports it. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "unknown";
}

/** Counts one hit for `key`; true while under the limit. */
export async function hit(env: Env, limiter: LimiterName, key: string): Promise<boolean> {
  const { success } = await env[limiter].limit({ key });
  return success;
}

/** Throws 429 when `key` is over `limiter`'s limit (each call counts). */
export async function enforce(env: Env, limiter: LimiterName, key: string): Promise<void> {
  if (!(await hit(env, limiter, key))) throw rateLimited();
}
