import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { Db } from "@shared/db/client";
import { sessionContacts, sessions, sessionTags, type Session, type SessionStatus } from "@shared/db/schema";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { entityHistory } from "../audit/service";
import type { SessionListInput } from "./schemas";
import { toSessionDtos, type SessionDto } from "./views";

// Keyset pagination over the session indexes. sort=startsAt serves scheduled sessions first, by (starts_at, id),
// then the unscheduled ones by id: two index ranges read one after the other, rather than one
// `ORDER BY starts_at IS NULL` no index can serve. The cursor says which range it stopped in (a null time
// means the unscheduled one). With several statuses, each status is read from
// sessions_owner_status_starts_idx and the ordered results are merged, so no list sorts in a temp b-tree;
// a contact or tag filter walks the same indexes, probing the link table's index (test/sessions/query-plan).

const startsCursor = z.tuple([z.literal("s"), z.number().int().nullable(), z.string()]);
const createdCursor = z.tuple([z.literal("c"), z.number().int(), z.string()]);

type Sort = SessionListInput["sort"];

/** One ordered index range of the list: what one statement reads. */
export interface SessionRange {
  ownerId: string;
  range: "scheduled" | "unscheduled" | "created";
  status?: SessionStatus;
  contactId?: string;
  tagId?: string;
  from?: string;
  to?: string;
  /** The key of the last row served: (time in ms, id), or just the id in the unscheduled range. */
  after?: [number, string] | string;
  take: number;
}

export function sessionRangeQuery(db: Db, q: SessionRange) {
  const time = q.range === "created" ? sessions.createdAt : sessions.startsAt;
  return db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.ownerId, q.ownerId),
        q.status ? eq(sessions.status, q.status) : undefined,
        q.range === "scheduled" ? isNotNull(sessions.startsAt) : q.range === "unscheduled" ? isNull(sessions.startsAt) : undefined,
        q.contactId
          ? inArray(
              sessions.id,
              db
                .select({ id: sessionContacts.sessionId })
                .from(sessionContacts)
                .where(and(eq(sessionContacts.ownerId, q.ownerId), eq(sessionContacts.contactId, q.contactId))),
            )
          : undefined,
        q.tagId
          ? inArray(
              sessions.id,
              db
                .select({ id: sessionTags.sessionId })
                .from(sessionTags)
                .where(and(eq(sessionTags.ownerId, q.ownerId), eq(sessionTags.tagId, q.tagId))),
            )
          : undefined,
        q.from ? gte(sessions.startsAt, new Date(q.from)) : undefined,
        q.to ? lt(sessions.startsAt, new Date(q.to)) : undefined,
        // A row-value comparison, which SQLite turns into an index range (an OR of two terms it would not).
        typeof q.after === "string" ? gt(sessions.id, q.after) : q.after ? sql`(${time}, ${sessions.id}) > (${q.after[0]}, ${q.after[1]})` : undefined,
      ),
    )
    .orderBy(...(q.range === "unscheduled" ? [asc(sessions.id)] : [asc(time), asc(sessions.id)]))
    .limit(q.take);
}

const timeOf = (row: Session, sort: Sort) => (sort === "created" ? row.createdAt : row.startsAt)?.getTime() ?? null;

/** Reads one range per status (or one without a status filter) and merges their ordered results. */
async function readRange(db: Db, statuses: SessionStatus[] | undefined, q: Omit<SessionRange, "status">, sort: Sort): Promise<Session[]> {
  const lists = await Promise.all((statuses ?? [undefined]).map((status) => sessionRangeQuery(db, { ...q, status })));
  const byKey = (a: Session, b: Session) => (timeOf(a, sort) ?? 0) - (timeOf(b, sort) ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return lists.flat().sort(byKey).slice(0, q.take);
}

export async function listSessions(deps: ServiceDeps, ownerId: string, q: SessionListInput): Promise<Page<SessionDto>> {
  const { db } = deps;
  const take = q.limit + 1;
  const base = { ownerId, contactId: q.contactId, tagId: q.tagId, from: q.from, to: q.to };
  let rows: Session[];
  if (q.sort === "created") {
    const cursor = q.cursor ? decodeCursor(q.cursor, createdCursor) : null;
    rows = await readRange(db, q.status, { ...base, range: "created", after: cursor ? [cursor[1], cursor[2]] : undefined, take }, q.sort);
  } else {
    const cursor = q.cursor ? decodeCursor(q.cursor, startsCursor) : null;
    const unscheduledCursor = cursor && cursor[1] === null ? cursor[2] : null;
    rows = unscheduledCursor
      ? []
      : await readRange(db, q.status, { ...base, range: "scheduled", after: cursor ? [cursor[1]!, cursor[2]] : undefined, take }, q.sort);
    // A date range only ever matches scheduled sessions.
    if (rows.length < take && !q.from && !q.to) {
      const rest = await readRange(db, q.status, { ...base, range: "unscheduled", after: unscheduledCursor ?? undefined, take: take - rows.length }, q.sort);
      rows = [...rows, ...rest];
    }
  }
  const page = toPage(rows, q.limit, (row) => [q.sort === "created" ? "c" : "s", timeOf(row, q.sort), row.id], (row) => row);
  return { items: await toSessionDtos(db, ownerId, page.items), nextCursor: page.nextCursor };
}

/** A session's audit trail, newest first; readable after the session is deleted (see entityHistory). */
export const sessionHistory = (deps: ServiceDeps, ownerId: string, id: string, q: { limit: number; cursor?: string }) =>
  entityHistory(deps.db, ownerId, { type: "session", id, what: "Session" }, q.limit, q.cursor);
