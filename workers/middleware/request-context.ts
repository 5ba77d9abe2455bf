import { createMiddleware } from "hono/factory";
import { getConfig } from "@shared/config";
import { createDb } from "@shared/db/client";
import type { AppEnv } from "../router";
import { loggablePath } from "@shared/lib/text";

/**
 * One structured JSON log line per request. It must be the outermost middleware after the request id:
 * Hono turns an error into its problem response at the layer that threw, so only a layer outside that one
 * sees the final status.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  console.log(
    JSON.stringify({
      level: c.res.status >= 500 ? "error" : "info",
      msg: "request",
      method: c.req.method,
      path: loggablePath(c.req.path),
      status: c.res.status,
      durationMs: Date.now() - started,
      userId: c.get("userId") ?? null,
      requestId: c.get("requestId"),
    }),
  );
});

/** Parsed configuration and the database client for every handler. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  c.set("config", getConfig(c.env));
  c.set("db", createDb(c.env.DB));
  await next();
});
