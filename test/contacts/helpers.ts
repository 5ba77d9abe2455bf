import { env } from "cloudflare:test";
import { and, asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { createDb } from "@shared/db/client";
import { auditLog } from "@shared/db/schema";
import { api, type ApiResponse } from "../support/http";

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

/** Every page of a list, following nextCursor; fails on a cursor loop. */
export async function allPages(token: string, path: string) {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const res: ApiResponse = await api(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token });
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error("pagination did not end");
}

export const auditRowsOf = (entityType: string, entityId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.seq));
