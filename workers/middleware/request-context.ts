import { createMiddleware } from "hono/factory";
import { getConfig } from "@shared/config";
import { createDb } from "@shared/db/client";
import type { AppEnv } from "../router";

/** Config and db for every handler, and one structured JSON log line per request. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  try {
    c.set("config", getConfig(c.env));
    c.set("db", createDb(c.env.DB));
    await next();
  } finally {
    console.log(
      JSON.stringify({
        level: c.res.status >= 500 ? "error" : "info",
        msg: "request",
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Date.now() - started,
        userId: c.get("userId") ?? null,
        requestId: c.get("requestId"),
      }),
    );
  }
});
