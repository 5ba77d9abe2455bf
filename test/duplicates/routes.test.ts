import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, duplicatePairs } from "@shared/db/schema";
import { duplicateListQuery } from "../../workers/modules/duplicates/pairs";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { allPages, db, depsFor, insertContacts, pairBetween } from "./helpers";

const scan = (token: string) => api("/api/duplicates/scan", { method: "POST", token });

/** An account with `n` pairs of same-email contacts, and `typos` more pairs found by name, scanned. */
async function accountWithPairs(n: number, typos = 0) {
  const account = await register();
  await insertContacts(account.user.id, [
    ...Array.from({ length: n }, (_, i) => [
      { firstName: `Twin${i}`, email: `twin${i}@studio.example` },
      { firstName: `Other${i}`, email: `twin${i}@studio.example` },
    ]).flat(),
    ...[
      ["Elodie Martin", "Elodie Matrin"],
      ["Paul Gauthier", "Paul Gautier"],
      ["Julie Moreau", "Julien Moreau"],
    ]
      .slice(0, typos)
      .flatMap((names) => names.map((name) => ({ firstName: name.split(" ")[0]!, lastName: name.split(" ")[1]! }))),
  ]);
  const res = await scan(account.accessToken);
  expect(res.status, res.text).toBe(200);
  expect(res.body).toEqual({ created: n + typos });
  return account;
}

describe("POST /api/duplicates/scan", () => {
  it("200 with how many pairs it created; a second scan creates none", async () => {
    const account = await accountWithPairs(2, 1);
    expect((await scan(account.accessToken)).body).toEqual({ created: 0 });
  });

  it("401 without a token", async () => {
    expectProblem(await api("/api/duplicates/scan", { method: "POST" }), 401, "UNAUTHORIZED");
  });
});

