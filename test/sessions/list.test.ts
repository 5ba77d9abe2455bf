import { beforeAll, describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { sessions, sessionTags } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { createContact, createSession, createTag, db, readAll } from "./helpers";

interface Made {
  id: string;
  status: string;
  startsAt: string | null;
  createdAt: string;
  contacts: { id: string }[];
  tags: { id: string }[];
}

const byId = (a: Made, b: Made) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** The documented order: scheduled by (startsAt, id), then unscheduled by id. */
const startsOrder = (rows: Made[]) => [
  ...rows.filter((r) => r.startsAt).sort((a, b) => Date.parse(a.startsAt!) - Date.parse(b.startsAt!) || byId(a, b)),
  ...rows.filter((r) => !r.startsAt).sort(byId),
];
const createdOrder = (rows: Made[]) => [...rows].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || byId(a, b));

describe("GET /api/sessions", () => {
  let token = "";
  let made: Made[] = [];
  let contactId = "";
  let tagId = "";

  beforeAll(async () => {
    token = (await register()).accessToken;
    contactId = (await createContact(token, "Filtered")).id;
    tagId = (await createTag(token, "Filter")).id;
    const statuses = ["LEAD", "CONFIRMED", "COMPLETED", "CANCELLED"];
    // Shared start times (ties broken by id), unscheduled sessions, and a spread of statuses and links.
    const times = ["2026-05-01T10:00:00Z", "2026-05-01T10:00:00Z", "2026-04-01T08:00:00+02:00", null, "2026-07-15T09:30:00Z", null, "2026-05-01T10:00:00Z", "2026-01-01T00:00:00Z", null, "2026-12-31T23:59:59.999Z", "2026-05-01T10:00:00.001Z", null, "2026-04-01T06:00:00Z", "2026-08-01T00:00:00Z"];
    made = [];
    for (const [i, startsAt] of times.entries()) {
      made.push(
        await createSession(token, {
          title: `Session ${i}`,
          status: statuses[i % 4],
          startsAt,
          ...(i % 3 === 0 ? { contactIds: [contactId] } : {}),
          ...(i % 2 === 0 ? { tagIds: [tagId] } : {}),
        }),
      );
    }
    // Another user's sessions never show up.
    const other = await register();
    await createSession(other.accessToken, { title: "Other", startsAt: "2026-05-01T10:00:00Z", tagIds: [] });
  });

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

  it("defaults to start order, unscheduled last, and returns every session exactly once at any page size", async () => {
    const expected = ids(startsOrder(made));
    for (const limit of [1, 2, 3, 5, 13, 14, 100]) expect(ids(await readAll("/api/sessions", token, limit)), `limit=${limit}`).toEqual(expected);
    const first = await api("/api/sessions", { token });
    expect(first.body.items).toHaveLength(made.length);
    expect(first.body.items[0]).toMatchObject({ id: expected[0], contacts: expect.any(Array), tags: expect.any(Array), providers: [] });
  });

  it("sort=created: oldest first, every session once", async () => {
    const expected = ids(createdOrder(made));
    for (const limit of [1, 4, 100]) expect(ids(await readAll("/api/sessions?sort=created", token, limit))).toEqual(expected);
  });

  it.each([["LEAD"], ["CONFIRMED,CANCELLED"], ["lead, completed"], ["LEAD,CONFIRMED,COMPLETED,CANCELLED"]])("status=%s", async (status) => {
    const wanted = new Set(status.split(",").map((s) => s.trim().toUpperCase()));
    const subset = made.filter((m) => wanted.has(m.status));
    for (const limit of [1, 2, 100]) {
      expect(ids(await readAll(`/api/sessions?status=${encodeURIComponent(status)}`, token, limit))).toEqual(ids(startsOrder(subset)));
      expect(ids(await readAll(`/api/sessions?status=${encodeURIComponent(status)}&sort=created`, token, limit))).toEqual(ids(createdOrder(subset)));
    }
  });

  it("from/to: sessions starting in [from, to), unscheduled ones excluded", async () => {
    const from = "2026-04-01T06:00:00Z";
    const to = "2026-05-01T10:00:00.001Z";
    const subset = made.filter((m) => m.startsAt && Date.parse(m.startsAt) >= Date.parse(from) && Date.parse(m.startsAt) < Date.parse(to));
    expect(subset.length).toBe(5);
    for (const limit of [1, 2, 100]) {
      expect(ids(await readAll(`/api/sessions?from=${from}&to=${to}`, token, limit))).toEqual(ids(startsOrder(subset)));
    }
    // Only one bound.
    const later = made.filter((m) => m.startsAt && Date.parse(m.startsAt) >= Date.parse("2026-07-01T00:00:00Z"));
    expect(ids(await readAll("/api/sessions?from=2026-07-01T02:00:00%2B02:00", token, 2))).toEqual(ids(startsOrder(later)));
    const earlier = made.filter((m) => m.startsAt && Date.parse(m.startsAt) < Date.parse("2026-04-01T06:00:00Z"));
    expect(ids(await readAll("/api/sessions?to=2026-04-01T06:00:00Z", token, 2))).toEqual(ids(startsOrder(earlier)));
    // Combined with a status filter.
    const confirmed = subset.filter((m) => m.status === "CONFIRMED");
    expect(ids(await readAll(`/api/sessions?from=${from}&to=${to}&status=CONFIRMED`, token, 1))).toEqual(ids(startsOrder(confirmed)));
  });

  it("contactId and tagId, alone, together and with a status", async () => {
    const withContact = made.filter((m) => m.contacts.some((c) => c.id === contactId));
    const withTag = made.filter((m) => m.tags.some((t) => t.id === tagId));
    expect(withContact.length).toBeGreaterThan(2);
    expect(withTag.length).toBeGreaterThan(2);
    expect(ids(await readAll(`/api/sessions?contactId=${contactId}`, token, 2))).toEqual(ids(startsOrder(withContact)));
    expect(ids(await readAll(`/api/sessions?tagId=${tagId}`, token, 3))).toEqual(ids(startsOrder(withTag)));
    expect(ids(await readAll(`/api/sessions?tagId=${tagId}&sort=created`, token, 3))).toEqual(ids(createdOrder(withTag)));
    const both = withTag.filter((m) => withContact.includes(m));
    expect(ids(await readAll(`/api/sessions?tagId=${tagId}&contactId=${contactId}`, token, 1))).toEqual(ids(startsOrder(both)));
    const leadsWithTag = withTag.filter((m) => m.status === "LEAD");
    expect(ids(await readAll(`/api/sessions?tagId=${tagId}&status=LEAD`, token, 1))).toEqual(ids(startsOrder(leadsWithTag)));
    expect((await api("/api/sessions?tagId=unknown", { token })).body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ["status=DONE", "query.status"],
    ["status=,", "query.status"],
    ["from=yesterday", "query.from"],
    ["to=2026-01-01", "query.to"],
    ["from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "query.to"],
    ["from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "query.to"],
    ["sort=title", "query.sort"],
    ["limit=0", "query.limit"],
    ["limit=101", "query.limit"],
    ["limit=ten", "query.limit"],
    ["cursor=garbage", "query.cursor"],
  ])("400 for %s", async (query, path) => {
    const res = await api(`/api/sessions?${query}`, { token });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual([path]);
  });

  it("a cursor only works with the sort that made it", async () => {
    const page = await api("/api/sessions?limit=2", { token });
    const res = await api(`/api/sessions?sort=created&cursor=${page.body.nextCursor}`, { token });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["query.cursor"]);
  });
});

describe("a full page", () => {
  it("limit=100 returns 100 sessions with their links, then the rest", async () => {
    const account = await register();
    const token = account.accessToken;
    const tag = await createTag(token, "Everywhere");
    const rows = Array.from({ length: 105 }, (_, i) => ({
      id: newId(),
      ownerId: account.user.id,
      title: `Bulk ${i}`,
      startsAt: i % 7 ? new Date(Date.UTC(2026, 0, 1 + (i % 40))) : null,
      updatedAt: new Date(),
    }));
    const actor = { type: "USER" as const, id: account.user.id, requestId: null };
    // 7 rows of 12 parameters: under D1's 100 per statement.
    for (let i = 0; i < rows.length; i += 7) {
      const chunk = rows.slice(i, i + 7);
      await auditedBatch(db, actor, [
        db.insert(sessions).values(chunk),
        db.insert(sessionTags).values(chunk.map((r) => ({ ownerId: account.user.id, sessionId: r.id, tagId: tag.id }))),
      ]);
    }
    const first = await api("/api/sessions?limit=100", { token });
    expect(first.body.items).toHaveLength(100);
    expect(first.body.items.every((s: any) => s.tags.length === 1 && s.tags[0].id === tag.id)).toBe(true);
    const all = await readAll("/api/sessions", token, 100);
    expect(new Set(all.map((s) => s.id)).size).toBe(105);
  });
});
