import { and, asc, count, desc, eq, gt, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { contacts, exportsTable, sessions, users } from "@shared/db/schema";
import { ApiError, notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { exportReadyEmail } from "../../templates/emails/exports";
import { enqueueJob } from "../../jobs/enqueue";
import { signDownload } from "../files/signed-url";
import { storeGenerated } from "../files/store";
import { contactExportColumns, sessionExportColumns } from "./columns";
import { CSV_CONTENT_TYPE, JSON_CONTENT_TYPE, XLSX_CONTENT_TYPE, jsonLines, toCsv, toXlsx } from "./formats";

export type ExportEntity = "contacts" | "sessions";
export type ExportFormat = "csv" | "json" | "xlsx";
export type ExportRow = typeof exportsTable.$inferSelect;

/** How long a finished export stays downloadable (the cron removes it afterwards). */
export const EXPORT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const PAGE = 1000;

export const contentTypes: Record<ExportFormat, string> = { csv: CSV_CONTENT_TYPE, json: JSON_CONTENT_TYPE, xlsx: XLSX_CONTENT_TYPE };

// Correlated subqueries name the outer table in full: drizzle writes a lone column as "id", which inside the
// subquery would resolve to the joined table's own id.
type Cursor = { createdAt: Date; id: string } | null;

/** Yields every row a page at a time, in (created_at, id) order: no query returns an unbounded result. */
async function* pagesOf<R>(fetchPage: (after: Cursor) => Promise<R[]>, keyOf: (row: R) => NonNullable<Cursor>): AsyncGenerator<R[]> {
  for (let after: Cursor = null; ; ) {
    const page = await fetchPage(after);
    if (page.length) yield page;
    if (page.length < PAGE) return;
    after = keyOf(page.at(-1)!);
  }
}

const afterKey = (table: typeof contacts | typeof sessions, after: Cursor) =>
  after ? or(gt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), gt(table.id, after.id))) : undefined;

/** The owner's contacts as flat export rows, with their tags' names, a page at a time. */
async function* contactPages(db: Db, ownerId: string): AsyncGenerator<Record<string, unknown>[]> {
  const pages = pagesOf(
    (after) =>
      db
        .select({
          contact: contacts,
          tags: sql<string | null>`(SELECT group_concat(t.name, '; ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = "contacts"."id" AND +ct.owner_id = ${ownerId})`,
        })
        .from(contacts)
        .where(and(eq(contacts.ownerId, ownerId), afterKey(contacts, after)))
        .orderBy(asc(contacts.createdAt), asc(contacts.id))
        .limit(PAGE),
    (row) => row.contact,
  );
  for await (const page of pages) {
    yield page.map(({ contact: c, tags }) => {
      const { seq: _seq, ownerId: _owner, phoneSearch: _search, sortName: _sort, ...fields } = c;
      return { ...fields, tags: tags ?? "" };
    });
  }
}

/** The owner's sessions, with their contacts' names and tags, and the price in major units, a page at a time. */
async function* sessionPages(db: Db, ownerId: string): AsyncGenerator<Record<string, unknown>[]> {
  const pages = pagesOf(
    (after) =>
      db
        .select({
          session: sessions,
          contacts: sql<string | null>`(SELECT group_concat(trim(c.first_name || ' ' || coalesce(c.last_name, '')), '; ') FROM session_contacts sc JOIN contacts c ON c.id = sc.contact_id WHERE sc.session_id = "sessions"."id" AND +sc.owner_id = ${ownerId})`,
          tags: sql<string | null>`(SELECT group_concat(t.name, '; ') FROM session_tags st JOIN tags t ON t.id = st.tag_id WHERE st.session_id = "sessions"."id" AND +st.owner_id = ${ownerId})`,
        })
        .from(sessions)
        .where(and(eq(sessions.ownerId, ownerId), afterKey(sessions, after)))
        .orderBy(asc(sessions.createdAt), asc(sessions.id))
        .limit(PAGE),
    (row) => row.session,
  );
  for await (const page of pages) {
    yield page.map(({ session: s, contacts: names, tags }) => {
      const { ownerId: _owner, priceAmount, priceCurrency, ...fields } = s;
      return { ...fields, price: priceAmount === null ? null : priceAmount / minorUnitsPer(priceCurrency), currency: priceCurrency, contacts: names ?? "", tags: tags ?? "" };
    });
  }
}

