import { getTableColumns, sql, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

// Bulk inserts as `INSERT ... SELECT ... FROM json_each(?)`: one bound parameter carries hundreds of rows.
// A row-per-VALUES insert stays under D1's 100 bound parameters only a few rows at a time, and D1 counts
// every statement of a batch against the per-invocation query limit, so an import of 10,000 contacts
// would need thousands of statements. Here it needs a handful.

/** Largest JSON text per statement: well under D1's 2 MB limit for one value. */
const MAX_CHUNK_BYTES = 900_000;

/**
 * The SELECTs that insert `rows` into `table`, chunked by size. Values are converted exactly as drizzle's
 * own inserts convert them (dates to milliseconds, json columns to text). Columns missing from a row are
 * NULL, so every NOT NULL column needs a value (database defaults do not apply to INSERT ... SELECT).
 */
export function jsonRowSelects<T extends SQLiteTable>(table: T, rows: readonly Partial<T["$inferInsert"]>[]): SQL[] {
  const columns = Object.entries(getTableColumns(table));
  const select = sql.raw(columns.map(([key]) => `json_extract(value, '$.${key}')`).join(", "));
  const encoded = rows.map((row) => {
    const values: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = (row as Record<string, unknown>)[key];
      if (value !== undefined && value !== null) values[key] = column.mapToDriverValue(value);
    }
    return JSON.stringify(values);
  });
  // `WHERE true`: SQLite cannot parse INSERT ... SELECT ... ON CONFLICT without a WHERE (the ON is ambiguous).
  return jsonArrays(encoded).map((array) => sql`SELECT ${select} FROM json_each(${array}) WHERE true`);
}

/** JSON array texts holding the already-encoded `items`, each at most MAX_CHUNK_BYTES long. */
export function jsonArrays(items: readonly string[], maxBytes = MAX_CHUNK_BYTES): string[] {
  const arrays: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length && size + item.length > maxBytes) arrays.push(`[${current.join(",")}]`), (current = []), (size = 0);
    current.push(item);
    size += item.length + 1;
  }
  if (current.length) arrays.push(`[${current.join(",")}]`);
  return arrays;
}
