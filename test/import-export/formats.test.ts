import { strFromU8, unzipSync } from "fflate";
import { readSheet } from "read-excel-file/universal";
import { describe, expect, it } from "vitest";
import { parseCsv, toCsv, toJson, toXlsx, type ExportColumn } from "../../workers/modules/import-export/formats";

describe("parseCsv", () => {
  it("reads a European Excel export: BOM, `;`, CRLF, quoted `;`, quotes and line breaks, accents", () => {
    const text =
      '\uFEFFNom;Prénom;Adresse;Note\r\n' +
      'Dupont;Élodie;"12, rue de la Paix; Paris";"Dit ""bonjour""\r\nsur deux lignes"\r\n' +
      "\r\n" +
      ";;;\r\n" + // the empty rows Excel leaves behind
      "Müller;Jürgen;;1,5\r\n";
    expect(parseCsv(text)).toEqual({
      headers: ["Nom", "Prénom", "Adresse", "Note"],
      rows: [
        ["Dupont", "Élodie", "12, rue de la Paix; Paris", 'Dit "bonjour"\r\nsur deux lignes'],
        ["Müller", "Jürgen", "", "1,5"],
      ],
    });
  });

  it("detects `,` and tab, accepts LF, a single column, and pads short rows", () => {
    expect(parseCsv('email,name\na@x.test,"Smith, J"\nb@x.test\n')).toEqual({
      headers: ["email", "name"],
      rows: [
        ["a@x.test", "Smith, J"],
        ["b@x.test", ""],
      ],
    });
    expect(parseCsv("first\tlast\nAnn\tLee\n").rows).toEqual([["Ann", "Lee"]]);
    expect(parseCsv("email\na@x.test\nb@x.test").rows).toEqual([["a@x.test"], ["b@x.test"]]);
  });

  it("throws a clear error for broken or non-CSV input", () => {
    expect(() => parseCsv("")).toThrow(/empty/);
    expect(() => parseCsv("\uFEFF\r\n\r\n")).toThrow(/empty/);
    expect(() => parseCsv('a,b\n1,"never closed\n2,3\n')).toThrow(/record 2.*quote/i);
    expect(() => parseCsv("a,b\n1,2,3\n")).toThrow(/Record 2 .* 3 values .* 2 columns/);
    expect(() => parseCsv("PK\u0003\u0004\u0014\u0000\u0006\u0000")).toThrow(/Excel/);
  });
});