/** 100 for EUR, 1 for JPY, 1000 for KWD: what Intl knows of the currency's minor unit. */
function minorUnitsPer(currency: string | null): number {
  try {
    return 10 ** (new Intl.NumberFormat("en", { style: "currency", currency: currency ?? "EUR" }).resolvedOptions().maximumFractionDigits ?? 2);
  } catch {
    return 100;
  }
}

const columnsOf = (entity: ExportEntity) => (entity === "contacts" ? contactExportColumns : sessionExportColumns);
const pagesFor = (db: Db, ownerId: string, entity: ExportEntity) => (entity === "contacts" ? contactPages(db, ownerId) : sessionPages(db, ownerId));

/** JSON export rows: the export's columns only, dates as ISO strings. */
const jsonRowsOf = (entity: ExportEntity, rows: Record<string, unknown>[]) =>
  rows.map((row) => Object.fromEntries(columnsOf(entity).map((c) => [c.key, row[c.key] instanceof Date ? (row[c.key] as Date).toISOString() : (row[c.key] ?? null)])));

/**
 * The file of a CSV or JSON export as text pieces, one per page of rows: the queue job streams them to R2, so
 * an export of any size holds one page in memory, not the whole file. Counts rows into `counter`.
 */
async function* textPieces(db: Db, ownerId: string, entity: ExportEntity, format: "csv" | "json", counter: { rows: number }): AsyncGenerator<string> {
  const columns = columnsOf(entity);
  if (format === "csv") yield toCsv(columns, [], { bom: true });
  else yield "[\n";
  for await (const rows of pagesFor(db, ownerId, entity)) {
    const first = counter.rows === 0;
    counter.rows += rows.length;
    yield format === "csv" ? toCsv(columns, rows, { header: false }) : `${first ? "" : ",\n"}${jsonLines(jsonRowsOf(entity, rows))}`;
  }
  if (format === "json") yield "\n]\n";
}

/** The whole file of an export, for answering directly (small exports) and for XLSX, which a workbook library builds in memory. */
export async function renderExport(db: Db, ownerId: string, entity: ExportEntity, format: ExportFormat): Promise<{ body: string | Uint8Array; rowCount: number }> {
  if (format !== "xlsx") {
    const counter = { rows: 0 };
    let body = "";
    for await (const piece of textPieces(db, ownerId, entity, format, counter)) body += piece;
    return { body, rowCount: counter.rows };
  }
  const rows: Record<string, unknown>[] = [];
  for await (const page of pagesFor(db, ownerId, entity)) rows.push(...page);
  return { body: await toXlsx(entity === "contacts" ? "Contacts" : "Sessions", columnsOf(entity), rows), rowCount: rows.length };
}

export const exportFileName = (entity: ExportEntity, format: ExportFormat, at: Date) => `lightbox-${entity}-${at.toISOString().slice(0, 10)}.${format}`;

export async function countRows(db: Db, ownerId: string, entity: ExportEntity): Promise<number> {
  const table = entity === "contacts" ? contacts : sessions;
  const [row] = await db.select({ n: count() }).from(table).where(eq(table.ownerId, ownerId));
  return row?.n ?? 0;
}

/** Records a PENDING export and queues the job that produces it. */
export async function startExport(deps: ServiceDeps, ownerId: string, entity: ExportEntity, format: ExportFormat): Promise<ExportRow> {
  const id = newId();
  const now = new Date();
  await auditedBatch(deps.db, deps.actor, [deps.db.insert(exportsTable).values({ id, ownerId, entity, format, status: "PENDING", createdAt: now, updatedAt: now })]);
  await enqueueJob(deps.env.JOBS, "export.generate", `export:${id}`, { exportId: id });
  return getExport(deps.db, ownerId, id);
}

