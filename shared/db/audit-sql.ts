import { getTableConfig, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { auditSpecs, type AuditSpec, type EntityAudit, type LinkAudit } from "./audit-spec";

// Generates the SQLite triggers that write the audit log. Generated, not hand-written, so that the columns
// they record always match the schema: `npm run db:audit-sql` prints them for a new custom migration, and
// test/audit/triggers.test.ts fails while the database's triggers differ from what this produces.

export const MISSING_CONTEXT = "audit context missing: write tenant data with auditedBatch()";

const q = (name: string) => `"${name}"`;
const lit = (value: string) => `'${value.replace(/'/g, "''")}'`;
const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

interface Col {
  name: string;
  key: string;
}

function columnsOf(spec: EntityAudit): Col[] {
  const { columns } = getTableConfig(spec.table);
  return columns
    .map((c: SQLiteColumn) => c.name)
    .filter((name) => !(spec.ignore ?? []).includes(name))
    .map((name) => ({ name, key: camel(name) }));
}

/** json_object('firstName', NEW."first_name", ...) over the recorded columns of one row image. */
const rowJson = (cols: Col[], row: "NEW" | "OLD") => `json_object(${cols.map((c) => `${lit(c.key)}, ${row}.${q(c.name)}`).join(", ")})`;

/** The recorded value of a field: redacted columns never leave the database in the clear. */
function shown(value: string, key: string, redacted: Set<string>) {
  if (redacted.size === 0) return value;
  return `CASE WHEN ${key} IN (${[...redacted].map(lit).join(", ")}) AND ${value} IS NOT NULL THEN '[redacted]' ELSE ${value} END`;
}

const guard = `SELECT RAISE(ABORT, ${lit(MISSING_CONTEXT)}) WHERE NOT EXISTS (SELECT 1 FROM "audit_context");`;

const insertLog = (action: string, entityType: string, entityId: string, ownerId: string, changes: string, from = "") =>
  `INSERT INTO "audit_log" ("owner_id", "actor_id", "actor_type", "action", "entity_type", "entity_id", "changes", "request_id")
    SELECT ${ownerId}, ctx."actor_id", ctx."actor_type", ${lit(action)}, ${lit(entityType)}, ${entityId}, ${changes}, ctx."request_id"
    FROM "audit_context" ctx${from};`;

function entityTriggers(spec: EntityAudit): string[] {
  const table = getTableConfig(spec.table).name;
  const cols = columnsOf(spec);
  const redacted = new Set((spec.redact ?? []).map(camel));
  const snapshot = (row: "NEW" | "OLD", side: "before" | "after") => {
    const other = side === "before" ? "'after', NULL" : "'before', NULL";
    const pair = side === "before" ? `'before', ${shown("value", "key", redacted)}, ${other}` : `${other}, 'after', ${shown("value", "key", redacted)}`;
    return `(SELECT json_group_object(key, json_object(${pair})) FROM json_each(${rowJson(cols, row)}) WHERE type <> 'null')`;
  };
  const diff = `(SELECT json_group_object(o.key, json_object('before', ${shown("o.value", "o.key", redacted)}, 'after', ${shown("n.value", "o.key", redacted)}))
      FROM json_each(${rowJson(cols, "OLD")}) o JOIN json_each(${rowJson(cols, "NEW")}) n ON n.key = o.key
      WHERE o.value IS NOT n.value OR o.type IS NOT n.type)`;
  return [
    trigger(`audit_${table}_insert`, `AFTER INSERT ON ${q(table)}`, [guard, insertLog("CREATE", spec.entityType, "NEW.id", "NEW.owner_id", snapshot("NEW", "after"))]),
    trigger(`audit_${table}_update`, `AFTER UPDATE ON ${q(table)}`, [
      guard,
      // An update that changed only ignored columns (updated_at, derived keys) records nothing.
      insertLog("UPDATE", spec.entityType, "NEW.id", "NEW.owner_id", "d.changes", `, (SELECT ${diff} AS changes) d WHERE d.changes <> '{}'`),
    ]),
    trigger(`audit_${table}_delete`, `AFTER DELETE ON ${q(table)}`, [guard, insertLog("DELETE", spec.entityType, "OLD.id", "OLD.owner_id", snapshot("OLD", "before"))]),
  ];
}

function linkTriggers(spec: LinkAudit): string[] {
  const table = getTableConfig(spec.table).name;
  const value = (row: "NEW" | "OLD", columns: string[]) =>
    columns.length === 1 ? `${row}.${q(columns[0]!)}` : `json_object(${columns.map((c) => `${lit(camel(c))}, ${row}.${q(c)}`).join(", ")})`;
  const changes = (row: "NEW" | "OLD", columns: string[], field: string) =>
    row === "NEW" ? `json_object(${lit(field)}, json_object('before', NULL, 'after', ${value(row, columns)}))` : `json_object(${lit(field)}, json_object('before', ${value(row, columns)}, 'after', NULL))`;
  const statements = (row: "NEW" | "OLD") => [
    guard,
    ...spec.sides.map((side) => insertLog("UPDATE", side.entityType, `${row}.${q(side.idColumn)}`, `${row}.owner_id`, changes(row, side.valueColumns, side.field))),
  ];
  return [
    trigger(`audit_${table}_insert`, `AFTER INSERT ON ${q(table)}`, statements("NEW")),
    trigger(`audit_${table}_delete`, `AFTER DELETE ON ${q(table)}`, statements("OLD")),
    // A link's own columns (a role, a fee) may change too: recorded as the old link removed and the new one added.
    trigger(`audit_${table}_update`, `AFTER UPDATE ON ${q(table)}`, [
      guard,
      ...spec.sides.map((side) =>
        insertLog("UPDATE", side.entityType, `NEW.${q(side.idColumn)}`, "NEW.owner_id", `json_object(${lit(side.field)}, json_object('before', ${value("OLD", side.valueColumns)}, 'after', ${value("NEW", side.valueColumns)}))`),
      ),
    ]),
  ];
}

function trigger(name: string, when: string, body: string[]): string {
  return `CREATE TRIGGER ${q(name)} ${when} BEGIN\n  ${body.join("\n  ")}\nEND;`;
}

export function triggersFor(spec: AuditSpec): { name: string; sql: string }[] {
  const sqls = spec.kind === "entity" ? entityTriggers(spec) : linkTriggers(spec);
  return sqls.map((sql) => ({ name: /CREATE TRIGGER "([^"]+)"/.exec(sql)![1]!, sql }));
}

/** Every audit trigger, each preceded by a DROP so the output can replace older versions in a migration. */
export function auditMigrationSql(specs: AuditSpec[] = auditSpecs): string {
  return specs
    .flatMap(triggersFor)
    .map(({ name, sql }) => `DROP TRIGGER IF EXISTS ${q(name)};\n--> statement-breakpoint\n${sql}`)
    .join("\n--> statement-breakpoint\n");
}
