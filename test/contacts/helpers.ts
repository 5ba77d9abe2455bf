import { env } from "cloudflare:test";
import { and, asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { createDb } from "@shared/db/client";
import { auditLog } from "@shared/db/schema";
import { api } from "../support/http";

export const db = createDb(env.DB);

export async function newContact(token: string, json: Record<string, unknown>) {
  const res = await api("/api/contacts", { token, json });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; [key: string]: any };
}

export async function newTag(token: string, name: string, color?: string) {
  const res = await api("/api/tags", { token, json: { name, ...(color ? { color } : {}) } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; name: string; color: string | null };
}

export { allPages } from "../support/http";

export const auditRowsOf = (entityType: string, entityId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.seq));
