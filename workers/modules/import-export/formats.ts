/**
 * Pure CSV / JSON / XLSX encoders and the CSV decoder for contact import and export. No I/O: the routes
 * read the upload / write the R2 object, these only turn text or rows into bytes and back.
 * Libraries: papaparse (CSV parsing) and write-excel-file (XLSX; see toXlsx for which build and why).
 */
import Papa from "papaparse";
import writeXlsxFile from "write-excel-file/node";

export type ExportColumn = { key: string; header: string; type?: "string" | "number" | "date" };

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";
export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// ---------------------------------------------------------------------------------------------- CSV

/** Cells Excel, LibreOffice or Google Sheets would run as a formula (OWASP "CSV injection" list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Parses a CSV file exported by another CRM or by Excel: the delimiter (`,` `;` tab `|`) and the line
 * ending are detected, a BOM is dropped, blank lines (also `;;;` rows Excel leaves behind) are skipped.
 * Short rows are padded to the header's width. Throws on binary input, broken quoting, or a row with
 * more values than there are headers (a value would otherwise land in the wrong column silently).
 */
export function parseCsv(text: string): { headers: string[]; rows: string[][] } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // An .xlsx (zip) or .xls renamed/uploaded as CSV decodes to text full of NULs; say so instead of importing junk.
  if (text.startsWith("PK\u0003\u0004") || text.slice(0, 4096).includes("\u0000")) {
    throw new Error("This is not a CSV text file (it looks binary: an Excel .xlsx/.xls file?). Save it as CSV first.");
  }
  const result = Papa.parse<string[]>(text, {
    delimiter: "",
    delimitersToGuess: [",", ";", "\t", "|"],
    skipEmptyLines: "greedy",
  });
  // UndetectableDelimiter only means a single-column file: harmless. Quote errors mean the file is cut or mangled.
  const error = result.errors.find((e) => e.code !== "UndetectableDelimiter");
  if (error) {
    const where = error.row === undefined ? "" : ` in record ${error.row + 1}`;
    throw new Error(`Cannot read the CSV file${where}: ${error.message}.`);
  }
  const [headerRow, ...records] = result.data;
  if (!headerRow || headerRow.every((h) => h.trim() === "")) throw new Error("The CSV file is empty.");

  const headers = headerRow.map((h) => h.trim());
  const rows = records.map((record, i) => {
    const cells = record.map(unguard);
    while (cells.length > headers.length && cells[cells.length - 1]?.trim() === "") cells.pop();
    if (cells.length > headers.length) {
      throw new Error(
        `Record ${i + 2} of the CSV file has ${cells.length} values but the header has ${headers.length} columns ` +
          `(a delimiter or a quote is probably missing).`,
      );
    }
    while (cells.length < headers.length) cells.push("");
    return cells;
  });
  return { headers, rows };
}

/** Undoes toCsv's injection guard (and other CRMs' identical one) so an exported file re-imports unchanged. */
function unguard(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/**
 * RFC 4180 CSV with CRLF line endings. `bom: true` makes Excel read the file as UTF-8 (otherwise accents
 * come out garbled); `delimiter: ";"` is what Excel expects in locales whose decimal mark is a comma.
 * Papa.unparse is not used: its escapeFormulae regex (/^[=+\-@\t\r].*$/) misses any multi-line value.
 */
export function toCsv(
  columns: readonly { key: string; header: string }[],
  rows: readonly Record<string, unknown>[],
  options: { bom?: boolean; delimiter?: "," | ";"; header?: boolean } = {},
): string {
  const delimiter = options.delimiter ?? ",";
  const cell = (value: unknown): string => {
    let s = csvText(value);
    if (typeof value === "string" && FORMULA_START.test(s)) s = `'${s}`;
    return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  // `header: false` continues a file already started: the queued export writes a page of rows at a time.
  const lines = options.header === false ? [] : [columns.map((c) => cell(c.header)).join(delimiter)];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c.key])).join(delimiter));
  return (options.bom ? "\uFEFF" : "") + lines.map((line) => `${line}\r\n`).join("");
}

function csvText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// --------------------------------------------------------------------------------------------- JSON

/** Dates become ISO strings through Date#toJSON; pretty-printed because people open these downloads. */
export function toJson(rows: readonly Record<string, unknown>[]): string {
  return `[\n${jsonLines(rows)}\n]\n`;
}

/** The inside of a JSON array, one row per line: a queued export writes the array a page at a time. */
export const jsonLines = (rows: readonly Record<string, unknown>[]): string => rows.map((row) => JSON.stringify(row)).join(",\n");

// --------------------------------------------------------------------------------------------- XLSX

/**
 * A real .xlsx workbook (write-excel-file): bold, frozen header row, typed number and date cells.
 * Its Node build is used on purpose: the browser/universal builds zip with fflate's async API, which hands
 * entries over 160 kB to a Web Worker, and workerd has none (an export of a few hundred contacts fails).
 * The Node build deflates synchronously into a node:stream, which nodejs_compat provides.
 */
export async function toXlsx(sheetName: string, columns: readonly ExportColumn[], rows: readonly Record<string, unknown>[]): Promise<Uint8Array> {
  const sheetColumns = columns.map((column) => ({
    header: { value: column.header, fontWeight: "bold" as const },
    width: Math.min(60, Math.max(column.header.length, column.type === "date" ? 19 : 12) + 2),
    cell: (row: Record<string, unknown>) => {
      const value = typedValue(row[column.key], column.type);
      if (value instanceof Date) return { value, format: value.getTime() % 86_400_000 === 0 ? "yyyy-mm-dd" : "yyyy-mm-dd hh:mm:ss" };
      return { value: value ?? undefined };
    },
  }));
  const buffer = await writeXlsxFile(rows as Record<string, unknown>[], { columns: sheetColumns, sheet: safeSheetName(sheetName), stickyRowsCount: 1 } as never).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function typedValue(value: unknown, type: ExportColumn["type"]): number | Date | string | null {
  if (value === null || value === undefined || value === "") return null;
  if (type === "string") return csvText(value);
  if (type === "date" || value instanceof Date) {
    const date = value instanceof Date ? value : new Date(typeof value === "number" ? value : String(value));
    // Before 1900-03-01 Excel's serials are off by its phantom leap day: keep such (rare) values as text.
    return date.getTime() >= Date.UTC(1900, 2, 1) ? date : csvText(value);
  }
  if (type === "number" || typeof value === "number") {
    const n = typeof value === "number" ? value : Number(String(value).trim());
    return Number.isFinite(n) && String(value).trim() !== "" ? n : csvText(value);
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return csvText(value);
}

/** Sheet names: at most 31 characters, none of : \\ / ? * [ ]. */
function safeSheetName(name: string): string {
  return name.replace(/[:\\/?*[\]]/g, " ").slice(0, 31).trim() || "Sheet1";
}
