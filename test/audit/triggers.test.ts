import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { triggersFor, MISSING_CONTEXT } from "@shared/db/audit-sql";
import { auditSpecs } from "@shared/db/audit-spec";
import { auditedBatch, type Actor } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { auditContext, auditLog, contacts, contactTags, tags, users } from "@shared/db/schema";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { newId } from "@shared/lib/ids";

const db = createDb(env.DB);

async function newOwner(): Promise<string> {
  const id = newId();
  await db.insert(users).values({ id, email: `${id}@studio.example`, firstName: "Owner", lastName: "Test", updatedAt: new Date() });
  return id;
}

const actorFor = (ownerId: string): Actor => ({ type: "USER", id: ownerId, requestId: `req-${ownerId.slice(-6)}` });
const contactRow = (ownerId: string, firstName: string) => ({ id: newId(), ownerId, firstName, sortName: firstName.toLowerCase(), updatedAt: new Date() });

describe("audit triggers", () => {
  it("exist for every table with an owner_id, exactly as generated from the current schema", async () => {
    const { results } = await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'").all<{ name: string; sql: string }>();
    const installed = new Map(results.map((r) => [r.name, r.sql]));
    const expected = auditSpecs.flatMap(triggersFor);
    // Stale triggers (a column added without `npm run db:audit-sql` into a new migration) fail here.
    // SQLite keeps a trigger's text as written, minus the final semicolon.
    for (const { name, sql } of expected) expect(installed.get(name), `trigger ${name} differs from shared/db/audit-sql.ts`).toBe(sql.replace(/;$/, ""));
    expect([...installed.keys()].sort()).toEqual(expected.map((t) => t.name).sort());

    const { results: tables } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' AND name NOT LIKE '\\_%' ESCAPE '\\'").all<{ name: string }>();
    const tenantTables: string[] = [];
    for (const { name } of tables) {
      // D1 refuses the pragma_table_info() table function but answers the PRAGMA itself.
      const { results: columns } = await env.DB.prepare(`PRAGMA table_info("${name}")`).all<{ name: string }>();
      if (name !== "audit_log" && columns.some((c) => c.name === "owner_id")) tenantTables.push(name);
    }
    const audited = new Set(auditSpecs.map((spec) => getTableConfig(spec.table).name));
    expect(tenantTables).toContain("contacts");
    expect(tenantTables.filter((name) => !audited.has(name)), "tenant tables without audit triggers").toEqual([]);
  });

  it("refuse a write to tenant data made without an audit context, and keep nothing of it", async () => {
    const ownerId = await newOwner();
    const row = contactRow(ownerId, "Unrecorded");
    const error = await db.insert(contacts).values(row).then(() => null, (e: Error) => e);
    // drizzle wraps D1's error; SQLite's message is in its cause.
    expect(String((error?.cause as Error | undefined)?.message)).toContain(MISSING_CONTEXT);
    expect(await db.select().from(contacts).where(eq(contacts.id, row.id))).toEqual([]);
  });

  it("record create, update and delete with actor, request id and before/after of changed fields only", async () => {
    const ownerId = await newOwner();
    const actor = actorFor(ownerId);
    const row = { ...contactRow(ownerId, "Élodie"), email: "elodie@example.com" };
    await auditedBatch(db, actor, [db.insert(contacts).values(row)]);
    // Only derived or bookkeeping columns change: nothing to record.
    await auditedBatch(db, actor, [db.update(contacts).set({ sortName: "x", updatedAt: new Date() }).where(eq(contacts.id, row.id))]);
    await auditedBatch(db, actor, [db.update(contacts).set({ lastName: "Martin", email: null, updatedAt: new Date() }).where(eq(contacts.id, row.id))]);
    await auditedBatch(db, { type: "SYSTEM", id: null, requestId: null }, [db.delete(contacts).where(eq(contacts.id, row.id))]);

    const trail = await db.select().from(auditLog).where(eq(auditLog.entityId, row.id)).orderBy(auditLog.seq);
    expect(trail.map((t) => [t.action, t.entityType, t.actorType, t.actorId, t.requestId, t.ownerId])).toEqual([
      ["CREATE", "contact", "USER", ownerId, actor.requestId, ownerId],
      ["UPDATE", "contact", "USER", ownerId, actor.requestId, ownerId],
      ["DELETE", "contact", "SYSTEM", null, null, ownerId],
    ]);
    expect(trail[0]!.changes).toEqual({
      firstName: { before: null, after: "Élodie" },
      email: { before: null, after: "elodie@example.com" },
      source: { before: null, after: "MANUAL" },
    });
    expect(trail[1]!.changes).toEqual({ lastName: { before: null, after: "Martin" }, email: { before: "elodie@example.com", after: null } });
    expect(trail[2]!.changes).toMatchObject({ firstName: { before: "Élodie", after: null }, lastName: { before: "Martin", after: null } });
    // The context never outlives its batch.
    expect(await db.select().from(auditContext)).toEqual([]);
  });

  it("record links as changes of the linked entity, and a failed batch leaves neither rows nor audit", async () => {
    const ownerId = await newOwner();
    const actor = actorFor(ownerId);
    const contact = contactRow(ownerId, "Linked");
    const tagId = newId();
    await auditedBatch(db, actor, [
      db.insert(contacts).values(contact),
      db.insert(tags).values({ id: tagId, ownerId, name: "VIP", nameKey: "vip", updatedAt: new Date() }),
      db.insert(contactTags).values({ ownerId, contactId: contact.id, tagId }),
    ]);
    const links = await db.select().from(auditLog).where(eq(auditLog.entityId, contact.id)).orderBy(auditLog.seq);
    expect(links.map((l) => [l.action, l.changes])).toEqual([
      ["CREATE", expect.any(Object)],
      ["UPDATE", { tag: { before: null, after: tagId } }],
    ]);

    const before = (await db.select().from(auditLog)).length;
    // The second statement violates the unique tag name: the whole batch, its audit rows included, rolls back.
    await expect(
      auditedBatch(db, actor, [
        db.update(contacts).set({ firstName: "Renamed", updatedAt: new Date() }).where(eq(contacts.id, contact.id)),
        db.insert(tags).values({ id: newId(), ownerId, name: "vip", nameKey: "vip", updatedAt: new Date() }),
      ]),
    ).rejects.toThrow();
    expect((await db.select().from(auditLog)).length).toBe(before);
    expect((await db.select().from(contacts).where(eq(contacts.id, contact.id)))[0]!.firstName).toBe("Linked");
    expect(await db.select().from(auditContext)).toEqual([]);
  });
});