describe("GET /api/duplicates", () => {
  it("lists pending pairs by score, each with both contacts' summaries", async () => {
    const account = await accountWithPairs(1, 2);
    const res = await api("/api/duplicates", { token: account.accessToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const items = res.body.items;
    expect(items.map((p: { reason: string }) => p.reason)).toEqual(["EMAIL", "NAME", "NAME"]);
    const scores = items.map((p: { score: number }) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(items[0]).toEqual({
      id: expect.any(String),
      reason: "EMAIL",
      score: 1,
      status: "PENDING",
      contacts: [expect.any(Object), expect.any(Object)],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      updatedAt: expect.any(String),
    });
    const twins = items[0].contacts.map((c: { firstName: string }) => c.firstName).sort();
    expect(twins).toEqual(["Other0", "Twin0"]);
    expect(items[0].contacts[0]).toEqual({
      id: expect.any(String),
      firstName: expect.any(String),
      lastName: null,
      email: "twin0@studio.example",
      phone: null,
      phoneE164: null,
      company: null,
      createdAt: expect.any(String),
    });
    expect(items[0].contacts[0].id < items[0].contacts[1].id).toBe(true);
  });

  it("pages through every pair exactly once, equal scores included", async () => {
    const account = await accountWithPairs(7, 3);
    const items = await allPages(account.accessToken, "/api/duplicates?limit=3");
    expect(items).toHaveLength(10);
    expect(new Set(items.map((p) => p.id)).size).toBe(10);
    const scores = items.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const all = (await api("/api/duplicates?limit=100", { token: account.accessToken })).body.items;
    expect(items.map((p) => p.id)).toEqual(all.map((p: { id: string }) => p.id));
  });

  it("filters by status: IGNORED pairs leave the default list", async () => {
    const account = await accountWithPairs(2);
    const [first, second] = (await api("/api/duplicates", { token: account.accessToken })).body.items;
    await api(`/api/duplicates/${first.id}/ignore`, { method: "POST", token: account.accessToken });
    expect((await api("/api/duplicates", { token: account.accessToken })).body.items.map((p: { id: string }) => p.id)).toEqual([second.id]);
    expect((await api("/api/duplicates?status=PENDING", { token: account.accessToken })).body.items).toHaveLength(1);
    const ignored = (await api("/api/duplicates?status=IGNORED", { token: account.accessToken })).body.items;
    expect(ignored.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([[first.id, "IGNORED"]]);
  });

  it("400 naming the parameter for a bad status, limit or cursor; 401 without a token", async () => {
    const { accessToken: token } = await register();
    const badStatus = await api("/api/duplicates?status=MERGED", { token });
    expectProblem(badStatus, 400, "VALIDATION_FAILED");
    expect(errorPaths(badStatus)).toEqual(["query.status"]);
    expect(errorPaths(await api("/api/duplicates?limit=0", { token }))).toEqual(["query.limit"]);
    expect(errorPaths(await api("/api/duplicates?limit=101", { token }))).toEqual(["query.limit"]);
    const badCursor = await api("/api/duplicates?cursor=bm90LWEtY3Vyc29y", { token });
    expectProblem(badCursor, 400, "VALIDATION_FAILED");
    expect(errorPaths(badCursor)).toEqual(["query.cursor"]);
    expectProblem(await api("/api/duplicates"), 401, "UNAUTHORIZED");
  });

  it("walks duplicate_pairs_owner_status_idx in order: no sort step, no scan, also after a cursor", async () => {
    const account = await accountWithPairs(2);
    for (const after of [undefined, [0.95, "01a1fdd4-0000-7000-8000-000000000000"] as [number, string]]) {
      const { sql, params } = duplicateListQuery(depsFor(account.user.id), account.user.id, "PENDING", 20, after).toSQL();
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const details = results.map((row) => row.detail);
      expect(details[0], details.join("\n")).toMatch(/^SEARCH duplicate_pairs USING INDEX duplicate_pairs_owner_status_idx \(owner_id=\? AND status=\?/);
      expect(details.some((d) => d.includes("TEMP B-TREE")), details.join("\n")).toBe(false);
      expect(details.filter((d) => d.includes("contact_")).every((d) => /USING INDEX contacts_id_unique/.test(d)), details.join("\n")).toBe(true);
    }
  });
});

describe("POST /api/duplicates/:id/ignore", () => {
  it("200 with the pair IGNORED, audited as an UPDATE of the pair; ignoring again changes and records nothing", async () => {
    const account = await accountWithPairs(1);
    const [pair] = (await api("/api/duplicates", { token: account.accessToken })).body.items;
    const res = await api(`/api/duplicates/${pair.id}/ignore`, { method: "POST", token: account.accessToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ...pair, status: "IGNORED", updatedAt: expect.any(String) });
    const audit = () =>
      db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityType, "duplicate_pair"), eq(auditLog.entityId, pair.id), eq(auditLog.action, "UPDATE")));
    const rows = await audit();
    expect(rows.map((r) => [r.actorType, r.actorId, r.changes])).toEqual([["USER", account.user.id, { status: { before: "PENDING", after: "IGNORED" } }]]);
    expect(rows[0]!.requestId).toEqual(res.headers.get("x-request-id"));

    const again = await api(`/api/duplicates/${pair.id}/ignore`, { method: "POST", token: account.accessToken });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("IGNORED");
    expect(await audit()).toHaveLength(1);
  });

  it("404 for an unknown pair, 401 without a token", async () => {
    const { accessToken: token } = await register();
    expectProblem(await api("/api/duplicates/nope/ignore", { method: "POST", token }), 404, "NOT_FOUND");
    expectProblem(await api("/api/duplicates/nope/ignore", { method: "POST" }), 401, "UNAUTHORIZED");
  });
});

describe("tenancy", () => {
  it("another user never sees, ignores or merges someone's pairs: 404, and nothing changes", async () => {
    const owner = await accountWithPairs(1);
    const [pair] = (await api("/api/duplicates", { token: owner.accessToken })).body.items;
    const stranger = await register();
    await insertContacts(stranger.user.id, [
      { firstName: "Same", email: "twin0@studio.example" },
      { firstName: "Twin0", email: "twin0@studio.example" },
    ]);
    expect((await scan(stranger.accessToken)).body).toEqual({ created: 1 });

    for (const status of ["PENDING", "IGNORED"]) {
      const theirs = await api(`/api/duplicates?status=${status}`, { token: stranger.accessToken });
      expect(theirs.body.items.map((p: { id: string }) => p.id)).not.toContain(pair.id);
      for (const item of theirs.body.items) for (const c of item.contacts) expect(pair.contacts.map((x: { id: string }) => x.id)).not.toContain(c.id);
    }
    expectProblem(await api(`/api/duplicates/${pair.id}/ignore`, { method: "POST", token: stranger.accessToken }), 404, "NOT_FOUND");
    const keepId = pair.contacts[0].id;
    expectProblem(await api(`/api/duplicates/${pair.id}/merge`, { token: stranger.accessToken, json: { keepId } }), 404, "NOT_FOUND");

    const [stored] = await db.select().from(duplicatePairs).where(eq(duplicatePairs.id, pair.id));
    expect(stored).toMatchObject({ status: "PENDING", ownerId: owner.user.id });
    expect(await pairBetween(pair.contacts[0].id, pair.contacts[1].id)).toBeDefined();
    expect((await api("/api/duplicates", { token: owner.accessToken })).body.items).toEqual([pair]);
  });
});
