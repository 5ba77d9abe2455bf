import { and, eq, inArray, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { notFound } from "@shared/lib/errors";
import type { Db } from "./client";

type OwnedTable = SQLiteTable & { id: SQLiteColumn; ownerId: SQLiteColumn };

/**
 * Checks that every id names a row of `ownerId` in `table`, before linking it to something: another tenant's
 * id answers 404 exactly like a missing one, and nothing gets linked. Ids are checked in chunks of 90
 * (D1 allows 100 bound parameters per query).
 */
export async function requireOwned(db: Db, table: OwnedTable, ownerId: string, ids: readonly string[], what: string): Promise<void> {
  const wanted = [...new Set(ids)];
  for (let i = 0; i < wanted.length; i += 90) {
    const chunk = wanted.slice(i, i + 90);
    const found = await db
      .select({ id: table.id })
      .from(table)
      .where(and(eq(table.ownerId, ownerId), inArray(table.id, chunk)));
    const seen = new Set(found.map((row) => row.id as string));
    const missing = chunk.find((id) => !seen.has(id));
    if (missing) throw notFound(`${what} ${missing}`);
  }
}

/**
 * `owner_id = ?` as a check only, never as the way in: for rows already found by their own key (the links of
 * a page of contacts), SQLite would otherwise pick an index that starts with owner_id and walk every row the
 * owner has. The unary `+` makes the term unusable for index selection while keeping the tenant filter.
 */
export const ownedBy = (column: SQLiteColumn, ownerId: string) => sql`+${column} = ${ownerId}`;
