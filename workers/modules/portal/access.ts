// The gate of every portal request, API and page alike: rate limited per token and address (so one client
// cannot exhaust another's budget, and a venue sharing an address does not share one), then the token resolved.
// Failed lookups (401) are also counted per address (PORTAL_FAILURES_PER_IP): past the limit the address is
// refused every token, good ones included, for a minute, so it cannot go on guessing.
import type { Context } from "hono";
import { and, eq, gt } from "drizzle-orm";
import { authThrottles } from "@shared/db/schema";
import { ApiError } from "@shared/lib/errors";
import { clientIp, RATE_LIMIT_PERIOD_SECONDS, rateLimited } from "../../middleware/rate-limit";
import { depsOf, type AppEnv } from "../../router";
import { resolveClientToken, tokenHashOf, type ClientAccess } from "./tokens";

const failuresKey = (ip: string) => `portal-ip:${ip}`;

export async function portalAccess(c: Context<AppEnv>, token: string | undefined): Promise<ClientAccess> {
  const db = c.get("db");
  const ip = clientIp(c);
  const now = new Date();
  const [blocked] = await db
    .select({ blockedUntil: authThrottles.blockedUntil })
    .from(authThrottles)
    .where(and(eq(authThrottles.key, failuresKey(ip)), gt(authThrottles.blockedUntil, now)));
  if (blocked) throw rateLimited("Too many invalid links from this address, try again in a minute", Math.ceil((blocked.blockedUntil.getTime() - now.getTime()) / 1000));
  // The limiter is keyed by the token's hash: the secret itself never leaves this Worker.
  const { success } = await c.env.PORTAL_REQUESTS.limit({ key: `${await tokenHashOf(token)}:${ip}` });
  if (!success) throw rateLimited("Too many requests through this link, try again in a minute");
  // A portal answer is one client's private view: never cached by anyone, and the link never sent onwards.
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
  c.header("x-robots-tag", "noindex");
  try {
    return await resolveClientToken(depsOf(c), token, c.get("requestId") ?? null);
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHORIZED") {
      const { success: underLimit } = await c.env.PORTAL_FAILURES_PER_IP.limit({ key: ip });
      if (!underLimit) {
        const blockedUntil = new Date(now.getTime() + RATE_LIMIT_PERIOD_SECONDS * 1000);
        await db
          .insert(authThrottles)
          .values({ key: failuresKey(ip), blockedUntil })
          .onConflictDoUpdate({ target: authThrottles.key, set: { blockedUntil } });
        throw rateLimited("Too many invalid links from this address, try again in a minute");
      }
    }
    throw error;
  }
}

/** CORS: the portal API answers the portal page's own origin (PORTAL_URL) besides the configured ones. The
 *  token travels in the URL, not in cookies, so allowing that origin lends it no ambient credential. */
export function portalCaller(c: Context<AppEnv>, origin: string): boolean {
  if (!c.req.path.startsWith("/api/client-access")) return false;
  try {
    return new URL(c.get("config").portal.url).origin === origin;
  } catch {
    return false;
  }
}
