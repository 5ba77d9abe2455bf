import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { auditLog, contacts, contactTags, duplicatePairs, tags } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { mergeStatements } from "../../workers/modules/duplicates/merge";
import { api, expectProblem, register, type ApiResponse } from "../support/http";
import { actorOf, db, depsFor, insertContacts, mergedAway, pairBetween, referencesTo } from "./helpers";

// Merges racing each other: every statement of a merge is conditional on both contacts being as they were read,
// so the one that commits second writes nothing and answers 409.

const merge = (token: string, pairId: string, keepId: string) => api(`/api/duplicates/${pairId}/merge`, { token, json: { keepId } });
const scan = (token: string) => api("/api/duplicates/scan", { method: "POST", token });
const mergeRows = (ownerId: string) => db.select().from(auditLog).where(and(eq(auditLog.ownerId, ownerId), eq(auditLog.action, "MERGE")));
const contactRow = async (id: string) => (await db.select().from(contacts).where(eq(contacts.id, id)))[0];

/** Audit rows of contacts that no longer exist, by contact: a merged contact keeps its DELETE row alone. */
async function historiesOfGoneContacts(ownerId: string) {
  const { results } = await env.DB.prepare(
    `SELECT entity_id AS id, group_concat(action) AS actions FROM audit_log
      WHERE owner_id = ? AND entity_type = 'contact' AND entity_id NOT IN (SELECT id FROM contacts) GROUP BY entity_id ORDER BY entity_id`,
  )
    .bind(ownerId)
    .all<{ id: string; actions: string }>();
  return results;
}

/** Everything of the owner a merge can touch, to compare before and after one that must write nothing. */
async function snapshot(ownerId: string) {
  const all = async (table: string) => (await env.DB.prepare(`SELECT * FROM ${table} WHERE owner_id = ? ORDER BY 1, 2, 3`).bind(ownerId).all()).results;
  const tables = ["contacts", "session_contacts", "contact_tags", "files", "file_uploads", "duplicate_pairs", "audit_log"];
  return Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await all(table)])));
}

/** Exactly one of two racing merges succeeds; the other answers 409. Returns the winner's answer. */
function expectOneWinner(answers: ApiResponse[]) {
  expect(answers.map((res) => res.status).sort(), answers.map((res) => res.text).join("\n")).toEqual([200, 409]);
  expectProblem(answers.find((res) => res.status === 409)!, 409, "CONFLICT");
  return answers.find((res) => res.status === 200)!.body as { contact: { id: string; notes: string | null; tags: { id: string }[] }; merged: string };
}

/**
 * Runs `requests` with every D1 batch held until `parties` batches are waiting, then lets them go in the order
 * they came: each request has read before any writes, the interleaving of a real race, which requests sent at
 * once through SELF reach only now and then (the first usually commits before the second reads). The D1
 * binding is the one the Worker uses; nothing else of it changes. After two seconds the batches go anyway, so
 * a request that never writes fails the test rather than hanging it.
 */
async function racing<T>(parties: number, requests: () => Promise<T>): Promise<T> {
  const binding = env.DB as { batch: D1Database["batch"] };
  const batch = binding.batch;
  let release!: () => void;
  const allWaiting = new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, 2_000);
  });
  let waiting = 0;
  binding.batch = (async (statements: D1PreparedStatement[]) => {
    if (++waiting === parties) release();
    await allWaiting;
    return batch.call(env.DB, statements);
  }) as D1Database["batch"];
  try {
    return await requests();
  } finally {
    binding.batch = batch;
  }
}

/** A tag on `contactId`, so that a merge has a link to move. */
async function tagged(ownerId: string, contactId: string) {
  const id = newId();
  const now = new Date();
  await auditedBatch(db, actorOf(ownerId), [
    db.insert(tags).values({ id, ownerId, name: `Tag ${id.slice(-6)}`, nameKey: `tag ${id.slice(-6)}`, updatedAt: now }),
    db.insert(contactTags).values({ ownerId, contactId, tagId: id }),
    db.update(contacts).set({ notes: `Notes of ${contactId}`, updatedAt: now }).where(eq(contacts.id, contactId)),
  ]);
  return id;
}

