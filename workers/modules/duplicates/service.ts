import { and, eq, exists, inArray, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { alias } from "drizzle-orm/sqlite-core";
import { auditedBatch } from "@shared/db/audited";
import { ownedBy } from "@shared/db/ownership";
import { contacts, duplicatePairs, duplicateReasons } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { contactsFts } from "../contacts/search";
import { MAX_NAME_WORDS, NAME_SIMILARITY_THRESHOLD, nameSimilarity, nameWords } from "./similarity";

// Duplicate detection: proposes pairs of an owner's contacts sharing an email, an E.164 phone or a very similar
// name. Called after a contact is created, after a CSV import (with the new ids) and on demand (scope "all").

export type DetectScope = { contactIds: string[] } | "all";
type Reason = (typeof duplicateReasons)[number];

/** Up to this many contacts, candidates are looked up through indexes; beyond, the owner's book is read once. */
const FEW_CONTACTS = 50;
/** Contacts sharing one email or phone are all paired up to this many; a larger group (a placeholder address
 *  on every row of an import) is paired with its oldest contact only, which is enough to merge them all. */
const FULL_GROUP_LIMIT = 12;
/** D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 90;
const PAIRS_PER_LOOKUP = 45;
const PAIRS_PER_INSERT = 400;
const INSERTS_PER_BATCH = 20;
/** Beyond this many proposals, the owner's stored pairs are read at once rather than looked up 45 at a time. */
const MANY_PROPOSALS = 4 * PAIRS_PER_LOOKUP;

const candidateColumns = { id: contacts.id, email: contacts.email, phoneE164: contacts.phoneE164, sortName: contacts.sortName };
type Row = { id: string; email: string | null; phoneE164: string | null; sortName: string };

interface Entry extends Row {
  subject: boolean;
  /** Folded name words; null when the name is not compared: one word (a lone first name is shared by many people)
   *  or more than MAX_NAME_WORDS. */
  words: string[] | null;
  /** Sorted blocking keys (see `blocksOf`). */
  blocks: string[];
}

interface Proposal {
  a: string;
  b: string;
  reason: Reason;
  score: number;
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

function push<T>(groups: Map<string, T[]>, key: string, item: T) {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}

const prefixesOf = (words: string[]) => [...new Set(words.filter((w) => w.length >= 2).map((w) => w.slice(0, 3)))];

/**
 * Names are compared only within a block: the first three letters of one of their words, plus the first letters
 * of all their words ("mar|em" for Élodie Martin). Every word must have a close counterpart, and a word whose
 * first letter is mistyped scores below the threshold unless it has nine letters or more, so the first letters
 * cost almost no recall, and split the crowded blocks ("mar" holds every Marie, Martine and Martin): fifteen
 * times fewer comparisons in a test book of common names.
 */
function blocksOf(words: string[]): string[] {
  const initials = words.map((w) => w[0]).sort().join("");
  return prefixesOf(words).map((prefix) => `${prefix}|${initials}`).sort();
}

function entryOf(row: Row, subject: boolean): Entry {
  const words = nameWords(row.sortName);
  const blocks = words.length >= 2 && words.length <= MAX_NAME_WORDS ? blocksOf(words) : [];
  return { ...row, subject, words: blocks.length > 0 ? words : null, blocks };
}

/** The FTS5 query for contacts of `ownerId` with a name word starting with one of `prefixes`. */
const nameMatch = (ownerId: string, prefixes: string[]) => `owner : "${ownerId.replace(/-/g, "")}" AND name : (${prefixes.map((p) => `"${p}"*`).join(" OR ")})`;

/**
 * The contacts to consider: the subjects and every contact that could pair with one of them. A few subjects
 * (a contact just created) are looked up by id, then by email and phone (contacts_owner_email_idx,
 * contacts_owner_phone_idx) and by name word prefixes (the contacts_fts prefix index), so the cost does not
 * grow with the book. For many subjects (an import, a scan) one read of the owner's four columns is cheaper.
 */
async function loadPool(deps: ServiceDeps, ownerId: string, scope: DetectScope): Promise<Map<string, Entry>> {
  const { db } = deps;
  const owned = eq(contacts.ownerId, ownerId);
  const pool = new Map<string, Entry>();
  const add = (rows: Row[], subject: boolean) => {
    for (const row of rows) if (!pool.has(row.id)) pool.set(row.id, entryOf(row, subject));
  };
  const wanted = scope === "all" ? null : new Set(scope.contactIds);
  if (wanted === null || wanted.size > FEW_CONTACTS) {
    const rows = await db.select(candidateColumns).from(contacts).where(owned);
    for (const row of rows) pool.set(row.id, entryOf(row, wanted === null || wanted.has(row.id)));
    return pool;
  }
  for (const ids of chunks([...wanted], IDS_PER_QUERY)) add(await db.select(candidateColumns).from(contacts).where(and(owned, inArray(contacts.id, ids))), true);
  const subjects = [...pool.values()];
  const emails = [...new Set(subjects.flatMap((s) => (s.email ? [s.email] : [])))];
  const phones = [...new Set(subjects.flatMap((s) => (s.phoneE164 ? [s.phoneE164] : [])))];
  const prefixes = [...new Set(subjects.flatMap((s) => (s.words ? prefixesOf(s.words) : [])))];
  for (const values of chunks(emails, IDS_PER_QUERY)) add(await db.select(candidateColumns).from(contacts).where(and(owned, inArray(contacts.email, values))), false);
  for (const values of chunks(phones, IDS_PER_QUERY)) add(await db.select(candidateColumns).from(contacts).where(and(owned, inArray(contacts.phoneE164, values))), false);
  if (prefixes.length > 0) {
    const matching = db.select({ rowid: contactsFts.rowid }).from(contactsFts).where(sql`${contactsFts} MATCH ${nameMatch(ownerId, prefixes)}`);
    add(await db.select(candidateColumns).from(contacts).where(and(owned, inArray(contacts.seq, matching))), false);
  }
  return pool;
}

/** Pairs within groups of contacts sharing a value (an email, a phone), each involving at least one subject. */
function proposeShared(pool: Map<string, Entry>, valueOf: (e: Entry) => string | null, reason: Reason, propose: (x: Entry, y: Entry, reason: Reason, score: number) => void) {
  const groups = new Map<string, Entry[]>();
  for (const entry of pool.values()) {
    const value = valueOf(entry);
    if (value) push(groups, value, entry);
  }
  for (const members of groups.values()) {
    if (members.length < 2 || !members.some((m) => m.subject)) continue;
    members.sort((x, y) => (x.id < y.id ? -1 : 1));
    const firsts = members.length <= FULL_GROUP_LIMIT ? members : members.slice(0, 1);
    firsts.forEach((x, i) => {
      for (const y of members.slice(i + 1)) if (x.subject || y.subject) propose(x, y, reason, 1);
    });
  }
}

/**
 * Name pairs by blocking: only contacts sharing a block are compared (each pair once, in the first block they
 * share), so a book of 10,000 costs the sum of its blocks' squares, not 10,000².
 */
function proposeSimilarNames(pool: Map<string, Entry>, known: (x: Entry, y: Entry) => boolean, propose: (x: Entry, y: Entry, reason: Reason, score: number) => void) {
  const blocks = new Map<string, Entry[]>();
  for (const entry of pool.values()) {
    if (entry.words) for (const block of entry.blocks) push(blocks, block, entry);
  }
  const firstShared = (x: Entry, y: Entry) => x.blocks.find((block) => y.blocks.includes(block));
  const wordScores = new Map<string, number>();
  for (const [block, members] of blocks) {
    for (let i = 0; i < members.length; i++) {
      const x = members[i]!;
      for (let j = i + 1; j < members.length; j++) {
        const y = members[j]!;
        if (!(x.subject || y.subject) || firstShared(x, y) !== block || known(x, y)) continue;
        const score = nameSimilarity(x.words!, y.words!, NAME_SIMILARITY_THRESHOLD, wordScores);
        if (score >= NAME_SIMILARITY_THRESHOLD) propose(x, y, "NAME", Math.round(score * 10_000) / 10_000);
      }
    }
  }
}

const pairColumns = { a: duplicatePairs.contactAId, b: duplicatePairs.contactBId };

/**
 * The stored pairs among `pairs` (at most PAIRS_PER_LOOKUP), unexecuted (a test reads its plan): each found
 * through duplicate_pairs_pair_unique, the owner checked with `ownedBy` so that SQLite cannot walk the owner's
 * pairs through duplicate_pairs_owner_status_idx instead.
 */
export const storedPairsQuery = (deps: ServiceDeps, ownerId: string, pairs: readonly { a: string; b: string }[]) =>
  deps.db
    .select(pairColumns)
    .from(duplicatePairs)
    .where(and(or(...pairs.map((p) => and(eq(duplicatePairs.contactAId, p.a), eq(duplicatePairs.contactBId, p.b)))), ownedBy(duplicatePairs.ownerId, ownerId)));

/** The proposals not stored yet, whatever their status: an ignored pair stays ignored. */
async function unstored(deps: ServiceDeps, ownerId: string, proposals: Proposal[]): Promise<Proposal[]> {
  const rows =
    proposals.length > MANY_PROPOSALS
      ? await deps.db.select(pairColumns).from(duplicatePairs).where(eq(duplicatePairs.ownerId, ownerId))
      : (await Promise.all(chunks(proposals, PAIRS_PER_LOOKUP).map((chunk) => storedPairsQuery(deps, ownerId, chunk)))).flat();
  const stored = new Set(rows.map((row) => `${row.a} ${row.b}`));
  return proposals.filter((p) => !stored.has(`${p.a} ${p.b}`));
}

/**
 * Finds and stores probable duplicates involving `scope` (some contacts of `ownerId`, or all of them): the same
 * email or E.164 phone (score 1; EMAIL wins when both match) or names scoring at least
 * NAME_SIMILARITY_THRESHOLD. Pairs already stored, pending or ignored, are never created again. Ids that are
 * not the owner's are skipped. Returns how many pairs were created.
 */
export async function detectDuplicates(deps: ServiceDeps, ownerId: string, scope: DetectScope): Promise<{ created: number }> {
  if (scope !== "all" && scope.contactIds.length === 0) return { created: 0 };
  const pool = await loadPool(deps, ownerId, scope);
  const found = new Map<string, Proposal>();
  const keyOf = (x: Entry, y: Entry) => (x.id < y.id ? `${x.id} ${y.id}` : `${y.id} ${x.id}`);
  const propose = (x: Entry, y: Entry, reason: Reason, score: number) => {
    const key = keyOf(x, y);
    if (x.id === y.id || found.has(key)) return;
    const [a, b] = x.id < y.id ? [x.id, y.id] : [y.id, x.id];
    found.set(key, { a, b, reason, score });
  };
  proposeShared(pool, (e) => e.email, "EMAIL", propose);
  proposeShared(pool, (e) => e.phoneE164, "PHONE", propose);
  proposeSimilarNames(pool, (x, y) => found.has(keyOf(x, y)), propose);

  const fresh = await unstored(deps, ownerId, [...found.values()]);
  const now = Date.now();
  const live = alias(contacts, "live");
  const field = (i: number) => sql`json_extract(value, ${`$[${i}]`})`;
  // A contact read above may have been deleted since (merged away, deleted): its pairs are skipped rather than
  // failing the whole batch on the foreign key.
  const stillThere = (i: number) => exists(deps.db.select({ one: sql`1` }).from(live).where(and(sql`${live.id} = ${field(i)}`, ownedBy(live.ownerId, ownerId))));
  // The pairs travel as one JSON parameter per statement (json_each), so thousands of them after a large
  // import take a few statements rather than one per 11 rows under D1's 100 bound values.
  const inserts: BatchItem<"sqlite">[] = chunks(fresh, PAIRS_PER_INSERT).map((chunk) => {
    const rows = JSON.stringify(chunk.map((p) => [newId(), p.a, p.b, p.reason, p.score]));
    return (
      deps.db
        .insert(duplicatePairs)
        .select(
          // (SQLite also needs a WHERE before an upsert clause to parse INSERT ... SELECT ... ON CONFLICT.)
          sql`SELECT ${field(0)}, ${ownerId}, ${field(1)}, ${field(2)}, ${field(3)}, ${field(4)}, 'PENDING', ${now}, ${now} FROM json_each(${rows}) WHERE ${stillThere(1)} AND ${stillThere(2)}`,
        )
        // A detection running at the same time may have stored the pair since: it is kept as it is.
        .onConflictDoNothing()
        .returning({ id: duplicatePairs.id })
    );
  });
  let created = 0;
  for (const batch of chunks(inserts, INSERTS_PER_BATCH)) {
    const results = await auditedBatch(deps.db, deps.actor, batch as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    created += (results as { id: string }[][]).reduce((sum, rows) => sum + rows.length, 0);
  }
  return { created };
}

/**
 * Detection right after contacts were written (create, update, import). The write has committed by then, so a
 * failure here must not turn its answer into a 500 (a retried import would import everything twice): it is
 * logged, and the pairs are found by the next scan (POST /api/duplicates/scan). Returns the pairs created.
 */
export async function detectDuplicatesAfterWrite(deps: ServiceDeps, ownerId: string, contactIds: string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  try {
    return (await detectDuplicates(deps, ownerId, { contactIds })).created;
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "duplicate detection failed after a write", ownerId, contacts: contactIds.length, requestId: deps.actor.requestId, error: String(error) }));
    return 0;
  }
}
