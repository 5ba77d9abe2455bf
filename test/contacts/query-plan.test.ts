import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { contactListQuery, contactPageQuery, ftsMatch, type ContactListPlan } from "../../workers/modules/contacts/search";
import { register } from "../support/http";
import { db, newContact, newTag } from "./helpers";

/** The plan SQLite picks for the exact statement the list runs (same SQL, same bound values). */
async function planOf(plan: ContactListPlan, query: typeof contactListQuery | typeof contactPageQuery = contactListQuery): Promise<string[]> {
  const { sql, params } = query(db, plan).toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

const fullScan = (detail: string) => /^SCAN (contacts|contact_tags)\b(?!.*USING)/.test(detail);

describe("contact list query plans", () => {
  let ownerId = "";
  let tag = { id: "" };
  beforeAll(async () => {
    const account = await register();
    ownerId = account.user.id;
    // Some data, so the plans are those of a populated table (the planner has no statistics either way).
    tag = await newTag(account.accessToken, "Plan");
    for (let i = 0; i < 5; i++) await newContact(account.accessToken, { firstName: `Plan ${i}`, tagIds: [tag.id] });
  });

  const cursors = { name: ["plan 2", "01a1fdd4-0000-7000-8000-000000000000"], created: [Date.now(), "x"], updated: [Date.now(), "x"] } as const;

  for (const sort of ["name", "created", "updated"] as const) {
    for (const order of ["asc", "desc"] as const) {
      for (const paged of [false, true]) {
        it(`sort=${sort} order=${order}${paged ? " after a cursor" : ""}: walks contacts_owner_${sort}_idx in order, no sort step`, async () => {
          const details = await planOf({ ownerId, sort, order, limit: 20, after: paged ? [...cursors[sort]] : undefined });
          expect(details.join("\n")).toMatch(new RegExp(`^SEARCH contacts USING INDEX contacts_owner_${sort}_idx \\(owner_id=\\?${paged ? ` AND \\(${sort === "name" ? "sort_name" : `${sort}_at`},id\\)[<>]\\(\\?,\\?\\)` : ""}\\)$`));
          expect(details.some((d) => d.includes("TEMP B-TREE"))).toBe(false);
        });
      }
    }
  }

  for (const paged of [false, true]) {
    it(`tag filter${paged ? " after a cursor" : ""}: index searches on contacts and contact_tags, no full scan`, async () => {
      const details = await planOf({ ownerId, sort: "name", order: "asc", limit: 20, tagId: tag.id, after: paged ? [...cursors.name] : undefined });
      expect(details.some(fullScan), details.join("\n")).toBe(false);
      expect(details.find((d) => d.includes("contact_tags"))).toMatch(/^SEARCH contact_tags USING (COVERING )?INDEX contact_tags_owner_tag_idx|^SEARCH contact_tags USING (COVERING )?INDEX sqlite_autoindex_contact_tags_1/);
      expect(details.find((d) => / contacts /.test(`${d} `))).toMatch(/^SEARCH contacts USING INDEX contacts_(owner_name_idx|id_unique)/);
    });
  }

  for (const withTag of [false, true]) {
    it(`search${withTag ? " with a tag filter" : ""}: the FTS index first, then contacts by rowid`, async () => {
      const details = await planOf({ ownerId, sort: "name", order: "asc", limit: 20, match: ftsMatch(ownerId, "plan"), after: [...cursors.name], tagId: withTag ? tag.id : undefined });
      expect(details[0]).toMatch(/^SCAN contacts_fts VIRTUAL TABLE INDEX \d+:M/);
      expect(details).toContain("SEARCH contacts USING INTEGER PRIMARY KEY (rowid=?)");
      expect(details.some(fullScan), details.join("\n")).toBe(false);
      if (withTag) expect(details.find((d) => d.includes("contact_tags"))).toMatch(/^SEARCH contact_tags USING (COVERING )?INDEX/);
    });
  }

  it("the page's tags are read per row of the page through the link's primary key, after the limit", async () => {
    const details = await planOf({ ownerId, sort: "name", order: "asc", limit: 50 }, contactPageQuery);
    expect(details).toContain("CO-ROUTINE page");
    expect(details).toContain("SEARCH contacts USING INDEX contacts_owner_name_idx (owner_id=?)");
    expect(details).toContain("CORRELATED SCALAR SUBQUERY 2");
    expect(details).toContain("SEARCH ct USING INDEX sqlite_autoindex_contact_tags_1 (contact_id=?)");
    expect(details.some((d) => d.includes("contact_tags_owner_tag_idx"))).toBe(false);
  });
});