describe("merges at the same time", () => {
  it("of the same pair (keeping the same contact or each its own): one merge happens, the other answers 409", async () => {
    for (const sides of [["a", "a"], ["a", "b"]] as const) {
      const account = await register();
      const ownerId = account.user.id;
      const [first, second] = await insertContacts(ownerId, [
        { firstName: "Jules", lastName: "Roux", email: "jules@studio.example" },
        { firstName: "Jules", lastName: "Roux", email: "jules@studio.example", phone: "+33 6 12 34 56 78" },
      ]);
      const tagOfSecond = await tagged(ownerId, second!);
      await scan(account.accessToken);
      const pair = (await pairBetween(first!, second!))!;
      const keepIds = sides.map((side) => (side === "a" ? pair.contactAId : pair.contactBId));

      const winner = expectOneWinner(await racing(2, () => Promise.all(keepIds.map((keepId) => merge(account.accessToken, pair.id, keepId)))));

      expect(await mergeRows(ownerId)).toHaveLength(1);
      expect(await referencesTo(winner.merged)).toEqual(mergedAway);
      expect(await historiesOfGoneContacts(ownerId)).toEqual([{ id: winner.merged, actions: "DELETE" }]);
      expect(await pairBetween(first!, second!)).toBeUndefined();
      expect(winner.contact.tags.map((t) => t.id)).toContain(tagOfSecond);
      // Taken once: the loser appended nothing.
      expect((await contactRow(winner.contact.id))!.notes).toBe(`Notes of ${second}`);
    }
  });

  it("of overlapping pairs both removing B (A-B keeping A, B-C keeping C): B is merged once, into one of them", async () => {
    const account = await register();
    const ownerId = account.user.id;
    const [a, b, c] = await insertContacts(ownerId, [
      { firstName: "Anna", lastName: "Alpha", email: "shared@studio.example" },
      { firstName: "Bruno", lastName: "Beta", email: "shared@studio.example", phone: "+33 6 12 34 56 78" },
      { firstName: "Chloé", lastName: "Gamma", phone: "06 12 34 56 78" },
    ]);
    const tagOfB = await tagged(ownerId, b!);
    expect((await scan(account.accessToken)).body.created).toBe(2);
    const ab = (await pairBetween(a!, b!))!;
    const bc = (await pairBetween(b!, c!))!;

    const winner = expectOneWinner(await racing(2, () => Promise.all([merge(account.accessToken, ab.id, a!), merge(account.accessToken, bc.id, c!)])));

    expect(winner.merged).toBe(b);
    expect([a, c]).toContain(winner.contact.id);
    expect(winner.contact.tags.map((t) => t.id)).toEqual([tagOfB]);
    expect(await mergeRows(ownerId)).toHaveLength(1);
    expect(await referencesTo(b!)).toEqual(mergedAway);
    expect(await historiesOfGoneContacts(ownerId)).toEqual([{ id: b, actions: "DELETE" }]);
    // The loser's contact is untouched; B's other pair now joins it to the winner's.
    const other = winner.contact.id === a ? c! : a!;
    expect((await contactRow(other))!.notes).toBeNull();
    expect(await pairBetween(a!, c!)).toMatchObject({ id: winner.contact.id === a ? bc.id : ab.id, status: "PENDING" });
  });

  it("into the same contact (A-B and A-C keeping A): both apply, and neither overwrites what the other filled", async () => {
    const account = await register();
    const ownerId = account.user.id;
    const [a, b, c] = await insertContacts(ownerId, [
      { firstName: "Anna", lastName: "Alpha", email: "anna@studio.example" },
      { firstName: "Bruno", lastName: "Beta", email: "anna@studio.example", phone: "+33 6 12 34 56 78", company: "Studio B" },
      { firstName: "Chloé", lastName: "Gamma", email: "anna@studio.example", phone: "+33 7 99 88 77 66", company: "Studio C" },
    ]);
    await Promise.all([tagged(ownerId, b!), tagged(ownerId, c!)]);
    await scan(account.accessToken);
    const ab = (await pairBetween(a!, b!))!;
    const ac = (await pairBetween(a!, c!))!;

    const answers = await racing(2, () => Promise.all([merge(account.accessToken, ab.id, a!), merge(account.accessToken, ac.id, a!)]));
    expect(answers.map((res) => res.status)).toEqual([200, 200]);

    // The first MERGE row names the contact merged first: its phone and company are the ones A kept.
    const merges = (await mergeRows(ownerId)).sort((x, y) => x.seq - y.seq);
    expect(merges.map((row) => row.changes.mergedFrom!.before)).toHaveLength(2);
    const firstIn = merges[0]!.changes.mergedFrom!.before === b ? { phone: "+33 6 12 34 56 78", company: "Studio B" } : { phone: "+33 7 99 88 77 66", company: "Studio C" };
    const keptRow = (await contactRow(a!))!;
    expect(keptRow).toMatchObject(firstIn);
    expect(keptRow.notes!.split("\n\n").sort()).toEqual([`Notes of ${b}`, `Notes of ${c}`].sort());
    expect(await referencesTo(b!)).toEqual(mergedAway);
    expect(await referencesTo(c!)).toEqual(mergedAway);
    expect(await historiesOfGoneContacts(ownerId)).toEqual([b!, c!].sort().map((id) => ({ id, actions: "DELETE" })));
  });
});

