// Document numbers, Q-2026-0001 and F-2026-0001: sequential per owner, series and year (the year in the
// owner's zone), never shared and never skipped. The counter row is bumped by the first statement of the very
// batch that inserts the document, and the insert reads its number back from that row: batches run one at a
// time and all or nothing, so concurrent creations get consecutive numbers and a batch that fails (a constraint
// on the insert) gives its number back by rolling the bump back with it.
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { documentCounters } from "@shared/db/schema";

export type Series = (typeof documentCounters.$inferSelect)["series"];

export const SERIES_PREFIX: Record<Series, string> = { QUOTE: "Q", INVOICE: "F" };

/** `Q-2026-0001`; past 9999 the sequence simply takes more digits (`Q-2026-10000`). */
export const formatNumber = (series: Series, year: number, sequence: number) => `${SERIES_PREFIX[series]}-${year}-${String(sequence).padStart(4, "0")}`;

export interface NumberAllocation {
  /** Goes in the batch right before the insert. */
  bump: ReturnType<typeof bumpCounter>;
  /** The insert's `sequence` and `number` values, read from the bumped counter. */
  sequence: SQL<number>;
  number: SQL<string>;
}

const bumpCounter = (db: Db, userId: string, series: Series, year: number) =>
  db
    .insert(documentCounters)
    .values({ userId, series, year, lastNumber: 1 })
    .onConflictDoUpdate({
      target: [documentCounters.userId, documentCounters.series, documentCounters.year],
      set: { lastNumber: sql`${documentCounters.lastNumber} + 1` },
    });

export function allocateNumber(db: Db, userId: string, series: Series, year: number): NumberAllocation {
  const current = sql<number>`(SELECT ${documentCounters.lastNumber} FROM ${documentCounters} WHERE ${and(
    eq(documentCounters.userId, userId),
    eq(documentCounters.series, series),
    eq(documentCounters.year, year),
  )})`;
  return {
    bump: bumpCounter(db, userId, series, year),
    sequence: current,
    number: sql<string>`${`${SERIES_PREFIX[series]}-${year}-`} || printf('%04d', ${current})`,
  };
}
