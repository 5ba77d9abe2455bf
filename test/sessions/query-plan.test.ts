import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { sessionRangeQuery, type SessionRange } from "../../workers/modules/sessions/list";
import { register } from "../support/http";
import { createContact, createSession, createTag, db } from "./helpers";

/** The plan SQLite picks for the exact statement a list page runs (same SQL, same bound values). */
async function planOf(range: SessionRange): Promise<string[]> {
  const { sql, params } = sessionRangeQuery(db, range).toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

describe("session list query plans", () => {
  let ownerId = "";
  let contactId = "";
  let tagId = "";
  beforeAll(async () => {
    const account = await register();
    ownerId = account.user.id;
    contactId = (await createContact(account.accessToken)).id;
    tagId = (await createTag(account.accessToken)).id;
    for (let i = 0; i < 4; i++) {
      await createSession(account.accessToken, { title: `Plan ${i}`, startsAt: i % 2 ? null : `2026-0${i + 1}-01T10:00:00Z`, contactIds: [contactId], tagIds: [tagId] });
    }
  });

  const after = { scheduled: [Date.parse("2026-03-01T00:00:00Z"), "01a1fdd4-0000-7000-8000-000000000000"], created: [Date.now(), "x"], unscheduled: "x" } as const;
  const cases: [string, string, Omit<SessionRange, "ownerId" | "take">][] = [];
  for (const range of ["scheduled", "unscheduled", "created"] as const) {
    for (const paged of [false, true]) {
      const at = paged ? (typeof after[range] === "string" ? (after[range] as string) : ([...after[range]] as [number, string])) : undefined;
      const index = range === "created" ? "sessions_owner_created_idx" : "sessions_owner_starts_idx";
      cases.push([`${range}${paged ? " after a cursor" : ""}`, index, { range, after: at }]);
      if (range !== "created") cases.push([`${range}, one status${paged ? ", after a cursor" : ""}`, "sessions_owner_status_starts_idx", { range, status: "CONFIRMED", after: at }]);
    }
  }
  cases.push(["created, one status", "sessions_owner_created_idx", { range: "created", status: "LEAD" }]);
  cases.push(["scheduled in a date range", "sessions_owner_starts_idx", { range: "scheduled", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }]);
  // Either index serves this one in order; the planner picks the date range bounded on both sides.
  cases.push(["scheduled in a date range, one status, after a cursor", "sessions_owner_(status_)?starts_idx", { range: "scheduled", status: "LEAD", from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z", after: [...after.scheduled] }]);

  it.each(cases)("%s: searches %s in order, no sort step", async (_, index, range) => {
    const details = await planOf({ ownerId, take: 21, ...range });
    expect(details[0], details.join("\n")).toMatch(new RegExp(`^SEARCH sessions USING INDEX ${index} \\(owner_id=\\?`));
    expect(details.some((d) => d.includes("TEMP B-TREE")), details.join("\n")).toBe(false);
    expect(details.some((d) => /^SCAN /.test(d)), details.join("\n")).toBe(false);
    // A cursor starts the index range where the last page ended, rather than filtering rows from the start.
    if (typeof range.after === "string") expect(details[0]).toMatch(/ AND id>\?\)$/);
    else if (range.after) expect(details[0]).toMatch(range.range === "created" ? /\(created_at,id\)>\(\?,\?\)/ : /\(starts_at,id\)>\(\?,\?\)/);
  });

  it.each([
    ["contactId", "session_contacts"],
    ["tagId", "session_tags"],
  ] as const)("%s filter: the session index in order, the link table's index for the filter, no scan or sort", async (filter, linkTable) => {
    for (const range of ["scheduled", "unscheduled", "created"] as const) {
      const details = await planOf({ ownerId, take: 21, range, ...(filter === "contactId" ? { contactId } : { tagId }) });
      expect(details.some((d) => /^SCAN |TEMP B-TREE/.test(d)), details.join("\n")).toBe(false);
      expect(details[0]).toMatch(/^SEARCH sessions USING INDEX sessions_owner_(starts|created)_idx/);
      expect(details.find((d) => d.includes(linkTable)), details.join("\n")).toMatch(/^SEARCH \w+ USING (COVERING )?INDEX/);
    }
  });
});
