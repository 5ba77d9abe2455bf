import { createMiddleware } from "hono/factory";
import { unauthorized } from "@shared/lib/errors";
import { AccessTokenError, verifyAccessToken } from "@shared/lib/jwt";
import type { AppEnv } from "../router";

/** Requires `Authorization: Bearer <access token>`; sets `auth` (the verified claims) and `userId`. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw unauthorized(header ? "Authorization header must be 'Bearer <token>'" : "Missing bearer token");
  try {
    const claims = await verifyAccessToken(c.get("config").jwt, match[1]!);
    c.set("auth", claims);
    c.set("userId", claims.sub);
  } catch (error) {
    if (error instanceof AccessTokenError) throw unauthorized("Invalid or expired access token");
    throw error;
  }
  await next();
});