describe("toCsv", () => {
  const columns = [
    { key: "name", header: "Name" },
    { key: "note", header: "Note" },
    { key: "amount", header: "Amount" },
  ];

  it("quotes per RFC 4180, ends lines with CRLF, and can add a BOM or use `;`", () => {
    const rows = [{ name: 'Ann "Annie" Lee', note: "a,b\nc", amount: 12.5 }, { name: "Bob" }];
    expect(toCsv(columns, rows)).toBe('Name,Note,Amount\r\n"Ann ""Annie"" Lee","a,b\nc",12.5\r\nBob,,\r\n');
    expect(toCsv(columns, rows, { bom: true }).startsWith("\uFEFFName,")).toBe(true);
    expect(toCsv(columns, [{ name: "x;y", note: "1,5" }], { delimiter: ";" })).toBe('Name;Note;Amount\r\n"x;y";1,5;\r\n');
  });

  it("guards every formula-looking text cell, multi-line ones included, but not real numbers", () => {
    const evil = ["=1+1", "+33 6 12 34 56 78", "-2", "@SUM(A1)", "\tx", "\r\ny", "=HYPERLINK(\"http://evil\")\nsecond line"];
    const csv = toCsv(
      [{ key: "v", header: "V" }],
      [...evil.map((v) => ({ v })), { v: -5 }],
    );
    const lines = csv.split("\r\n");
    expect(lines[1]).toBe("'=1+1");
    expect(lines[2]).toBe("'+33 6 12 34 56 78");
    expect(lines[4]).toBe("'@SUM(A1)");
    expect(csv).toContain('"\'=HYPERLINK(""http://evil"")\nsecond line"');
    expect(csv).toContain("\r\n-5\r\n");
    // Every data cell of a guarded value starts with the apostrophe (possibly inside quotes).
    const parsedRaw = csv.split("\r\n").slice(1, 1 + 5);
    for (const cell of parsedRaw) expect(cell.replace(/^"/, "").startsWith("'")).toBe(true);

    // parseCsv undoes the guard: a Lightbox export re-imports unchanged.
    expect(parseCsv(csv).rows.map((r) => r[0])).toEqual([...evil, "-5"]);
  });

  it("round-trips through parseCsv", () => {
    const rows = [
      { name: "Zoë Ñúñez", note: 'She said "hi",\r\nthen left; twice', amount: 3 },
      { name: "", note: "", amount: "" },
      { name: "   spaced  ", note: "|pipe|", amount: 0 },
    ];
    for (const options of [{}, { bom: true, delimiter: ";" as const }]) {
      expect(parseCsv(toCsv(columns, rows, options))).toEqual({
        headers: ["Name", "Note", "Amount"],
        // The all-empty row is skipped, like any blank line.
        rows: [
          ["Zoë Ñúñez", 'She said "hi",\r\nthen left; twice', "3"],
          ["   spaced  ", "|pipe|", "0"],
        ],
      });
    }
  });
});

describe("toJson", () => {
  it("writes dates as ISO strings", () => {
    const json = toJson([{ a: 1, at: new Date(Date.UTC(2026, 0, 2)) }]);
    expect(JSON.parse(json)).toEqual([{ a: 1, at: "2026-01-02T00:00:00.000Z" }]);
  });
});

describe("toXlsx", () => {
  const columns: ExportColumn[] = [
    { key: "name", header: "Nom complet" },
    { key: "amount", header: "Montant", type: "number" },
    { key: "createdAt", header: "Créé le", type: "date" },
    { key: "birthday", header: "Anniversaire", type: "date" },
    { key: "phone", header: "Téléphone", type: "string" },
    { key: "note", header: "Note" },
  ];
  const rows = [
    {
      name: "Élodie Müller-Ñúñez",
      amount: 1234.5,
      createdAt: new Date(Date.UTC(2026, 2, 14, 9, 30, 15)),
      birthday: "1990-07-01",
      phone: "+33612345678",
      note: 'Line 1\nLine 2 & <b>"quoted"</b> =SUM(A1)',
    },
    { name: "Zoë", amount: 0, createdAt: Date.UTC(2025, 11, 31), birthday: null, phone: 612, note: "" },
    { name: "", amount: "n/a", createdAt: undefined, birthday: undefined, phone: undefined, note: "bell\u0007 stripped" },
  ];

  async function readBack(bytes: Uint8Array) {
    const data = (await readSheet(new Blob([bytes]))) as unknown[][];
    // Readers turn the serial back into ms with floating error (…:14.999): compare to the second.
    return data.map((row) => row.map((c) => (c instanceof Date ? new Date(Math.round(c.getTime() / 1000) * 1000) : c)));
  }

  it("writes a real workbook that reads back with the same typed values", async () => {
    const bytes = await toXlsx("Contacts", columns, rows);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe("PK");

    expect(await readBack(bytes)).toEqual([
      ["Nom complet", "Montant", "Créé le", "Anniversaire", "Téléphone", "Note"],
      [
        "Élodie Müller-Ñúñez",
        1234.5,
        new Date(Date.UTC(2026, 2, 14, 9, 30, 15)),
        new Date(Date.UTC(1990, 6, 1)),
        "+33612345678",
        'Line 1\nLine 2 & <b>"quoted"</b> =SUM(A1)',
      ],
      ["Zoë", 0, new Date(Date.UTC(2025, 11, 31)), null, "612", null],
      [null, "n/a", null, null, null, "bell stripped"],
    ]);
  });

  it("bolds and freezes the header row, formats dates, and cleans the sheet name", async () => {
    const files = unzipSync(await toXlsx("Contacts: 2026/03 [all] of the studio's clients", columns, rows));
    const sheet = strFromU8(files["xl/worksheets/sheet1.xml"]!);
    const styles = strFromU8(files["xl/styles.xml"]!);
    expect(sheet).toContain('state="frozen"');
    // A1's style points at a cellXfs entry whose font is bold.
    const a1Style = Number(/<c r="A1"[^>]* s="(\d+)"/.exec(sheet)?.[1]);
    const xfs = [...styles.matchAll(/<xf\b[^>]*>/g)].map((m) => m[0]);
    const fontId = Number(/fontId="(\d+)"/.exec(xfs[a1Style] ?? "")?.[1]);
    const fonts = [...styles.matchAll(/<font>.*?<\/font>/g)].map((m) => m[0]);
    expect(fonts[fontId]).toContain("<b/>");
    expect(styles).toContain('formatCode="yyyy-mm-dd"');
    expect(sheet).not.toContain("<f>"); // no formulas, ever
    const name = /<sheet [^>]*name="([^"]*)"/.exec(strFromU8(files["xl/workbook.xml"]!))?.[1];
    expect(name).toBe("Contacts  2026 03  all  of the");
    expect(name!.length).toBeLessThanOrEqual(31);
  });

  it("exports 5,000 contacts inside workerd (XML parts far over fflate's 160 kB async/Worker threshold)", async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      name: `Contact ${i} Ñ`,
      amount: i * 1.5,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      phone: `+3361234${String(i).padStart(4, "0")}`,
      note: "x".repeat(40),
    }));
    const bytes = await toXlsx("Big", columns, many);
    const sheet = unzipSync(bytes)["xl/worksheets/sheet1.xml"]!;
    expect(sheet.length).toBeGreaterThan(160_000);
    expect(strFromU8(sheet).match(/<row /g)).toHaveLength(5001);
  });
});
