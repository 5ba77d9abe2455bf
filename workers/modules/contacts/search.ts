import { and, asc, desc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Db } from "@shared/db/client";
import { contacts, contactTags } from "@shared/db/schema";
import { validationFailed } from "@shared/lib/errors";
import { searchTerms } from "@shared/lib/text";
import type { ContactSort } from "./schemas";

/**
 * The FTS5 index of contacts (migrations/0002_search_and_audit.sql), declared here only so queries can name
 * it: it is a virtual table kept by triggers, not part of the drizzle schema that generates migrations.
 */
export const contactsFts = sqliteTable("contacts_fts", {
  rowid: integer("rowid").notNull(),
  owner: text("owner"),
  name: text("name"),
  email: text("email"),
  phone: text("phone"),
  company: text("company"),
});

/** Digits and the punctuation people type in phone numbers, nothing else. */
const PHONE_LIKE = /^[\d\s+().\-/]*\d[\d\s+().\-/]*$/;
const MAX_TERMS = 8;

/**
 * The FTS5 query for a free-text search by one owner: every term must prefix-match a word of the name, email,
 * phone or company, inside the owner's own rows. The owner column is excluded from the terms' columns, or a
 * term like "019" would match every row through the (hexadecimal) owner token. A query that looks like a phone
 * number becomes one term of its digits, because the index holds each phone as whole digit strings
 * ("0612" finds "+33 6 12 34 56 78" through its national form 0612345678).
 */
export function ftsMatch(ownerId: string, query: string): string {
  const terms = PHONE_LIKE.test(query) ? [query.replace(/\D/g, "")] : searchTerms(query).slice(0, MAX_TERMS);
  if (terms.length === 0) throw validationFailed([{ path: "query.search", message: "must contain letters or digits to search for" }]);
  const phrases = terms.map((term) => `"${term.replace(/"/g, '""')}"*`).join(" AND ");
  return `owner : "${ownerId.replace(/-/g, "")}" AND {name email phone company} : (${phrases})`;
}

export interface ContactListPlan {
  ownerId: string;
  sort: ContactSort;
  order: "asc" | "desc";
  /** The (sort key, id) of the last row already served. */
  after?: [string | number, string];
  tagId?: string;
  /** An FTS5 expression from `ftsMatch`. */
  match?: string;
  limit: number;
}

const sortColumns = { name: contacts.sortName, created: contacts.createdAt, updated: contacts.updatedAt } as const;

/**
 * The list query, unexecuted (a test reads its SQL for EXPLAIN QUERY PLAN). Keyset pagination on
 * (sort key, id): contacts_owner_{name,created,updated}_idx serve both the filter and the order, so a page
 * costs `limit` index steps however deep it is. Fetches `limit + 1` rows to know whether a next page exists.
 */
export function contactListQuery(db: Db, plan: ContactListPlan) {
  const column = sortColumns[plan.sort];
  const direction = plan.order === "asc" ? asc : desc;
  const conditions: SQL[] = [eq(contacts.ownerId, plan.ownerId)];
  const columns = getTableColumns(contacts);
  let query = db.select(columns).from(contacts).$dynamic();
  if (plan.match !== undefined) {
    // CROSS JOIN keeps the full-text index as the outer loop (SQLite never reorders it): left free, the planner
    // walks the sort index and probes the FTS table once per contact of the owner. The rows are the same
    // contacts columns either way; only the builder's type names another table, hence the cast.
    query = db.select(columns).from(contactsFts).crossJoin(contacts).$dynamic() as unknown as typeof query;
    conditions.push(sql`${contactsFts} MATCH ${plan.match}`, eq(contacts.seq, contactsFts.rowid));
  }
  if (plan.tagId !== undefined) {
    query = query.innerJoin(contactTags, eq(contactTags.contactId, contacts.id));
    conditions.push(eq(contactTags.ownerId, plan.ownerId), eq(contactTags.tagId, plan.tagId));
  }
  if (plan.after) {
    const [key, id] = plan.after;
    conditions.push(plan.order === "asc" ? sql`(${column}, ${contacts.id}) > (${key}, ${id})` : sql`(${column}, ${contacts.id}) < (${key}, ${id})`);
  }
  return query
    .where(and(...conditions))
    .orderBy(direction(column), direction(contacts.id))
    .limit(plan.limit + 1);
}

/**
 * The list query with each row's tags attached, so a page costs one D1 round trip: the page is selected
 * first (the plan above, `limit + 1` rows), and only then is the tags subquery run, once per row of the page.
 * Tags come as a JSON array of [id, name, color], ordered by name, found through the link's primary key
 * (the owner check is `+owner_id`, as in `ownedBy`, so it cannot pull in contact_tags_owner_tag_idx).
 */
export function contactPageQuery(db: Db, plan: ContactListPlan) {
  const page = contactListQuery(db, plan).as("page");
  const fields = Object.fromEntries(Object.keys(getTableColumns(contacts)).map((key) => [key, page[key as keyof typeof page]])) as unknown as ReturnType<typeof getTableColumns<typeof contacts>>;
  const direction = plan.order === "asc" ? asc : desc;
  const sortKey = { name: page.sortName, created: page.createdAt, updated: page.updatedAt }[plan.sort];
  return db
    .select({
      ...fields,
      tagList: sql<string>`(SELECT json_group_array(json_array(t.id, t.name, t.color)) FROM (
        SELECT t.id, t.name, t.color FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
        WHERE ct.contact_id = "page"."id" AND +ct.owner_id = ${plan.ownerId} ORDER BY t.name_key) t)`,
    })
    .from(page)
    .orderBy(direction(sortKey), direction(page.id));
}
