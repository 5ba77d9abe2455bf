import { z } from "@hono/zod-openapi";
import { auditActions } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";

export const AuditEntrySchema = z
  .object({
    id: z.string().openapi({ description: "Increasing sequence number of the write" }),
    ownerId: z.string(),
    actorType: z.enum(["USER", "SYSTEM", "GUEST", "CLIENT"]),
    actorId: z.string().nullable(),
    action: z.enum(auditActions),
    entityType: z.string().openapi({ example: "contact" }),
    entityId: z.string(),
    changes: z
      .record(z.string(), z.object({ before: z.unknown(), after: z.unknown() }))
      .openapi({ description: "Changed fields with their value before and after; secrets read \"[redacted]\"" }),
    requestId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("AuditEntry");

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }).openapi("AuditPage");

const entityFilters = {
  entityType: z.string().regex(/^[a-z_]{1,40}$/, "must be an entity type such as contact or session").optional(),
  entityId: z.string().min(1).max(100).optional(),
  action: z.enum(auditActions).optional(),
};

export const AuditQuerySchema = z.object({ ...entityFilters, limit: limitParam, cursor: z.string().optional() }).strict();

export const AdminAuditQuerySchema = AuditQuerySchema.extend({ ownerId: z.string().min(1).max(100).optional() }).strict();

/** `GET .../:id/history` of one entity: only paging. */
export const HistoryQuerySchema = z.object({ limit: limitParam, cursor: z.string().optional() }).strict();
