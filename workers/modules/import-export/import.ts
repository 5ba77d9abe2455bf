import { and, eq, inArray, sql } from "drizzle-orm";
import { auditedBatch } from "@shared/db/audited";
import { jsonArrays, jsonRowSelects } from "@shared/db/bulk";
import { contacts, contactTags, tags, users } from "@shared/db/schema";
import { validationFailed, type FieldError } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { fold } from "@shared/lib/text";
import type { ServiceDeps } from "../../router";
import { CreateContactSchema } from "../contacts/schemas";
import { deriveContactFields, InvalidPhoneError, phoneRegionFor } from "../contacts/normalize";
import { plainColumns } from "../contacts/service";
import { detectDuplicatesAfterWrite } from "../duplicates/service";
import { mapHeaders, type ImportField } from "./columns";
import { parseCsv } from "./formats";

export interface ImportResult {
  imported: number;
  /** Rows left out (only with skipInvalid), each with what is wrong; `row` is the line in the file (header = 1). */
  skipped: { row: number; errors: { field: string; message: string }[] }[];
  /** Headers that map to no contact field: their columns were not imported. */
  ignoredColumns: string[];
  /** Tags created because a row named one that did not exist yet. */
  tagsCreated: number;
  /** Probable duplicate pairs found among and against the imported contacts. */
  duplicatesFound: number;
}

const RowSchema = CreateContactSchema.omit({ tagIds: true });
const MAX_LISTED_ERRORS = 200;

/** Google Contacts writes "* myContacts ::: Friends": system groups start with "*", separators vary. */
const tagNamesOf = (cell: string) =>
  cell
    .split(/:::|[;,|]/)
    .map((name) => name.trim())
    .filter((name) => name && !name.startsWith("*"))
    .map((name) => name.slice(0, 50));

/** "Élodie Martin" → first "Élodie", last "Martin"; a single word is a first name. */
function splitFullName(full: string): { firstName: string; lastName: string | null } {
  const words = full.trim().split(/\s+/);
  return words.length > 1 ? { firstName: words.slice(0, -1).join(" "), lastName: words.at(-1)! } : { firstName: words[0] ?? "", lastName: null };
}

/**
 * Imports contacts from a CSV export of another CRM: columns mapped by header, every row validated like a
 * contact created through the API. All rows go in one D1 batch (all or nothing); an invalid row refuses the
 * whole import with the errors of every row, unless `skipInvalid`, which imports the valid rows and lists the
 * others. Duplicate detection runs on the imported contacts afterwards.
 */
