import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts } from "@shared/db/schema";
import { mergeStatements } from "../../workers/modules/duplicates/merge";
import { storedPairsQuery } from "../../workers/modules/duplicates/service";
import { register } from "../support/http";
import { db, depsFor, insertContacts } from "./helpers";

// Tenant discipline of the queries that find rows by their own key: every table they read or write is filtered
// on owner_id, and that filter is never the way in (SQLite would walk every row of the owner through an index
// starting with owner_id, as it did for contact_tags and duplicate_pairs).

type Query = { toSQL(): { sql: string; params: unknown[] } };

async function planOf(query: Query) {
  const { sql, params } = query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return { sql, details: results.map((row) => row.detail) };
}

/** The tables (by alias when aliased) a statement reads or writes that have no owner_id term of their own. */
function unfiltered(sql: string): string[] {
  const names = [...sql.matchAll(/(?:from|update|join) "(\w+)"(?: "(\w+)")?/gi)].map((m) => m[2] ?? m[1]!);
  return [...new Set(names)].filter((name) => !new RegExp(`"${name}"\\."owner_id" = \\?`).test(sql));
}

/** Plan steps that reach rows through the owner alone, or read a whole table. */
function ownerWalks(details: string[]): string[] {
  return details.filter(
    (d) =>
      /\(owner_id=\?\)$/.test(d) || (/^SCAN /.test(d) && d !== "SCAN CONSTANT ROW"),
  );
}

describe("owner checks of the duplicates module", () => {
  it("every statement of a merge filters each table on owner_id and reaches rows through their keys", async () => {
    const { user } = await register();
    const [a, b] = await insertContacts(user.id, [
      { firstName: "Anna", email: "anna@studio.example" },
      { firstName: "Anna", lastName: "Alpha", email: "anna@studio.example", phone: "+33 6 12 34 56 78" },
    ]);
    const [kept] = await db.select().from(contacts).where(eq(contacts.id, a!));
    const [removed] = await db.select().from(contacts).where(eq(contacts.id, b!));
    const statements = mergeStatements(depsFor(user.id), user.id, "pair-id", kept!, { ...removed!, notes: "Met at the fair" });
    // The fill, five moves of links, files and uploads, the bookings, the quotes, invoices, portal links, portal
    // messages and scheduled emails, two of pairs, the history, the MERGE row, the delete.
    expect(statements).toHaveLength(18);
    for (const statement of statements) {
      const { sql, details } = await planOf(statement as unknown as Query);
      expect(unfiltered(sql), sql).toEqual([]);
      expect(ownerWalks(details), `${sql}\n${details.join("\n")}`).toEqual([]);
    }
  });

  it("detection looks its proposals up through duplicate_pairs_pair_unique, owner checked", async () => {
    const { user } = await register();
    const pairs = Array.from({ length: 45 }, (_, i) => ({ a: `a${i}`, b: `b${i}` }));
    const { sql, details } = await planOf(storedPairsQuery(depsFor(user.id), user.id, pairs));
    expect(unfiltered(sql)).toEqual([]);
    expect(ownerWalks(details), details.join("\n")).toEqual([]);
    expect(details.filter((d) => d.startsWith("SEARCH")).every((d) => d.includes("duplicate_pairs_pair_unique (contact_a_id=? AND contact_b_id=?)")), details.join("\n")).toBe(true);
  });
});