/** The owner's exports, newest first (UUIDv7 ids sort by creation), paged on exports_owner_id_idx. */
export async function listExports(db: Db, ownerId: string, limit: number, cursor?: string): Promise<Page<ExportRow>> {
  const after = cursor ? decodeCursor(cursor, z.tuple([z.string()]))[0] : null;
  const rows = await db
    .select()
    .from(exportsTable)
    .where(and(eq(exportsTable.ownerId, ownerId), after ? lt(exportsTable.id, after) : undefined))
    .orderBy(desc(exportsTable.id))
    .limit(limit + 1);
  return toPage(rows, limit, (row) => [row.id], (row) => row);
}

export async function getExport(db: Db, ownerId: string, exportId: string): Promise<ExportRow> {
  const [row] = await db.select().from(exportsTable).where(and(eq(exportsTable.ownerId, ownerId), eq(exportsTable.id, exportId)));
  if (!row) throw notFound("Export");
  return row;
}

/**
 * The export a download asks for: the caller's own (404 otherwise), or, for a signed link (`ownerId` null),
 * whoever's it is, since the signature proves the link was issued for this id; a link to a removed export is 410.
 */
export async function exportForDownload(db: Db, exportId: string, ownerId: string | null): Promise<ExportRow> {
  if (ownerId !== null) return getExport(db, ownerId, exportId);
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, exportId));
  if (!row) throw new ApiError("GONE", "The export no longer exists: start a new one");
  return row;
}

/** Signed download links of exports live in their own namespace of the file-link signatures ("export/<id>"). */
export const exportLinkSubject = (exportId: string) => `export/${exportId}`;

/**
 * The `export.generate` job: writes the file to R2, marks the export READY, and emails the owner a signed
 * link. A redelivery after the R2 write overwrites the same key, so a retry never produces a second file.
 */
export async function generateExport(deps: Omit<ServiceDeps, "actor">, exportId: string): Promise<void> {
  const { db, env, config } = deps;
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, exportId));
  if (!row || row.status === "READY") return;
  const actor = systemActor(`job:export.generate`);
  const key = `${row.ownerId}/exports/${row.id}.${row.format}`;
  const httpMetadata = { contentType: contentTypes[row.format], contentDisposition: `attachment; filename="${exportFileName(row.entity, row.format, row.createdAt)}"` };
  let rowCount: number;
  let size: number;
  if (row.format === "xlsx") {
    const rendered = await renderExport(db, row.ownerId, row.entity, row.format);
    rowCount = rendered.rowCount;
    size = (await env.FILES.put(key, rendered.body, { httpMetadata })).size;
  } else {
    const counter = { rows: 0 };
    const encoder = new TextEncoder();
    const bytes = (async function* () {
      for await (const piece of textPieces(db, row.ownerId, row.entity, row.format as "csv" | "json", counter)) yield encoder.encode(piece);
    })();
    size = (await storeGenerated(env.FILES, key, bytes, httpMetadata)).size;
    rowCount = counter.rows;
  }
  const now = new Date();
  const expiresAt = new Date(now.getTime() + EXPORT_TTL_MS);
  await auditedBatch(db, actor, [
    db.update(exportsTable).set({ status: "READY", r2Key: key, size, rowCount, expiresAt, updatedAt: now }).where(eq(exportsTable.id, row.id)),
  ]);

  const [owner] = await db.select({ email: users.email, firstName: users.firstName }).from(users).where(eq(users.id, row.ownerId));
  if (!owner) return;
  const expires = Math.floor(expiresAt.getTime() / 1000);
  const link = new URL(`/api/exports/${row.id}/download`, config.apiUrl);
  link.searchParams.set("expires", String(expires));
  link.searchParams.set("signature", await signDownload(config.jwt, exportLinkSubject(row.id), expires));
  const email = exportReadyEmail({ firstName: owner.firstName, what: row.entity, rows: rowCount, link: link.toString(), expiresAt });
  await enqueueJob(env.JOBS, "email.send", `email:export:${row.id}`, { to: owner.email, ...email });
}

/** Marks an export FAILED once its job has exhausted its retries (called from the dead-letter path). */
export async function failExport(db: Db, exportId: string, error: string): Promise<void> {
  await auditedBatch(db, systemActor("job:export.generate"), [
    db.update(exportsTable).set({ status: "FAILED", error: error.slice(0, 500), updatedAt: new Date() }).where(and(eq(exportsTable.id, exportId), eq(exportsTable.status, "PENDING"))),
  ]);
}