describe("a merge whose contacts changed after it read them", () => {
  it("409 CONFLICT and nothing written when the removed contact is edited in between; merging again then works", async () => {
    const account = await register();
    const ownerId = account.user.id;
    const [kept, removed] = await insertContacts(ownerId, [
      { firstName: "Hugo", lastName: "Lambert", email: "hugo@studio.example" },
      { firstName: "Hugo", lastName: "Lambert", email: "hugo@studio.example" },
    ]);
    await scan(account.accessToken);
    const pair = (await pairBetween(kept!, removed!))!;
    const before = await snapshot(ownerId);
    // An edit landing between the merge's read and its batch: the batch's first statement sets the audit context.
    await env.DB.exec(
      `CREATE TRIGGER test_edit_between AFTER INSERT ON audit_context WHEN (SELECT company FROM contacts WHERE id = '${removed}') IS NULL BEGIN UPDATE contacts SET company = 'Edited meanwhile', updated_at = updated_at + 1 WHERE id = '${removed}'; END`,
    );
    try {
      expectProblem(await merge(account.accessToken, pair.id, kept!), 409, "CONFLICT");
    } finally {
      await env.DB.exec("DROP TRIGGER test_edit_between");
    }
    // The edit is all that happened: its row in the removed contact and its audit row, nothing of the merge.
    const after = await snapshot(ownerId);
    const edited = after.contacts.find((row: Record<string, unknown>) => row.id === removed);
    expect(edited).toMatchObject({ company: "Edited meanwhile" });
    expect({ ...after, contacts: after.contacts.map((row: Record<string, unknown>) => (row.id === removed ? before.contacts.find((r: Record<string, unknown>) => r.id === removed) : row)), audit_log: after.audit_log.slice(0, -1) }).toEqual(before);
    expect(after.audit_log.at(-1)).toMatchObject({ action: "UPDATE", entity_id: removed, changes: JSON.stringify({ company: { before: null, after: "Edited meanwhile" } }) });

    const again = await merge(account.accessToken, pair.id, kept!);
    expect(again.status, again.text).toBe(200);
    expect(again.body.contact.company).toBe("Edited meanwhile");
  });

  it("writes nothing when another merge removed either contact since the read (stale statements, run as they are)", async () => {
    const account = await register();
    const ownerId = account.user.id;
    const deps = depsFor(ownerId);
    const [a, b, c] = await insertContacts(ownerId, [
      { firstName: "Anna", lastName: "Alpha", email: "shared@studio.example" },
      { firstName: "Bruno", lastName: "Beta", email: "shared@studio.example", phone: "+33 6 12 34 56 78" },
      { firstName: "Chloé", lastName: "Gamma", phone: "06 12 34 56 78" },
    ]);
    await tagged(ownerId, b!);
    await scan(account.accessToken);
    const ab = (await pairBetween(a!, b!))!;
    const bc = (await pairBetween(b!, c!))!;
    const [rowA, rowB, rowC] = await Promise.all([a!, b!, c!].map(contactRow));
    // Read by merges of A-B keeping A (removes B), of B-C keeping B (removes C), of A-B keeping B (removes A), and
    // of A-C keeping A (removes C: the pair B-C becomes once B is merged into C).
    const stale = [
      mergeStatements(deps, ownerId, ab.id, rowA!, rowB!),
      mergeStatements(deps, ownerId, bc.id, rowB!, rowC!),
      mergeStatements(deps, ownerId, ab.id, rowB!, rowA!),
      mergeStatements(deps, ownerId, bc.id, rowA!, rowC!),
    ];

    // Then B-C keeping C commits first: B is gone (removed by the first, kept by the next two) and C took its
    // email and notes (the last read C without them: copying that C into A would lose them).
    expect((await merge(account.accessToken, bc.id, c!)).status).toBe(200);
    const before = await snapshot(ownerId);
    for (const statements of stale) {
      const results = await auditedBatch(db, deps.actor, statements);
      expect(results.at(-1)).toEqual([]);
    }
    expect(await snapshot(ownerId)).toEqual(before);
    expect(await mergeRows(ownerId)).toHaveLength(1);
    expect(await referencesTo(b!)).toEqual(mergedAway);
    expect(await db.select().from(duplicatePairs).where(eq(duplicatePairs.ownerId, ownerId))).toHaveLength(1);
  });
});
