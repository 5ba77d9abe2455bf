import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { documentCounters, quotes } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { allocateNumber, formatNumber } from "../../workers/modules/documents/numbering";
import { localDate } from "../../workers/modules/documents/owner";
import { api, expectProblem } from "../support/http";
import { actorOf, db, line, newOwner, newQuote } from "./helpers";

const counters = (userId: string) => db.select().from(documentCounters).where(eq(documentCounters.userId, userId));
const yearIn = (zone: string) => Number(localDate(new Date(), zone).slice(0, 4));

/** A quote row numbered by `allocateNumber` for any year, the way the service inserts one. */
function numberedQuote(ownerId: string, contactId: string, year: number) {
  const numbering = allocateNumber(db, ownerId, "QUOTE", year);
  const now = new Date();
  return [
    numbering.bump,
    db
      .insert(quotes)
      .values({ id: newId(), ownerId, number: numbering.number, year, sequence: numbering.sequence, contactId, currency: "EUR", items: [], subtotal: 0, taxTotal: 0, total: 0, createdAt: now, updatedAt: now })
      .returning({ number: quotes.number, sequence: quotes.sequence }),
  ] as const;
}

describe("document numbers", () => {
  it("25 concurrent creations get exactly 1..25, no repeat, no gap", async () => {
    const owner = await newOwner();
    const created = await Promise.all(Array.from({ length: 25 }, () => api("/api/quotes", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(100)] } })));
    for (const res of created) expect(res.status, res.text).toBe(201);
    const year = yearIn("UTC");
    expect(created.map((res) => res.body.number).sort()).toEqual(Array.from({ length: 25 }, (_, i) => formatNumber("QUOTE", year, i + 1)));
    expect(await counters(owner.id)).toEqual([{ userId: owner.id, series: "QUOTE", year, lastNumber: 25 }]);
    // Invoices count on their own.
    const invoice = await api("/api/invoices", { token: owner.token, json: { contactId: owner.contactId, currency: "EUR", items: [line(100)] } });
    expect(invoice.body.number).toBe(`F-${year}-0001`);
  });

  it("a refused creation consumes no number: 404 before the batch, or a constraint failing inside it", async () => {
    const owner = await newOwner();
    await newQuote(owner);
    expectProblem(await api("/api/quotes", { token: owner.token, json: { contactId: newId(), currency: "EUR", items: [line(100)] } }), 404, "NOT_FOUND");
    // The contact's foreign key fails in the batch: the counter's bump rolls back with the insert.
    await expect(auditedBatch(db, actorOf(owner.id), [...numberedQuote(owner.id, newId(), yearIn("UTC"))])).rejects.toThrow(/FOREIGN KEY/);
    expect((await newQuote(owner)).number).toMatch(/-0002$/);
  });

  it("one counter per year, in the owner's zone; past 9999 the number grows a digit; deleting a draft frees nothing", async () => {
    const owner = await newOwner("Pacific/Kiritimati");
    const year = yearIn("Pacific/Kiritimati");
    const [, lastYear] = await auditedBatch(db, actorOf(owner.id), [...numberedQuote(owner.id, owner.contactId, year - 1)]);
    expect(lastYear[0]).toEqual({ number: `Q-${year - 1}-0001`, sequence: 1 });
    const first = await newQuote(owner);
    expect(first.number).toBe(`Q-${year}-0001`);
    await api(`/api/quotes/${first.id}`, { method: "DELETE", token: owner.token });
    expect((await newQuote(owner)).number).toBe(`Q-${year}-0002`);
    expect((await counters(owner.id)).map((c) => [c.year, c.lastNumber]).sort()).toEqual([
      [year - 1, 1],
      [year, 2],
    ]);

    await db
      .update(documentCounters)
      .set({ lastNumber: 9999 })
      .where(and(eq(documentCounters.userId, owner.id), eq(documentCounters.year, year)));
    const big = await newQuote(owner);
    expect(big.number).toBe(`Q-${year}-10000`);
    const [row] = await db.select({ sequence: quotes.sequence, year: quotes.year }).from(quotes).where(eq(quotes.id, big.id));
    expect(row).toEqual({ sequence: 10000, year });
  });
});
