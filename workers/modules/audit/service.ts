import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@shared/db/client";
import { auditLog, users, type AuditAction } from "@shared/db/schema";
import { ApiError, notFound } from "@shared/lib/errors";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { AuditEntrySchema } from "./schemas";

type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface AuditFilter {
  /** Omitted only by the administrators' view across tenants. */
  ownerId?: string;
  entityType?: string;
  entityId?: string;
  action?: AuditAction;
}

const SeqCursor = z.tuple([z.number().int()]);

/** The query of one page of the trail, newest first (unexecuted: a test reads its plan). */
export function auditQuery(db: Db, filter: AuditFilter, limit: number, beforeSeq?: number) {
  const conditions: SQL[] = [];
  if (filter.ownerId) conditions.push(eq(auditLog.ownerId, filter.ownerId));
  if (filter.entityType) conditions.push(eq(auditLog.entityType, filter.entityType));
  if (filter.entityId) conditions.push(eq(auditLog.entityId, filter.entityId));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (beforeSeq !== undefined) conditions.push(lt(auditLog.seq, beforeSeq));
  return db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.seq))
    .limit(limit + 1);
}

/** The audit trail, newest first, paged on the write sequence; each owner filter is served by an index. */
export async function listAudit(db: Db, filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const rows = await auditQuery(db, filter, limit, cursor ? decodeCursor(cursor, SeqCursor)[0] : undefined);
  return toPage(rows, limit, (row) => [row.seq], toAuditEntry);
}

/**
 * The history of one entity of `ownerId`, newest first. It outlives the entity (a deleted contact's trail says
 * who deleted it), so it is found by its audit rows: no row for this owner is a 404 (`what` not found), for
 * another tenant's id exactly as for a made-up one.
 */
export async function entityHistory(db: Db, ownerId: string, entity: { type: string; id: string; what: string }, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const page = await listAudit(db, { ownerId, entityType: entity.type, entityId: entity.id }, limit, cursor);
  if (page.items.length === 0) {
    const [any] = await db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(eq(auditLog.ownerId, ownerId), eq(auditLog.entityType, entity.type), eq(auditLog.entityId, entity.id)))
      .limit(1);
    if (!any) throw notFound(entity.what);
  }
  return page;
}

export function toAuditEntry(row: typeof auditLog.$inferSelect): AuditEntry {
  return {
    id: String(row.seq),
    ownerId: row.ownerId,
    actorType: row.actorType as AuditEntry["actorType"],
    actorId: row.actorId,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    changes: row.changes,
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The administrators' view is refused to everyone else; the role is read from D1, not from the token. */
export async function requireAdmin(db: Db, userId: string): Promise<void> {
  const [user] = await db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  if (user?.role !== "ADMIN") throw new ApiError("FORBIDDEN", "Administrators only");
}
