import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { ApiError } from "@shared/lib/errors";
import { jsonResponse, ProblemSchema } from "../../openapi";
import { createRouter } from "../../router";

export const healthRoutes = createRouter();

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["Platform"],
    summary: "Liveness and database check",
    responses: {
      200: jsonResponse(z.object({ status: z.literal("ok") }).openapi("Health"), "The Worker and D1 answer"),
      503: { description: "D1 does not answer", content: { "application/problem+json": { schema: ProblemSchema } } },
    },
  }),
  async (c) => {
    try {
      await c.get("db").run(sql`SELECT 1`);
    } catch (error) {
      console.error(JSON.stringify({ level: "error", msg: "health: D1 failed", error: String(error) }));
      throw new ApiError("SERVICE_UNAVAILABLE", "The database does not answer");
    }
    return c.json({ status: "ok" as const }, 200);
  },
);
