import { env } from "cloudflare:test";
import { and, asc, eq, or, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { auditLog, contacts, contactTags, duplicatePairs, files, fileUploads, sessionContacts, sessions, tags } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem, register, type Account } from "../support/http";
import { actorOf, db, historyOf, insertContacts, mergedAway, pairBetween, referencesTo } from "./helpers";

const merge = (token: string, pairId: string, json: unknown) => api(`/api/duplicates/${pairId}/merge`, { token, json });
const scan = (token: string) => api("/api/duplicates/scan", { method: "POST", token });

/** A book where `removed` is a duplicate of `kept` with sessions, tags, files, an upload, history and other pairs. */
async function bookWithDuplicates(account: Account) {
  const ownerId = account.user.id;
  const [kept, removed, x, y, z] = await insertContacts(ownerId, [
    { firstName: "Élodie", lastName: "Martin", email: "elodie@studio.example" },
    { firstName: "Elodie", lastName: "Martin", email: "elodie@studio.example", phone: "+33 6 12 34 56 78", company: "Studio R" },
    { firstName: "Xavier", phone: "06 12 34 56 78" },
    { firstName: "Élodie", lastName: "Martins" },
    { firstName: "Zoé", phone: "+33612345678" },
  ]);
  const now = new Date();
  const [s1, s2, t1, t2, t3, f1, f2, f3, u1] = Array.from({ length: 9 }, newId);
  await auditedBatch(db, actorOf(ownerId), [
    db.update(contacts).set({ notes: "Met at the fair", addressLine1: "1 rue de la Paix", city: "Lyon", country: "FR", updatedAt: now }).where(eq(contacts.id, removed!)),
    db.update(contacts).set({ notes: "Prefers mornings", updatedAt: now }).where(eq(contacts.id, kept!)),
    db.insert(sessions).values([
      { id: s1!, ownerId, title: "Wedding", updatedAt: now },
      { id: s2!, ownerId, title: "Portrait", updatedAt: now },
    ]),
    db.insert(sessionContacts).values([
      { ownerId, sessionId: s1!, contactId: kept!, role: "CLIENT" },
      { ownerId, sessionId: s1!, contactId: removed!, role: "GUEST" },
      { ownerId, sessionId: s2!, contactId: removed!, role: "PARENT" },
    ]),
    db.insert(tags).values([
      { id: t1!, ownerId, name: "Both", nameKey: "both", updatedAt: now },
      { id: t2!, ownerId, name: "Removed only", nameKey: "removed only", updatedAt: now },
      { id: t3!, ownerId, name: "Kept only", nameKey: "kept only", updatedAt: now },
    ]),
    db.insert(contactTags).values([
      { ownerId, contactId: kept!, tagId: t1! },
      { ownerId, contactId: removed!, tagId: t1! },
      { ownerId, contactId: removed!, tagId: t2! },
      { ownerId, contactId: kept!, tagId: t3! },
    ]),
    db.insert(files).values([
      { id: f1!, ownerId, contactId: removed!, name: "contract.pdf", contentType: "application/pdf", size: 10, r2Key: `${ownerId}/files/${f1}`, updatedAt: now },
      { id: f2!, ownerId, contactId: kept!, name: "id.jpg", contentType: "image/jpeg", size: 10, r2Key: `${ownerId}/files/${f2}`, updatedAt: now },
      { id: f3!, ownerId, sessionId: s2!, name: "proofs.zip", contentType: "application/zip", size: 10, r2Key: `${ownerId}/files/${f3}`, updatedAt: now },
    ]),
    db.insert(fileUploads).values({
      id: u1!,
      ownerId,
      contactId: removed!,
      name: "archive.zip",
      r2Key: `${ownerId}/files/${u1}`,
      r2UploadId: "upload-1",
      expiresAt: new Date(Date.now() + 86_400_000),
      updatedAt: now,
    }),
  ]);
  expect((await scan(account.accessToken)).body.created).toBe(6);
  return { kept: kept!, removed: removed!, x: x!, y: y!, z: z!, s1: s1!, s2: s2!, t1: t1!, t2: t2!, t3: t3!, f1: f1!, f2: f2!, f3: f3!, u1: u1! };
}

