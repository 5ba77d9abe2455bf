import { and, eq, inArray } from "drizzle-orm";
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
