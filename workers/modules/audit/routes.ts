import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonResponse, problems } from "../../openapi";
import { createRouter } from "../../router";
import { AdminAuditQuerySchema, AuditPageSchema, AuditQuerySchema } from "./schemas";
import { listAudit, requireAdmin } from "./service";

const tags = ["Audit"];
// Mounted at /api (the two paths live in different trees), so auth is declared per route, not with use("*").
export const auditRoutes = createRouter();

auditRoutes.openapi(
  createRoute({
    method: "get",
    path: "/audit",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Your audit trail: every create, update and delete of your data, newest first",
    request: { query: AuditQuerySchema },
    responses: { 200: jsonResponse(AuditPageSchema, "A page of audit entries"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    return c.json(await listAudit(c.get("db"), { ...filter, ownerId: c.get("auth").sub }, limit, cursor), 200);
  },
);

auditRoutes.openapi(
  createRoute({
    method: "get",
    path: "/admin/audit",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Administrators: the audit trail across every account",
    request: { query: AdminAuditQuerySchema },
    responses: {
      200: jsonResponse(AuditPageSchema, "A page of audit entries"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
    },
  }),
  async (c) => {
    await requireAdmin(c.get("db"), c.get("auth").sub);
    const { limit, cursor, ...filter } = c.req.valid("query");
    return c.json(await listAudit(c.get("db"), filter, limit, cursor), 200);
  },
);
