import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import { contacts, duplicatePairs } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import type { DuplicateListQueryInput, DuplicatePairDto, DuplicateStatus } from "./schemas";

// Reviewing the pairs detection proposed: the list, and ignoring a pair (merging is in merge.ts).

const contactA = alias(contacts, "contact_a");
const contactB = alias(contacts, "contact_b");
const summaryOf = (c: typeof contactA | typeof contactB) => ({
  id: c.id,
  firstName: c.firstName,
  lastName: c.lastName,
  email: c.email,
  phone: c.phone,
  phoneE164: c.phoneE164,
  company: c.company,
  createdAt: c.createdAt,
});

/** Pairs of `ownerId` with both contacts' summaries (contacts_id_unique serves both joins). */
const pairRows = (deps: ServiceDeps, ownerId: string, ...conditions: (SQL | undefined)[]) =>
  deps.db
    .select({
      pair: { id: duplicatePairs.id, reason: duplicatePairs.reason, score: duplicatePairs.score, status: duplicatePairs.status, createdAt: duplicatePairs.createdAt, updatedAt: duplicatePairs.updatedAt },
      a: summaryOf(contactA),
      b: summaryOf(contactB),
    })
    .from(duplicatePairs)
    .innerJoin(contactA, eq(contactA.id, duplicatePairs.contactAId))
    .innerJoin(contactB, eq(contactB.id, duplicatePairs.contactBId))
    .where(and(eq(duplicatePairs.ownerId, ownerId), ...conditions));

type PairRow = Awaited<ReturnType<typeof pairRows>>[number];

const contactDto = (c: PairRow["a"]) => ({ ...c, createdAt: c.createdAt.toISOString() });

const toPairDto = ({ pair, a, b }: PairRow): DuplicatePairDto => ({
  ...pair,
  contacts: [contactDto(a), contactDto(b)],
  createdAt: pair.createdAt.toISOString(),
  updatedAt: pair.updatedAt.toISOString(),
});

const CursorShape = z.tuple([z.number(), z.string()]);

/**
 * The list query, unexecuted (a test reads its plan): pairs by descending score, then id, after the cursor's
 * (score, id). duplicate_pairs_owner_status_idx (owner_id, status, score, id) serves filter, order and keyset
 * alike. Fetches `limit + 1` rows to know whether a next page exists.
 */
export function duplicateListQuery(deps: ServiceDeps, ownerId: string, status: DuplicateStatus, limit: number, after?: [number, string]) {
  return pairRows(deps, ownerId, eq(duplicatePairs.status, status), after ? sql`(${duplicatePairs.score}, ${duplicatePairs.id}) < (${after[0]}, ${after[1]})` : undefined)
    .orderBy(desc(duplicatePairs.score), desc(duplicatePairs.id))
    .limit(limit + 1);
}

export async function listDuplicates(deps: ServiceDeps, ownerId: string, query: DuplicateListQueryInput): Promise<Page<DuplicatePairDto>> {
  const after = query.cursor ? decodeCursor(query.cursor, CursorShape) : undefined;
  const rows = await duplicateListQuery(deps, ownerId, query.status, query.limit, after);
  return toPage(rows, query.limit, (row) => [row.pair.score, row.pair.id], toPairDto);
}

export async function getDuplicate(deps: ServiceDeps, ownerId: string, pairId: string): Promise<DuplicatePairDto> {
  const [row] = await pairRows(deps, ownerId, eq(duplicatePairs.id, pairId)).limit(1);
  if (!row) throw notFound("Duplicate pair");
  return toPairDto(row);
}

/** Marks a pair as not a duplicate: detection never proposes it again. Ignoring it twice changes nothing. */
export async function ignoreDuplicate(deps: ServiceDeps, ownerId: string, pairId: string): Promise<DuplicatePairDto> {
  const pair = await getDuplicate(deps, ownerId, pairId);
  if (pair.status === "IGNORED") return pair;
  await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(duplicatePairs)
      .set({ status: "IGNORED", updatedAt: new Date() })
      .where(and(eq(duplicatePairs.ownerId, ownerId), eq(duplicatePairs.id, pairId))),
  ]);
  return getDuplicate(deps, ownerId, pairId);
}
