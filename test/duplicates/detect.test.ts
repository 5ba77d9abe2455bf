import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { auditLog, contacts, duplicatePairs } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { detectDuplicates } from "../../workers/modules/duplicates/service";
import { jaroWinkler } from "../../workers/modules/duplicates/similarity";
import { api, register } from "../support/http";
import { actorOf, db, depsFor, insertContact, insertContacts, pairBetween, pairsOf } from "./helpers";

const detect = (ownerId: string, scope: { contactIds: string[] } | "all") => detectDuplicates(depsFor(ownerId), ownerId, scope);

describe("detectDuplicates", () => {
  it("pairs the same email (score 1, reason EMAIL), stored smaller id first, audited", async () => {
    const { user } = await register();
    const first = await insertContact(user.id, { firstName: "Élodie", lastName: "Martin", email: "elodie@studio.example" });
    const second = await insertContact(user.id, { firstName: "E.", lastName: "Dupré", email: "  ELODIE@studio.example " });
    expect(await detect(user.id, { contactIds: [second] })).toEqual({ created: 1 });
    const pair = await pairBetween(first, second);
    expect(pair).toMatchObject({ ownerId: user.id, reason: "EMAIL", score: 1, status: "PENDING" });
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.entityType, "duplicate_pair"), eq(auditLog.entityId, pair!.id)));
    expect(audit.map((row) => [row.action, row.actorId, row.ownerId])).toEqual([["CREATE", user.id, user.id]]);
    expect(audit[0]!.changes).toMatchObject({ reason: { before: null, after: "EMAIL" }, status: { before: null, after: "PENDING" } });
  });

  it("pairs the same phone in E.164 whatever its typed form (PHONE), and prefers EMAIL when both match", async () => {
    const { user } = await register();
    const [a, b] = await insertContacts(user.id, [
      { firstName: "Paul", lastName: "Roux", phone: "+33 6 12 34 56 78" },
      { firstName: "Sam", lastName: "Blanc", phone: "06.12.34.56.78" },
    ]);
    const [c, d] = await insertContacts(user.id, [
      { firstName: "Léa", lastName: "Faure", email: "lea@studio.example", phone: "+33 6 99 88 77 66" },
      { firstName: "Zoé", lastName: "Meyer", email: "lea@studio.example", phone: "06 99 88 77 66" },
    ]);
    expect(await detect(user.id, "all")).toEqual({ created: 2 });
    expect(await pairBetween(a!, b!)).toMatchObject({ reason: "PHONE", score: 1 });
    expect(await pairBetween(c!, d!)).toMatchObject({ reason: "EMAIL", score: 1 });
  });

  it("pairs very similar names (NAME, score = similarity), whatever the word order, case and accents", async () => {
    const { user } = await register();
    const [elodie, swapped, typo, other, lone, lone2] = await insertContacts(user.id, [
      { firstName: "Élodie", lastName: "Martin" },
      { firstName: "MARTIN", lastName: "Elodie" },
      { firstName: "Elodie", lastName: "Matrin" },
      { firstName: "Élodie", lastName: "Bernard" },
      { firstName: "Marie" },
      { firstName: "Marie" },
    ]);
    expect(await detect(user.id, "all")).toEqual({ created: 3 });
    expect(await pairBetween(elodie!, swapped!)).toMatchObject({ reason: "NAME", score: 1 });
    expect((await pairBetween(elodie!, typo!))!.score).toBeCloseTo(jaroWinkler("matrin", "martin"), 4);
    expect(await pairBetween(swapped!, typo!)).toMatchObject({ reason: "NAME" });
    expect(await pairBetween(elodie!, other!)).toBeUndefined();
    // A lone first name is shared by too many people to mean anything.
    expect(await pairBetween(lone!, lone2!)).toBeUndefined();
  });

  it("with contact ids, only finds pairs involving them, across the owner's whole book", async () => {
    const { user } = await register();
    const [old1, old2, older] = await insertContacts(user.id, [
      { firstName: "Hugo", lastName: "Lambert", email: "hugo@studio.example" },
      { firstName: "Hugo", lastName: "Lambert", email: "hugo@studio.example" },
      { firstName: "Inès", lastName: "Garnier", phone: "+33 7 11 22 33 44" },
    ]);
    const fresh = await insertContact(user.id, { firstName: "Ines", lastName: "Garnier" });
    const byPhone = await insertContact(user.id, { firstName: "Someone", lastName: "Else", phone: "07 11 22 33 44" });
    expect(await detect(user.id, { contactIds: [fresh, byPhone] })).toEqual({ created: 2 });
    expect(await pairBetween(older!, fresh)).toMatchObject({ reason: "NAME", score: 1 });
    expect(await pairBetween(older!, byPhone)).toMatchObject({ reason: "PHONE" });
    expect(await pairBetween(fresh, byPhone)).toBeUndefined();
    expect(await pairBetween(old1!, old2!), "pairs between contacts outside the scope are left to their own detection").toBeUndefined();
  });

  it("finds the same pairs through indexes (a few ids) as through reading the whole book (many ids)", async () => {
    const people = [
      { firstName: "Chloé", lastName: "Fontaine", email: "chloe@studio.example" },
      { firstName: "Chloe", lastName: "Fontaine" },
      { firstName: "Fontaine", lastName: "Chloé" },
      { firstName: "Chloé", lastName: "Fontane" },
      { firstName: "C", lastName: "F", email: "chloe@studio.example", phone: "+33 6 01 02 03 04" },
      { firstName: "Other", lastName: "Person", phone: "06 01 02 03 04" },
      { firstName: "Gabriel", lastName: "Chevalier" },
      { firstName: "Gabriel", lastName: "Chevallier" },
    ];
    // One-word names are never compared by name: the filler only makes the second scope "many ids".
    const filler = Array.from({ length: 55 }, (_, i) => ({ firstName: `Filler${i}` }));
    const viaIndexes = await register();
    const viaBook = await register();
    const idsA = await insertContacts(viaIndexes.user.id, [...people, ...filler]);
    const idsB = await insertContacts(viaBook.user.id, [...people, ...filler]);
    // One at a time, as after each create: a few ids each.
    for (const id of idsA) await detect(viaIndexes.user.id, { contactIds: [id] });
    await detect(viaBook.user.id, { contactIds: idsB });
    const normalize = (pairs: string[], ids: string[]) => pairs.map((p) => p.replace(/\S+/g, (w) => (ids.includes(w) ? `#${ids.indexOf(w)}` : w))).sort();
    const expected = normalize(await pairsOf(viaBook.user.id), idsB);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    expect(normalize(await pairsOf(viaIndexes.user.id), idsA)).toEqual(expected);
  });

  it("never pairs contacts of two owners, and skips ids that are not the owner's", async () => {
    const first = await register();
    const second = await register();
    const mine = await insertContact(first.user.id, { firstName: "Ada", lastName: "Lovelace", email: "ada@studio.example" });
    const theirs = await insertContact(second.user.id, { firstName: "Ada", lastName: "Lovelace", email: "ada@studio.example" });
    expect(await detect(second.user.id, "all")).toEqual({ created: 0 });
    expect(await detect(second.user.id, { contactIds: [theirs, mine] })).toEqual({ created: 0 });
    expect(await detect(first.user.id, { contactIds: [theirs] })).toEqual({ created: 0 });
    expect(await db.select().from(duplicatePairs).where(eq(duplicatePairs.contactAId, mine < theirs ? mine : theirs))).toEqual([]);
  });

  it("pairs everyone in a small group sharing an email, and only the oldest with the rest of a large one", async () => {
    const { user } = await register();
    const small = await insertContacts(user.id, Array.from({ length: 3 }, (_, i) => ({ firstName: `Family${i}`, email: "family@studio.example" })));
    const large = await insertContacts(user.id, Array.from({ length: 20 }, (_, i) => ({ firstName: `Row${i}`, email: "none@import.example" })));
    expect(await detect(user.id, "all")).toEqual({ created: 3 + 19 });
    const oldest = [...large].sort()[0]!;
    for (const id of large) if (id !== oldest) expect(await pairBetween(oldest, id)).toMatchObject({ reason: "EMAIL" });
    expect(await pairBetween(small[0]!, small[2]!)).toBeDefined();
  });

  it("is idempotent, and never brings back an ignored pair", async () => {
    const account = await register();
    const { user } = account;
    const [a, b, c] = await insertContacts(user.id, [
      { firstName: "Louise", lastName: "Morel", email: "louise@studio.example" },
      { firstName: "Louise", lastName: "Morel" },
      { firstName: "Someone", lastName: "Different", email: "louise@studio.example" },
    ]);
    expect(await detect(user.id, "all")).toEqual({ created: 2 });
    const before = await pairsOf(user.id);
    expect(await detect(user.id, "all")).toEqual({ created: 0 });
    expect(await pairsOf(user.id)).toEqual(before);

    const pair = await pairBetween(a!, b!);
    expect((await api(`/api/duplicates/${pair!.id}/ignore`, { method: "POST", token: account.accessToken })).status).toBe(200);
    const auditCount = async () => (await db.select().from(auditLog).where(eq(auditLog.ownerId, user.id))).length;
    const rowsBefore = await auditCount();
    expect(await detect(user.id, "all")).toEqual({ created: 0 });
    expect(await detect(user.id, { contactIds: [a!, b!, c!] })).toEqual({ created: 0 });
    expect((await api("/api/duplicates/scan", { method: "POST", token: account.accessToken })).body).toEqual({ created: 0 });
    expect(await pairBetween(a!, b!)).toMatchObject({ id: pair!.id, status: "IGNORED" });
    expect(await pairsOf(user.id)).toHaveLength(2);
    expect(await auditCount(), "a scan that finds nothing new writes nothing").toBe(rowsBefore);
  });

  it("answers 0 for an empty scope or an empty book", async () => {
    const { user } = await register();
    expect(await detect(user.id, { contactIds: [] })).toEqual({ created: 0 });
    expect(await detect(user.id, "all")).toEqual({ created: 0 });
    expect(await detect(user.id, { contactIds: [newId(), "not-an-id"] })).toEqual({ created: 0 });
  });

  it("never throws on unusual contacts (empty sort name, empty values, long names, FTS syntax), by ids or all", async () => {
    const { user } = await register();
    const longName = { firstName: "Jean Pierre Marie", lastName: "de la Tour du Pin" };
    const odd = await insertContacts(user.id, [
      longName,
      longName,
      { firstName: "A", lastName: "B" },
      { firstName: "A", lastName: "B" },
      { firstName: "AND", lastName: 'OR NEAR "x" *' },
      { firstName: "and", lastName: "or near x" },
      { firstName: "🙂", lastName: "🙂" },
      { firstName: "王", lastName: "小明" },
      { firstName: "Seán", lastName: `O'Brien-${"x".repeat(300)}` },
      { firstName: "2", lastName: "3", email: null, phone: null },
      { firstName: "Zoé", lastName: "Ünal" },
      { firstName: "Zoe", lastName: "Unal" },
    ]);
    // Rows no form produces, written as an import or an old version might have: empty sort name and strings.
    const blankIds = [newId(), newId()];
    await auditedBatch(db, actorOf(user.id), [
      db.insert(contacts).values(blankIds.map((id) => ({ id, ownerId: user.id, firstName: "", sortName: "", email: "", phone: "", phoneE164: "", updatedAt: new Date() }))),
    ]);
    const ids = [...odd, ...blankIds];
    for (const id of ids) expect(await detect(user.id, { contactIds: [id] })).toMatchObject({ created: expect.any(Number) });
    await detect(user.id, { contactIds: ids });
    await detect(user.id, "all");
    const pairs = await pairsOf(user.id);
    // Names of more than six words are not compared, nor single letters, empty values or blank names.
    expect(pairs.map((p) => p.split(" ").slice(2, 3)[0]).sort()).toEqual(["NAME", "NAME"]);
    expect(await pairBetween(odd[10]!, odd[11]!)).toMatchObject({ reason: "NAME", score: 1 });
    expect(await pairBetween(odd[4]!, odd[5]!)).toMatchObject({ reason: "NAME", score: 1 });
  });

  it("skips a pair whose other contact was deleted (merged away) after detection read it, and stores the rest", async () => {
    const { user } = await register();
    const [gone, kept] = await insertContacts(user.id, [
      { firstName: "Paul", lastName: "Roux", email: "paul@studio.example" },
      { firstName: "Sam", lastName: "Blanc", phone: "+33 6 12 34 56 78" },
    ]);
    const fresh = await insertContact(user.id, { firstName: "Someone", lastName: "New", email: "paul@studio.example", phone: "06 12 34 56 78" });
    // A merge committing between detection's reads and its write: its batch's first statement sets the audit context.
    await env.DB.exec(
      `CREATE TRIGGER test_delete_between AFTER INSERT ON audit_context WHEN EXISTS (SELECT 1 FROM contacts WHERE id = '${gone}') BEGIN DELETE FROM contacts WHERE id = '${gone}'; END`,
    );
    try {
      expect(await detect(user.id, { contactIds: [fresh] })).toEqual({ created: 1 });
    } finally {
      await env.DB.exec("DROP TRIGGER test_delete_between");
    }
    expect(await pairsOf(user.id)).toEqual([`${[fresh, kept!].sort().join(" ")} PHONE 1 PENDING`]);
  });
});
