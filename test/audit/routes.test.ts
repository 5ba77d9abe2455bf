import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { auditQuery } from "../../workers/modules/audit/service";
import { createDb } from "@shared/db/client";
import { tags, users } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem, register, type Account } from "../support/http";

const db = createDb(env.DB);

/** Writes `count` tags for the account through the audited path, then renames the first one. */
async function tagsFor(account: Account, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  const actor = { type: "USER" as const, id: account.user.id, requestId: "req-seed" };
  await auditedBatch(db, actor, [
    db.insert(tags).values(ids.map((id, i) => ({ id, ownerId: account.user.id, name: `Tag ${i}`, nameKey: `tag ${i}`, updatedAt: new Date() }))),
  ]);
  await auditedBatch(db, actor, [db.update(tags).set({ name: "Renamed", nameKey: "renamed", updatedAt: new Date() }).where(eq(tags.id, ids[0]!))]);
  return ids;
}

describe("GET /api/audit", () => {
  it("lists the caller's own trail newest first, filters by entity and action, and pages exactly once", async () => {
    const owner = await register();
    const other = await register();
    const ids = await tagsFor(owner, 5);
    await tagsFor(other, 2);

    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api(`/api/audit?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: owner.accessToken });
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(seen.every((e) => e.ownerId === owner.user.id && e.actorId === owner.user.id && e.requestId === "req-seed")).toBe(true);
    expect(seen.map((e) => Number(e.id))).toEqual(seen.map((e) => Number(e.id)).sort((a, b) => b - a));
    expect(seen[0]).toMatchObject({ action: "UPDATE", entityType: "tag", entityId: ids[0], changes: { name: { before: "Tag 0", after: "Renamed" } } });

    const filtered = await api(`/api/audit?entityType=tag&entityId=${ids[0]}`, { token: owner.accessToken });
    expect(filtered.body.items.map((e: any) => e.action)).toEqual(["UPDATE", "CREATE"]);
    const creates = await api("/api/audit?action=CREATE&limit=100", { token: owner.accessToken });
    expect(creates.body.items).toHaveLength(5);
    // Another account's filter on the owner's entity finds nothing.
    expect((await api(`/api/audit?entityId=${ids[0]}`, { token: other.accessToken })).body.items).toEqual([]);
  });

  it("refuses bad filters, foreign cursors and anonymous callers", async () => {
    const owner = await register();
    const bad = await api("/api/audit?action=EXPLODE&limit=0&entityType=Robert');DROP&cursor=nope&extra=1", { token: owner.accessToken });
    expectProblem(bad, 400, "VALIDATION_FAILED");
    expect(errorPaths(bad)).toEqual(expect.arrayContaining(["query.action", "query.limit", "query.entityType", "query.extra"]));
    expect(errorPaths(await api("/api/audit?cursor=bm9wZQ", { token: owner.accessToken }))).toEqual(["query.cursor"]);
    expectProblem(await api("/api/audit"), 401, "UNAUTHORIZED");
  });
});

describe("GET /api/admin/audit", () => {
  it("is 403 for everyone but administrators, who see every account's trail and can filter by owner", async () => {
    const admin = await register();
    const a = await register();
    const b = await register();
    await tagsFor(a, 1);
    await tagsFor(b, 1);
    expectProblem(await api("/api/admin/audit", { token: a.accessToken }), 403, "FORBIDDEN");

    await db.update(users).set({ role: "ADMIN" }).where(eq(users.id, admin.user.id));
    const all = await api("/api/admin/audit?limit=100", { token: admin.accessToken });
    expect(all.status, all.text).toBe(200);
    const owners = new Set(all.body.items.map((e: any) => e.ownerId));
    expect(owners.has(a.user.id) && owners.has(b.user.id)).toBe(true);
    const onlyB = await api(`/api/admin/audit?ownerId=${b.user.id}`, { token: admin.accessToken });
    expect(onlyB.body.items.length).toBe(2);
    expect(onlyB.body.items.every((e: any) => e.ownerId === b.user.id)).toBe(true);
  });
});

describe("audit query plans", () => {
  const planOf = async (filter: Parameters<typeof auditQuery>[1], beforeSeq?: number) => {
    const { sql, params } = auditQuery(db, filter, 20, beforeSeq).toSQL();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail);
  };

  it("serves every owner filter from an index in seq order, without a sort step", async () => {
    const cases: [Parameters<typeof auditQuery>[1], string][] = [
      [{ ownerId: "o" }, "audit_log_owner_seq_idx"],
      [{ ownerId: "o", entityType: "contact" }, "audit_log_owner_type_idx"],
      [{ ownerId: "o", entityType: "contact", entityId: "c" }, "audit_log_owner_entity_idx"],
      [{ ownerId: "o", action: "DELETE" }, "audit_log_owner_action_idx"],
    ];
    for (const [filter, index] of cases) {
      for (const before of [undefined, 1000]) {
        const details = await planOf(filter, before);
        expect(details.join("\n"), JSON.stringify(filter)).toMatch(new RegExp(`^SEARCH audit_log USING INDEX ${index} \\(`));
        expect(details.some((d) => d.includes("TEMP B-TREE")), JSON.stringify(filter)).toBe(false);
      }
    }
  });
});
