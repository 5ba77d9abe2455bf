// The analytics benchmark's data: one studio with thousands of invoices, their payments, quotes, sessions and
// bookings, written as SQL generated here and applied with `wrangler d1 execute --local` while the Worker is
// stopped (thousands of documents through the API would take minutes; the documents services are not what is
// measured). Tenant tables are audited: the file sets the audit context first, as auditedBatch does, and
// clears it at the end. Also: the exact statements the analytics routes run, for EXPLAIN QUERY PLAN on that data.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot, wranglerBin, wranglerEnv } from "../../scripts/dev-server.mjs";

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);
const DAY = 86_400_000;
const ROWS_PER_INSERT = 200;

/** A deterministic pseudo-random sequence, so every run seeds the same data. */
function random(seed = 42) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const literal = (value) => (value === null || value === undefined ? "NULL" : typeof value === "number" ? String(value) : `'${String(value).replace(/'/g, "''")}'`);

function inserts(table, columns, rows) {
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows.slice(i, i + ROWS_PER_INSERT).map((row) => `(${columns.map((c) => literal(row[c])).join(", ")})`);
    statements.push(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES\n${values.join(",\n")};`);
  }
  return statements;
}

const pick = (rand, weighted) => {
  let x = rand() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of weighted) if ((x -= w) < 0) return value;
  return weighted.at(-1)[0];
};
const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * The rows of one studio: `invoices` over the `years` before `now`, with proportional quotes (0.8 each),
 * payments (PAID in one or two, some partial on SENT and OVERDUE), sessions (0.4 each) and bookings (0.1 each,
 * half of them ahead). Everything but the bookings ahead ends at `now`, the run's clock (the Worker's dashboard
 * reads its own, the same to a few minutes): no payment is dated in the future. Returns the SQL and the counts.
 */
export function analyticsSeedSql({ ownerId, contactId, invoices: invoiceCount, now, years = 3 }) {
  if (!Number.isFinite(now)) throw new Error("analyticsSeedSql needs the run's `now` (epoch ms)");
  const rand = random();
  const span = years * 365 * DAY;
  // Payments, acceptances and expiries come up to 31 days after their document: documents stop 31 days before
  // `now`, so nothing the dashboard sums is dated after it.
  const first = now - span;
  const when = () => first + Math.floor(rand() * (span - 31 * DAY));
  const doc = (prefix, i, at, currency, total) => ({
    id: randomUUID(),
    owner_id: ownerId,
    number: `${prefix}-${new Date(at).getUTCFullYear()}-${String(i + 1).padStart(5, "0")}`,
    year: new Date(at).getUTCFullYear(),
    sequence: i + 1,
    contact_id: contactId,
    currency,
    locale: "fr-FR",
    items: "[]",
    subtotal: total,
    discount_total: 0,
    tax_total: 0,
    total,
    version: 1,
    created_at: at,
    updated_at: at,
  });

  const quotes = [];
  for (let i = 0; i < Math.round(invoiceCount * 0.8); i++) {
    const at = when();
    const status = pick(rand, [["ACCEPTED", 50], ["REJECTED", 15], ["EXPIRED", 15], ["SENT", 10], ["DRAFT", 10]]);
    const sent = status === "DRAFT" ? null : at + DAY;
    quotes.push({
      ...doc("Q", i, at, rand() < 0.9 ? "EUR" : "USD", 20_000 + Math.floor(rand() * 280_000)),
      status,
      sent_at: sent,
      accepted_at: status === "ACCEPTED" ? sent + Math.floor(rand() * 20 * DAY) : null,
      rejected_at: status === "REJECTED" ? sent + 5 * DAY : null,
      expired_at: status === "EXPIRED" ? sent + 30 * DAY : null,
    });
  }
  const accepted = quotes.filter((q) => q.status === "ACCEPTED");

  const invoices = [];
  const payments = [];
  for (let i = 0; i < invoiceCount; i++) {
    const at = when();
    const status = pick(rand, [["PAID", 70], ["SENT", 10], ["OVERDUE", 8], ["CANCELLED", 7], ["DRAFT", 5]]);
    const quote = i < accepted.length && rand() < 0.8 ? accepted[i] : null;
    const invoice = {
      ...doc("F", i, at, quote?.currency ?? (rand() < 0.9 ? "EUR" : "USD"), quote?.total ?? 20_000 + Math.floor(rand() * 280_000)),
      status,
      quote_id: quote?.id ?? null,
      issue_date: isoDate(at),
      due_date: isoDate(at + 30 * DAY),
      sent_at: status === "DRAFT" ? null : at,
      amount_paid: 0,
      reminder_count: 0,
    };
    const pay = (amount, paidAt) => {
      payments.push({ id: randomUUID(), owner_id: ownerId, invoice_id: invoice.id, amount, currency: invoice.currency, method: "TRANSFER", paid_at: paidAt, created_at: paidAt });
      invoice.amount_paid += amount;
    };
    if (status === "PAID") {
      if (rand() < 0.3) {
        const deposit = Math.floor(invoice.total * 0.3);
        pay(deposit, at + Math.floor(rand() * 10 * DAY));
        pay(invoice.total - deposit, at + 10 * DAY + Math.floor(rand() * 20 * DAY));
      } else pay(invoice.total, at + Math.floor(rand() * 30 * DAY));
      invoice.paid_at = payments.at(-1).paid_at;
    } else if ((status === "SENT" || status === "OVERDUE") && rand() < 0.3) {
      pay(Math.floor(invoice.total * 0.3), at + Math.floor(rand() * 10 * DAY));
    }
    invoices.push(invoice);
  }

  const sessions = [];
  for (let i = 0; i < Math.round(invoiceCount * 0.4); i++) {
    const at = when();
    sessions.push({
      id: randomUUID(),
      owner_id: ownerId,
      title: `Shoot ${i}`,
      type: "OTHER",
      status: pick(rand, [["LEAD", 20], ["CONFIRMED", 30], ["COMPLETED", 40], ["CANCELLED", 10]]),
      starts_at: at,
      ends_at: at + 3 * 3_600_000,
      created_at: at,
      updated_at: at,
    });
  }
  const bookings = [];
  const bookingCount = Math.round(invoiceCount * 0.1);
  for (let i = 0; i < bookingCount; i++) {
    // Half in the past year, half in the coming 180 days, each on its own hour.
    const at = Math.floor((i < bookingCount / 2 ? now - (i + 1) * 17 * 3_600_000 : now + (i - bookingCount / 2 + 1) * 7 * 3_600_000) / 3_600_000) * 3_600_000;
    bookings.push({
      id: randomUUID(),
      owner_id: ownerId,
      start_at: at,
      end_at: at + 3_600_000,
      status: pick(rand, [["CONFIRMED", 80], ["PENDING", 10], ["CANCELLED", 10]]),
      guest_name: `Guest ${i}`,
      guest_email: `guest-${i}@bench.example`,
      sequence: 0,
      created_at: now,
      updated_at: now,
    });
  }

  const docColumns = ["id", "owner_id", "number", "year", "sequence", "contact_id", "currency", "locale", "items", "subtotal", "discount_total", "tax_total", "total", "version", "sent_at", "created_at", "updated_at"];
  const sql = [
    `INSERT INTO "audit_context" ("id", "actor_id", "actor_type", "request_id") VALUES (1, 'bench-analytics', 'SYSTEM', NULL);`,
    ...inserts("quotes", [...docColumns, "status", "accepted_at", "rejected_at", "expired_at"], quotes),
    ...inserts("invoices", [...docColumns, "status", "quote_id", "issue_date", "due_date", "amount_paid", "paid_at", "reminder_count"], invoices),
    ...inserts("payments", ["id", "owner_id", "invoice_id", "amount", "currency", "method", "paid_at", "created_at"], payments),
    ...inserts("sessions", ["id", "owner_id", "title", "type", "status", "starts_at", "ends_at", "created_at", "updated_at"], sessions),
    ...inserts("bookings", ["id", "owner_id", "start_at", "end_at", "status", "guest_name", "guest_email", "sequence", "created_at", "updated_at"], bookings),
    `DELETE FROM "audit_context";`,
  ].join("\n");
  return { sql, counts: { quotes: quotes.length, invoices: invoices.length, payments: payments.length, sessions: sessions.length, bookings: bookings.length } };
}

/**
 * Runs SQL on the local D1 in `persistTo` with wrangler, the Worker being stopped: a file's worth of statements,
 * or one statement whose rows come back (`query`; a file's results come back merged, not per statement).
 */
export async function executeLocal({ persistTo, config, sql, query }) {
  const base = [wranglerBin, "d1", "execute", "DB", "--local", "--persist-to", persistTo, "-c", config, "--yes"];
  let file;
  if (sql !== undefined) {
    file = join(tmpdir(), `lightbox-bench-analytics-${randomUUID()}.sql`);
    await writeFile(file, sql);
  }
  try {
    const args = file ? [...base, "--file", file] : [...base, "--json", "--command", query];
    const { stdout } = await execFileAsync(process.execPath, args, { cwd: projectRoot, env: wranglerEnv(), maxBuffer: 64 * 2 ** 20 });
    return file ? stdout : JSON.parse(stdout)[0]?.results ?? [];
  } finally {
    if (file) await rm(file, { force: true });
  }
}

/**
 * The exact statements the analytics routes run for `ownerId` (built by workers/modules/analytics/queries.ts of
 * the sources in `root`, bundled here with wrangler's esbuild), with their bound values written in: wrangler's
 * execute binds nothing.
 */
export async function analyticsStatements({ root = projectRoot, ownerId, zone, now, from, to }) {
  const esbuild = createRequire(require.resolve("wrangler/package.json"))("esbuild");
  const entry = `
    import { drizzle } from "drizzle-orm/d1";
    import * as schema from "./shared/db/schema";
    import * as q from "./workers/modules/analytics/queries";
    import { zonedRange } from "./workers/modules/analytics/periods";
    import { dashboardBounds } from "./workers/modules/analytics/service";
    export function statements({ ownerId, zone, now, from, to }) {
      const db = drizzle({}, { schema });
      const b = dashboardBounds(zone, now);
      const range = zonedRange(zone, from, to);
      return {
        "dashboard: received": q.receivedSplitQuery(db, ownerId, b.yearMs, b.nextYearMs, b.monthMs, b.nextMonthMs),
        "dashboard: outstanding": q.outstandingQuery(db, ownerId, b.today),
        "dashboard: quotes sent": q.quotesSentQuery(db, ownerId, b.yearMs, b.nextYearMs),
        "dashboard: sessions by status": q.sessionsByStatusQuery(db, ownerId, b.yearMs, b.nextYearMs),
        "dashboard: upcoming count": q.upcomingCountQuery(db, ownerId, now),
        "dashboard: next bookings": q.upcomingNextQuery(db, ownerId, now, 5),
        "revenue: received by month": q.receivedByPeriodQuery(db, ownerId, range, "month"),
        "revenue: invoiced by month": q.invoicedByPeriodQuery(db, ownerId, range, "month"),
        "sessions by week": q.sessionsByPeriodQuery(db, ownerId, range, "week"),
        "conversion": q.conversionQuery(db, ownerId, range),
        "conversion: median": q.medianAcceptQuery(db, ownerId, range),
      };
    }`;
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    tsconfig: join(root, "tsconfig.json"),
    logLevel: "error",
  });
  const module = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString("base64")}`);
  return Object.entries(module.statements({ ownerId, zone, now, from, to })).map(([name, query]) => {
    const { sql, params } = query.toSQL();
    let i = 0;
    return { name, sql: sql.replace(/\?/g, () => literal(params[i++])) };
  });
}
