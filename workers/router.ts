import { OpenAPIHono, type Hook } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import type { Actor } from "@shared/db/audited";
import type { Env } from "@shared/env";
import type { AccessTokenClaims } from "@shared/lib/jwt";
import { validationFailed } from "@shared/lib/errors";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    db: Db;
    /** Set by `requireAuth` on authenticated routes. */
    auth: AccessTokenClaims;
    /** Set once known, for the request log line. */
    userId?: string;
  };
}

const where: Record<string, string> = { json: "body", query: "query", param: "path", header: "header", form: "body" };

/** zod failures on any request part become one 400 VALIDATION_FAILED problem listing every field. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const location = where[result.target] ?? result.target;
  const path = (...parts: PropertyKey[]) => [location, ...parts.map(String)].join(".");
  throw validationFailed(
    result.error.issues.flatMap((issue) =>
      // An unknown field is reported at its own path, so a client sees `body.role: is not allowed`.
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ path: path(...issue.path, key), message: "is not an allowed field" }))
        : [{ path: path(...issue.path), message: issue.message }],
    ),
  );
};

/** Every module's sub-app: typed env, validation failures rendered as problems. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** What services need from a request: bindings, the database, the parsed configuration, and who is acting
 *  (recorded by the audit log with every write; see shared/db/audited.ts). */
export interface ServiceDeps {
  env: Env;
  db: Db;
  config: Config;
  actor: Actor;
}

export const depsOf = (c: Context<AppEnv>): ServiceDeps => {
  const auth = c.get("auth") as AppEnv["Variables"]["auth"] | undefined;
  return {
    env: c.env,
    db: c.get("db"),
    config: c.get("config"),
    actor: { type: auth ? "USER" : "GUEST", id: auth?.sub ?? null, requestId: c.get("requestId") ?? null },
  };
};
