import { env } from "cloudflare:test";
import { expect } from "vitest";
import { createDb } from "@shared/db/client";
import { api, register, type Account, type ApiResponse } from "../support/http";

export const db = createDb(env.DB);

/** `count` fresh accounts, registered one after another (each with a first name of its own). */
export async function accounts(count: number): Promise<Account[]> {
  const made: Account[] = [];
  for (let i = 0; i < count; i++) made.push(await register({ firstName: `User${i}`, lastName: `Tester${i}` }));
  return made;
}

export async function newConversation(token: string, participantIds: string[], title?: string | null) {
  const res = await api("/api/conversations", { token, json: { participantIds, ...(title !== undefined ? { title } : {}) } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; [key: string]: any };
}

export async function send(token: string, conversationId: string, content: string) {
  const res = await api(`/api/conversations/${conversationId}/messages`, { token, json: { content } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; conversationId: string; senderId: string; content: string; createdAt: string; editedAt: string | null };
}

export async function conversation(token: string, id: string) {
  const res = await api(`/api/conversations/${id}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body as { id: string; unreadCount: number; lastMessage: any; [key: string]: any };
}

/** Every message of a conversation, newest first, following `nextCursor` as `before`. */
export async function wholeHistory(token: string, id: string, limit: number): Promise<any[]> {
  const items: any[] = [];
  let before: string | null = null;
  for (let pages = 0; pages < 500; pages++) {
    const res: ApiResponse = await api(`/api/conversations/${id}/messages?limit=${limit}${before ? `&before=${before}` : ""}`, { token });
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.items);
    before = res.body.nextCursor;
    if (!before) return items;
  }
  throw new Error("history paging did not end");
}

/** The plan SQLite picks for the exact statement (same SQL, same bound values). */
export async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}
