import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { createDb } from "@shared/db/client";
import { auditLog } from "@shared/db/schema";
import { api, type ApiResponse } from "../support/http";

export const db = createDb(env.DB);

async function created(path: string, token: string, json: unknown): Promise<any> {
  const res = await api(path, { token, json });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export const createContact = (token: string, firstName = "Alice", extra: Record<string, unknown> = {}) =>
  created("/api/contacts", token, { firstName, ...extra });
export const createTag = (token: string, name = `Tag ${crypto.randomUUID().slice(0, 8)}`) => created("/api/tags", token, { name });
export const createProvider = (token: string, json: Record<string, unknown> = { name: "Sam Second" }) => created("/api/providers", token, json);
export const createSession = (token: string, json: Record<string, unknown> = { title: "Shoot" }) => created("/api/sessions", token, json);

export const patchSession = (token: string, id: string, json: unknown) => api(`/api/sessions/${id}`, { method: "PATCH", token, json });

/** The audit rows of one entity, oldest first. */
export const auditOf = (entityType: string, entityId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(auditLog.seq);

/** Every item of a paginated list, following nextCursor; checks each page's size along the way. */
export async function readAll(path: string, token: string, limit: number): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const res: ApiResponse = await api(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    if (res.body.nextCursor) expect(res.body.items.length).toBe(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error("too many pages");
}