export async function importContacts(deps: ServiceDeps, ownerId: string, csv: string, options: { skipInvalid: boolean }): Promise<ImportResult> {
  const fileError = (message: string) => validationFailed([{ path: "body.file", message }]);
  let table: ReturnType<typeof parseCsv>;
  try {
    table = parseCsv(csv);
  } catch (error) {
    throw fileError(`is not a readable CSV file: ${(error as Error).message}`);
  }
  if (table.rows.length === 0) throw fileError("has a header row but no contacts");
  if (table.rows.length > deps.config.importMaxRows) throw fileError(`has ${table.rows.length} rows; one import takes at most ${deps.config.importMaxRows}`);
  const { fields, ignored } = mapHeaders(table.headers);
  if (fields.firstName === undefined && fields.fullName === undefined) {
    throw fileError(`has no name column: expected a header such as "First name" or "Name" (found: ${table.headers.join(", ")})`);
  }

  const [owner] = await deps.db.select({ country: users.country }).from(users).where(eq(users.id, ownerId));
  const region = phoneRegionFor(owner?.country, deps.config.defaultPhoneRegion);
  const now = new Date();
  const accepted: { row: typeof contacts.$inferInsert; tagNames: string[] }[] = [];
  const skipped: ImportResult["skipped"] = [];

  table.rows.forEach((cells, index) => {
    const cell = (field: ImportField) => {
      const at = fields[field];
      const value = at === undefined ? "" : (cells[at] ?? "").trim();
      return value || undefined;
    };
    const named = cell("firstName") ? { firstName: cell("firstName")!, lastName: cell("lastName") ?? null } : splitFullName(cell("fullName") ?? "");
    const address = { line1: cell("addressLine1"), line2: cell("addressLine2"), postalCode: cell("postalCode"), city: cell("city"), region: cell("region"), country: cell("country") };
    const hasAddress = Object.values(address).some(Boolean);
    const [lat, lng] = [cell("latitude"), cell("longitude")];
    const parsed = RowSchema.safeParse({
      ...named,
      email: cell("email") ?? null,
      phone: cell("phone") ?? null,
      company: cell("company") ?? null,
      notes: cell("notes") ?? null,
      birthday: cell("birthday") ?? null,
      source: "IMPORT",
      ...(hasAddress ? { address: Object.fromEntries(Object.entries(address).map(([k, v]) => [k, v ?? null])) } : {}),
      // Numbers as typed; a half location or a non-number is refused by the contact schema, named "location".
      ...(lat || lng ? { location: { lat: lat === undefined ? null : Number(lat.replace(",", ".")), lng: lng === undefined ? null : Number(lng.replace(",", ".")) } } : {}),
    });
    const errors = parsed.success ? [] : parsed.error.issues.map((issue) => ({ field: issue.path.join(".") || "row", message: issue.message }));
    let derived: ReturnType<typeof deriveContactFields> | undefined;
    if (parsed.success) {
      try {
        derived = deriveContactFields(parsed.data, region);
      } catch (error) {
        if (!(error instanceof InvalidPhoneError)) throw error;
        errors.push({ field: "phone", message: error.message });
      }
    }
    if (errors.length || !parsed.success || !derived) {
      skipped.push({ row: index + 2, errors });
      return;
    }
    accepted.push({
      row: { ...plainColumns(parsed.data), ...derived, id: newId(), ownerId, source: "IMPORT", createdAt: now, updatedAt: now },
      tagNames: tagNamesOf(cell("tags") ?? ""),
    });
  });

  if (skipped.length && !options.skipInvalid) {
    const errors: FieldError[] = skipped.flatMap((s) => s.errors.map((e) => ({ path: `rows[${s.row}].${e.field}`, message: e.message })));
    throw validationFailed(
      errors.slice(0, MAX_LISTED_ERRORS),
      `${skipped.length} of ${table.rows.length} rows are not valid, so nothing was imported. Fix them, or import again with ?skipInvalid=true to import only the valid rows.`,
    );
  }

  const tagsCreated = await insertAll(deps, ownerId, accepted, now);
  const created = await detectDuplicatesAfterWrite(deps, ownerId, accepted.map((a) => a.row.id));
  return { imported: accepted.length, skipped, ignoredColumns: ignored, tagsCreated, duplicatesFound: created };
}

/** Contacts, new tags and tag links in one audited batch. Returns the number of tags created. */
async function insertAll(deps: ServiceDeps, ownerId: string, accepted: { row: typeof contacts.$inferInsert; tagNames: string[] }[], now: Date): Promise<number> {
  const { db } = deps;
  const wanted = new Map<string, string>(); // name key → name as first written
  for (const { tagNames } of accepted) for (const name of tagNames) if (!wanted.has(fold(name))) wanted.set(fold(name), name);
  const existing = new Set<string>();
  const keys = [...wanted.keys()];
  for (let i = 0; i < keys.length; i += 90) {
    const rows = await db.select({ nameKey: tags.nameKey }).from(tags).where(and(eq(tags.ownerId, ownerId), inArray(tags.nameKey, keys.slice(i, i + 90))));
    for (const row of rows) existing.add(row.nameKey);
  }
  const newTags = keys.filter((key) => !existing.has(key)).map((nameKey) => ({ id: newId(), ownerId, name: wanted.get(nameKey)!, nameKey, createdAt: now, updatedAt: now }));
  const links = accepted.flatMap(({ row, tagNames }) => [...new Set(tagNames.map(fold))].map((nameKey) => ({ contactId: row.id, nameKey })));

  const statements = [
    ...jsonRowSelects(contacts, accepted.map((a) => a.row)).map((select) => db.insert(contacts).select(select)),
    ...(newTags.length ? jsonRowSelects(tags, newTags).map((select) => db.insert(tags).select(select).onConflictDoNothing()) : []),
    ...jsonArrays(links.map((link) => JSON.stringify(link))).map((json) =>
      db.insert(contactTags).select(
        sql`SELECT ${ownerId}, json_extract(l.value, '$.contactId'), t.id, ${now.getTime()}
            FROM json_each(${json}) l JOIN ${tags} t ON t.owner_id = ${ownerId} AND t.name_key = json_extract(l.value, '$.nameKey')`,
      ),
    ),
  ];
  if (statements.length) await auditedBatch(db, deps.actor, statements as [(typeof statements)[number], ...typeof statements]);
  return newTags.length;
}
