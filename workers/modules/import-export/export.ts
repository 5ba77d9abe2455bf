import { and, asc, count, eq, gt, or, sql } from "drizzle-orm";
import { auditedBatch, systemActor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { contacts, exportsTable, sessions, users } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { exportReadyEmail } from "../../templates/emails/exports";
import { enqueueJob } from "../../jobs/enqueue";
import { signDownload } from "../files/signed-url";
import { contactExportColumns, sessionExportColumns } from "./columns";
import { CSV_CONTENT_TYPE, JSON_CONTENT_TYPE, XLSX_CONTENT_TYPE, toCsv, toJson, toXlsx } from "./formats";

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

/** Reads every row a page at a time, in (created_at, id) order, so no query returns an unbounded result. */
async function readAll<R>(fetchPage: (after: Cursor) => Promise<R[]>, keyOf: (row: R) => NonNullable<Cursor>): Promise<R[]> {
  const rows: R[] = [];
  for (let after: Cursor = null; ; ) {
    const page = await fetchPage(after);
    rows.push(...page);
    if (page.length < PAGE) return rows;
    after = keyOf(page.at(-1)!);
  }
}

const afterKey = (table: typeof contacts | typeof sessions, after: Cursor) =>
  after ? or(gt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), gt(table.id, after.id))) : undefined;

/** Every contact of the owner as flat export rows, with its tags' names. */
async function contactRows(db: Db, ownerId: string): Promise<Record<string, unknown>[]> {
  const rows = await readAll(
    (after) =>
      db
        .select({
          contact: contacts,
          tags: sql<string | null>`(SELECT group_concat(t.name, '; ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = "contacts"."id")`,
        })
        .from(contacts)
        .where(and(eq(contacts.ownerId, ownerId), afterKey(contacts, after)))
        .orderBy(asc(contacts.createdAt), asc(contacts.id))
        .limit(PAGE),
    (row) => row.contact,
  );
  return rows.map(({ contact: c, tags }) => {
    const { seq: _seq, ownerId: _owner, phoneSearch: _search, sortName: _sort, ...fields } = c;
    return { ...fields, tags: tags ?? "" };
  });
}

/** Every session of the owner, with its contacts' names and its tags, and the price in major units. */
async function sessionRows(db: Db, ownerId: string): Promise<Record<string, unknown>[]> {
  const rows = await readAll(
    (after) =>
      db
        .select({
          session: sessions,
          contacts: sql<string | null>`(SELECT group_concat(trim(c.first_name || ' ' || coalesce(c.last_name, '')), '; ') FROM session_contacts sc JOIN contacts c ON c.id = sc.contact_id WHERE sc.session_id = "sessions"."id")`,
          tags: sql<string | null>`(SELECT group_concat(t.name, '; ') FROM session_tags st JOIN tags t ON t.id = st.tag_id WHERE st.session_id = "sessions"."id")`,
        })
        .from(sessions)
        .where(and(eq(sessions.ownerId, ownerId), afterKey(sessions, after)))
        .orderBy(asc(sessions.createdAt), asc(sessions.id))
        .limit(PAGE),
    (row) => row.session,
  );
  return rows.map(({ session: s, contacts: names, tags }) => {
    const { ownerId: _owner, priceAmount, priceCurrency, ...fields } = s;
    return { ...fields, price: priceAmount === null ? null : priceAmount / minorUnitsPer(priceCurrency), currency: priceCurrency, contacts: names ?? "", tags: tags ?? "" };
  });
}

/** 100 for EUR, 1 for JPY, 1000 for KWD: what Intl knows of the currency's minor unit. */
function minorUnitsPer(currency: string | null): number {
  try {
    return 10 ** (new Intl.NumberFormat("en", { style: "currency", currency: currency ?? "EUR" }).resolvedOptions().maximumFractionDigits ?? 2);
  } catch {
    return 100;
  }
}

/** The file of an export: its bytes, content type and row count. */
export async function renderExport(db: Db, ownerId: string, entity: ExportEntity, format: ExportFormat): Promise<{ body: string | Uint8Array; rowCount: number }> {
  const rows = entity === "contacts" ? await contactRows(db, ownerId) : await sessionRows(db, ownerId);
  const columns = entity === "contacts" ? contactExportColumns : sessionExportColumns;
  const jsonRows = () => rows.map((row) => Object.fromEntries(columns.map((c) => [c.key, row[c.key] instanceof Date ? (row[c.key] as Date).toISOString() : (row[c.key] ?? null)])));
  const body = format === "csv" ? toCsv(columns, rows, { bom: true }) : format === "json" ? toJson(jsonRows()) : await toXlsx(entity === "contacts" ? "Contacts" : "Sessions", columns, rows);
  return { body, rowCount: rows.length };
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

export async function getExport(db: Db, ownerId: string, exportId: string): Promise<ExportRow> {
  const [row] = await db.select().from(exportsTable).where(and(eq(exportsTable.ownerId, ownerId), eq(exportsTable.id, exportId)));
  if (!row) throw notFound("Export");
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
  const { body, rowCount } = await renderExport(db, row.ownerId, row.entity, row.format);
  const key = `${row.ownerId}/exports/${row.id}.${row.format}`;
  const object = await env.FILES.put(key, body, {
    httpMetadata: { contentType: contentTypes[row.format], contentDisposition: `attachment; filename="${exportFileName(row.entity, row.format, row.createdAt)}"` },
  });
  const now = new Date();
  const expiresAt = new Date(now.getTime() + EXPORT_TTL_MS);
  await auditedBatch(db, actor, [
    db.update(exportsTable).set({ status: "READY", r2Key: key, size: object.size, rowCount, expiresAt, updatedAt: now }).where(eq(exportsTable.id, row.id)),
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