describe("POST /api/duplicates/:id/merge", () => {
  it("moves sessions, files, tags, pairs and history to the kept contact, fills its empty fields, and leaves no reference", async () => {
    const account = await register();
    const ownerId = account.user.id;
    const book = await bookWithDuplicates(account);
    const { kept, removed, x, y, z } = book;
    const ignored = await pairBetween(removed, z);
    await api(`/api/duplicates/${ignored!.id}/ignore`, { method: "POST", token: account.accessToken });
    const keptPairWithY = await pairBetween(kept, y);
    const removedHistory = (await historyOf(removed)).map((row) => row.seq);
    const keptHistory = (await historyOf(kept)).map((row) => row.seq);
    expect(removedHistory.length).toBeGreaterThanOrEqual(5);
    const pair = await pairBetween(kept, removed);
    expect(pair).toMatchObject({ reason: "EMAIL", contactAId: kept });

    const res = await merge(account.accessToken, pair!.id, { keepId: kept });
    expect(res.status, res.text).toBe(200);
    expect(res.body.merged).toBe(removed);
    expect(res.body.contact).toMatchObject({
      id: kept,
      firstName: "Élodie",
      lastName: "Martin",
      email: "elodie@studio.example",
      phone: "+33 6 12 34 56 78",
      phoneE164: "+33612345678",
      company: "Studio R",
      notes: "Prefers mornings\n\nMet at the fair",
      address: { line1: "1 rue de la Paix", line2: null, postalCode: null, city: "Lyon", region: null, country: "FR" },
    });
    expect(res.body.contact.tags.map((t: { id: string }) => t.id).sort()).toEqual([book.t1, book.t2, book.t3].sort());

    // Sessions: the shared one keeps the kept contact's role, the other moves with its role.
    const links = await db.select().from(sessionContacts).where(eq(sessionContacts.ownerId, ownerId));
    expect(links.map((l) => [l.sessionId, l.contactId, l.role]).sort()).toEqual(
      [
        [book.s1, kept, "CLIENT"],
        [book.s2, kept, "PARENT"],
      ].sort(),
    );
    const tagRows = await db.select().from(contactTags).where(eq(contactTags.ownerId, ownerId));
    expect(tagRows.map((t) => [t.contactId, t.tagId]).sort()).toEqual([[kept, book.t1], [kept, book.t2], [kept, book.t3]].sort());
    const fileRows = await db.select().from(files).where(eq(files.ownerId, ownerId));
    expect(fileRows.map((f) => [f.id, f.contactId, f.sessionId]).sort()).toEqual(
      [
        [book.f1, kept, null],
        [book.f2, kept, null],
        [book.f3, null, book.s2],
      ].sort(),
    );
    expect(await db.select({ contactId: fileUploads.contactId }).from(fileUploads).where(eq(fileUploads.id, book.u1))).toEqual([{ contactId: kept }]);

    // Pairs: re-pointed with their status, or dropped when the kept contact already had one with that partner.
    expect(await pairBetween(kept, x)).toMatchObject({ reason: "PHONE", status: "PENDING" });
    expect(await pairBetween(kept, z)).toMatchObject({ id: ignored!.id, status: "IGNORED" });
    expect(await pairBetween(kept, y)).toEqual(keptPairWithY);
    expect(await pairBetween(x, z)).toBeDefined();

    expect(await referencesTo(removed)).toEqual(mergedAway);

    // History: both contacts' old entries, then what the merge did, ending with the MERGE row. The removed
    // contact keeps its own DELETE row (what it held when it went), never shown as the kept contact's.
    const history = await historyOf(kept);
    const seqs = history.map((row) => row.seq);
    for (const seq of [...removedHistory, ...keptHistory]) expect(seqs).toContain(seq);
    expect(history.filter((row) => row.action === "DELETE")).toEqual([]);
    const [deletion] = await historyOf(removed);
    expect(deletion).toMatchObject({ action: "DELETE", actorId: ownerId, requestId: res.headers.get("x-request-id") });
    expect(deletion!.changes).toMatchObject({ firstName: { before: "Elodie", after: null }, company: { before: "Studio R", after: null }, city: { before: "Lyon", after: null } });
    // Among contact history rows, only the MERGE row names the removed id besides its DELETE.
    const naming = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.ownerId, ownerId), eq(auditLog.entityType, "contact"), or(eq(auditLog.entityId, removed), sql`instr(${auditLog.changes}, ${removed}) > 0`)))
      .orderBy(asc(auditLog.seq));
    expect(naming.map((row) => [row.action, row.entityId])).toEqual([
      ["MERGE", kept],
      ["DELETE", removed],
    ]);
    const created = history.filter((row) => row.action === "CREATE");
    expect(created.map((row) => row.changes.firstName?.after).sort()).toEqual(["Elodie", "Élodie"]);
    expect(history.find((row) => row.action === "UPDATE" && row.changes.phone)?.changes).toMatchObject({ phone: { before: null, after: "+33 6 12 34 56 78" }, company: { before: null, after: "Studio R" } });
    const last = history.at(-1)!;
    expect(last).toMatchObject({
      ownerId,
      action: "MERGE",
      entityType: "contact",
      entityId: kept,
      actorType: "USER",
      actorId: ownerId,
      requestId: res.headers.get("x-request-id"),
      changes: { mergedFrom: { before: removed, after: kept }, duplicatePair: { before: pair!.id, after: null } },
    });

    const shown = await api(`/api/contacts/${kept}/history?limit=100`, { token: account.accessToken });
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body.items[0]).toMatchObject({ action: "MERGE", changes: { mergedFrom: { before: removed, after: kept } } });
    expect(shown.body.items.filter((e: { action: string }) => e.action === "CREATE")).toHaveLength(2);
    expect(shown.body.items.some((e: { action: string }) => e.action === "DELETE")).toBe(false);
    expectProblem(await api(`/api/contacts/${removed}`, { token: account.accessToken }), 404, "NOT_FOUND");
    const removedShown = await api(`/api/contacts/${removed}/history`, { token: account.accessToken });
    expect(removedShown.status, removedShown.text).toBe(200);
    expect(removedShown.body.items.map((e: { action: string }) => e.action)).toEqual(["DELETE"]);
  });

  it("keeps either side of the pair; fills a missing last name (and its sort key) but never mixes two addresses", async () => {
    const account = await register();
    const [first, second] = await insertContacts(account.user.id, [
      { firstName: "Jules", email: "jules@studio.example" },
      { firstName: "Jules", email: "jules@studio.example" },
    ]);
    await scan(account.accessToken);
    const pair = (await pairBetween(first!, second!))!;
    // The first test keeps the older contact (contact a): this one keeps contact b.
    const keepId = pair.contactBId;
    const goneId = pair.contactAId;
    await auditedBatch(db, actorOf(account.user.id), [
      db.update(contacts).set({ city: "Paris", updatedAt: new Date() }).where(eq(contacts.id, keepId)),
      db.update(contacts).set({ lastName: "Dupré", addressLine1: "2 place Bellecour", city: "Lyon", updatedAt: new Date() }).where(eq(contacts.id, goneId)),
    ]);
    const res = await merge(account.accessToken, pair.id, { keepId });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ merged: goneId, contact: { id: keepId, firstName: "Jules", lastName: "Dupré", address: { line1: null, city: "Paris" } } });
    const [row] = await db.select({ sortName: contacts.sortName }).from(contacts).where(eq(contacts.id, keepId));
    expect(row!.sortName).toBe("dupre jules");
    expect(await referencesTo(goneId)).toEqual(mergedAway);
    // The pair went with the merge.
    expectProblem(await merge(account.accessToken, pair.id, { keepId }), 404, "NOT_FOUND");
  });

  it("400 at body.keepId for a contact outside the pair or a missing one; unknown fields refused; nothing changes", async () => {
    const account = await register();
    const book = await bookWithDuplicates(account);
    const pair = (await pairBetween(book.kept, book.removed))!;
    const before = await referencesTo(book.removed);

    const outside = await merge(account.accessToken, pair.id, { keepId: book.x });
    expectProblem(outside, 400, "VALIDATION_FAILED");
    expect(errorPaths(outside)).toEqual(["body.keepId"]);
    expect(errorPaths(await merge(account.accessToken, pair.id, {}))).toEqual(["body.keepId"]);
    expect(errorPaths(await merge(account.accessToken, pair.id, { keepId: "" }))).toEqual(["body.keepId"]);
    const mass = await merge(account.accessToken, pair.id, { keepId: book.kept, ownerId: "someone-else" });
    expectProblem(mass, 400, "VALIDATION_FAILED");
    expect(errorPaths(mass)).toEqual(["body.ownerId"]);
    expectProblem(await api(`/api/duplicates/${pair.id}/merge`, { method: "POST", token: account.accessToken, body: "keepId", headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE");

    expect(await referencesTo(book.removed)).toEqual(before);
    expect(await pairBetween(book.kept, book.removed)).toEqual(pair);
  });

  it("is all or nothing: when its last statement fails, no row has changed", async () => {
    const account = await register();
    const book = await bookWithDuplicates(account);
    const pair = (await pairBetween(book.kept, book.removed))!;
    const snapshot = async () => ({
      removed: await referencesTo(book.removed),
      kept: await referencesTo(book.kept),
      keptRow: await db.select().from(contacts).where(eq(contacts.id, book.kept)),
      pairs: await db.select().from(duplicatePairs).where(eq(duplicatePairs.ownerId, account.user.id)),
      audit: (await db.select().from(auditLog).where(eq(auditLog.ownerId, account.user.id))).length,
    });
    const before = await snapshot();
    // A fault injected in the database itself: the MERGE row, the batch's last write, is refused.
    await env.DB.exec("CREATE TRIGGER test_refuse_merge BEFORE INSERT ON audit_log WHEN NEW.action = 'MERGE' BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
    try {
      expectProblem(await merge(account.accessToken, pair.id, { keepId: book.kept }), 500, "INTERNAL");
    } finally {
      await env.DB.exec("DROP TRIGGER test_refuse_merge");
    }
    expect(await snapshot()).toEqual(before);
    expect((await merge(account.accessToken, pair.id, { keepId: book.kept })).status).toBe(200);
  });

  it("404 for an unknown pair, 401 without a token", async () => {
    const account = await register();
    expectProblem(await merge(account.accessToken, "missing", { keepId: "x" }), 404, "NOT_FOUND");
    expectProblem(await api("/api/duplicates/missing/merge", { json: { keepId: "x" } }), 401, "UNAUTHORIZED");
  });
});
