// The plan SQLite picks for the exact statement a service runs (same SQL, same bound values), one step per line:
// query-plan tests assert it searches an index and never scans a tenant table.
import { env } from "cloudflare:test";

export async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
  const { sql, params } = query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail).join("\n");
}
