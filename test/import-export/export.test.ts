import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import readXlsxFile from "read-excel-file/node";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { devMail } from "@shared/db/schema";
import { parseCsv } from "../../workers/modules/import-export/formats";
import { api, expectProblem, errorPaths, register, type Account } from "../support/http";
import { contactsOf, importCsv } from "./helpers";

const db = createDb(env.DB);

async function seed(owner: Account) {
  const token = owner.accessToken;
  const tag = await api("/api/tags", { token, json: { name: "VIP" } });
  const a = await api("/api/contacts", { token, json: { firstName: "Élodie", lastName: "Martin", email: "elodie@example.com", phone: "+33 6 12 34 56 78", tagIds: [tag.body.id], birthday: "1990-04-21", notes: "=HYPERLINK(\"x\")" } });
  const b = await api("/api/contacts", { token, json: { firstName: "Ama", company: "Studio; \"North\"", address: { city: "Accra", country: "GH" }, location: { lat: 5.6037, lng: -0.187 } } });
  const s = await api("/api/sessions", { token, json: { title: "Wedding", type: "WEDDING", startsAt: "2027-06-12T14:00:00.000Z", price: { amount: 250050, currency: "EUR" }, contactIds: [a.body.id], tagIds: [tag.body.id] } });
  expect([tag.status, a.status, b.status, s.status]).toEqual([201, 201, 201, 201]);
  return { a: a.body, b: b.body, session: s.body };
}

describe("GET /api/{contacts,sessions}/export", () => {
  it("answers small exports directly as CSV a spreadsheet opens safely, and it imports back unchanged", async () => {
    const owner = await register();
    const { a, b } = await seed(owner);
    const res = await api("/api/contacts/export?format=csv", { token: owner.accessToken });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="lightbox-contacts-\d{4}-\d{2}-\d{2}\.csv"/);
    const { headers, rows } = parseCsv(res.text);
    const byId = new Map(rows.map((r) => [r[headers.indexOf("Id")], Object.fromEntries(headers.map((h, i) => [h, r[i]]))]));
    expect(byId.get(a.id)).toMatchObject({ "First name": "Élodie", Email: "elodie@example.com", Phone: "+33 6 12 34 56 78", Tags: "VIP", Birthday: "1990-04-21", Notes: '=HYPERLINK("x")' });
    expect(res.text).toContain(`"'=HYPERLINK(""x"")"`); // guarded in the file, restored by the parser
    expect(byId.get(b.id)).toMatchObject({ Company: 'Studio; "North"', City: "Accra", Country: "GH" });

    const other = await register();
    const back = await importCsv(other.accessToken, res.text);
    expect(back.status, back.text).toBe(201);
    const imported = await contactsOf(other.accessToken);
    const original = await contactsOf(owner.accessToken);
    const comparable = (c: any) => ({ ...c, id: undefined, source: undefined, createdAt: undefined, updatedAt: undefined, tags: c.tags.map((t: any) => t.name) });
    expect(imported.map(comparable).sort((x, y) => x.firstName.localeCompare(y.firstName))).toEqual(original.map(comparable).sort((x, y) => x.firstName.localeCompare(y.firstName)));
  });

  it("writes JSON and XLSX with the same data, and the workbook reads back to it", async () => {
    const owner = await register();
    await seed(owner);
    const json = await api("/api/contacts/export?format=json", { token: owner.accessToken });
    expect(json.status).toBe(200);
    expect(json.body).toHaveLength(2);

    const res = await fetchBytes("/api/contacts/export?format=xlsx", owner.accessToken);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const [sheet] = (await readXlsxFile(Buffer.from(res.bytes) as never)) as unknown as { data: unknown[][] }[];
    const [header, ...rows] = sheet!.data as (string | number | Date | null)[][];
    const fromXlsx = rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i] ?? null])));
    for (const contact of json.body as any[]) {
      const row = fromXlsx.find((r) => r["Id"] === contact.id)!;
      expect(row["First name"]).toBe(contact.firstName);
      expect(row["Email"]).toBe(contact.email);
      expect(row["Phone (E.164)"]).toBe(contact.phoneE164);
      expect(row["Company"]).toBe(contact.company);
      expect(row["Tags"] ?? "").toBe(contact.tags);
      // Excel stores times as fractions of a day: reading them back may be off by a millisecond.
      expect(Math.abs(new Date(row["Created at"] as string).getTime() - new Date(contact.createdAt).getTime())).toBeLessThanOrEqual(1);
    }
  });

  it("exports sessions with their contacts, tags and the price in major units", async () => {
    const owner = await register();
    const { session } = await seed(owner);
    const res = await api("/api/sessions/export?format=json", { token: owner.accessToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual([
      expect.objectContaining({ id: session.id, title: "Wedding", type: "WEDDING", price: 2500.5, currency: "EUR", contacts: "Élodie Martin", tags: "VIP", startsAt: "2027-06-12T14:00:00.000Z" }),
    ]);
  });

  it("queues large exports: 202, READY through the real queue, an email with a signed link that needs no token", async () => {
    const owner = await register();
    await seed(owner);
    const queued = await api("/api/contacts/export?format=csv&async=true", { token: owner.accessToken });
    expect(queued.status, queued.text).toBe(202);
    expect(queued.headers.get("location")).toBe(`/api/exports/${queued.body.id}`);
    expect(queued.body).toMatchObject({ status: "PENDING", entity: "contacts", format: "csv", downloadPath: null });

    let exp = queued.body;
    for (let i = 0; i < 80 && exp.status === "PENDING"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      exp = (await api(`/api/exports/${exp.id}`, { token: owner.accessToken })).body;
    }
    expect(exp).toMatchObject({ status: "READY", rowCount: 2, downloadPath: `/api/exports/${exp.id}/download` });
    const direct = await api(exp.downloadPath, { token: owner.accessToken });
    expect(direct.status).toBe(200);
    expect(parseCsv(direct.text).rows).toHaveLength(2);

    let mails: (typeof devMail.$inferSelect)[] = [];
    for (let i = 0; i < 40 && mails.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      mails = await db.select().from(devMail).where(eq(devMail.to, owner.email));
      mails = mails.filter((m) => m.subject.includes("export"));
    }
    expect(mails).toHaveLength(1);
    const link = new URL(/https?:\/\/\S+\/api\/exports\/\S+/.exec(mails[0]!.text ?? "")![0]);
    const signed = await api(`${link.pathname}${link.search}`);
    expect(signed.status, signed.text).toBe(200);
    expect(signed.text).toBe(direct.text);
    const tampered = new URL(link);
    tampered.searchParams.set("signature", "0".repeat(64));
    expectProblem(await api(`${tampered.pathname}${tampered.search}`), 403, "FORBIDDEN");
    const later = new URL(link);
    later.searchParams.set("expires", String(Number(link.searchParams.get("expires")) + 1));
    expectProblem(await api(`${later.pathname}${later.search}`), 403, "FORBIDDEN");
    const halfSigned = new URL(link);
    halfSigned.searchParams.delete("signature");
    expect(errorPaths(await api(`${halfSigned.pathname}${halfSigned.search}`))).toEqual(["query.signature"]);

    const list = await api("/api/exports", { token: owner.accessToken });
    expect(list.body.items.map((e: any) => e.id)).toEqual([exp.id]);

    // Another account sees none of it.
    const stranger = await register();
    expectProblem(await api(`/api/exports/${exp.id}`, { token: stranger.accessToken }), 404, "NOT_FOUND");
    expectProblem(await api(exp.downloadPath, { token: stranger.accessToken }), 404, "NOT_FOUND");
    expect((await api("/api/exports", { token: stranger.accessToken })).body.items).toEqual([]);
    expect((await api("/api/contacts/export?format=json", { token: stranger.accessToken })).body).toEqual([]);
  });

  it("streams queued CSV and JSON exports of several pages into R2 without losing or repeating a row", async () => {
    const owner = await register();
    const rows = Array.from({ length: 2500 }, (_, i) => `Person${i},p${i}@example.com`);
    expect((await importCsv(owner.accessToken, ["First name,Email", ...rows].join("\n"))).status).toBe(201);
    for (const format of ["csv", "json"] as const) {
      const queued = await api(`/api/contacts/export?format=${format}&async=true`, { token: owner.accessToken });
      let exp = queued.body;
      for (let i = 0; i < 120 && exp.status === "PENDING"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        exp = (await api(`/api/exports/${exp.id}`, { token: owner.accessToken })).body;
      }
      expect(exp).toMatchObject({ status: "READY", rowCount: 2500 });
      const file = await api(exp.downloadPath, { token: owner.accessToken });
      const emails = format === "csv" ? parseCsv(file.text).rows.map((r) => r[3]) : (JSON.parse(file.text) as { email: string }[]).map((c) => c.email);
      expect(emails).toHaveLength(2500);
      expect(new Set(emails).size).toBe(2500);
      expect(exp.size).toBeGreaterThan(0);
    }
  });

  it("refuses bad formats, anonymous callers and exports that are not ready", async () => {
    const owner = await register();
    expect(errorPaths(await api("/api/contacts/export?format=pdf", { token: owner.accessToken }))).toEqual(["query.format"]);
    expect(errorPaths(await api("/api/sessions/export?limit=1", { token: owner.accessToken }))).toEqual(["query.limit"]);
    expectProblem(await api("/api/contacts/export"), 401, "UNAUTHORIZED");
    expectProblem(await api("/api/exports"), 401, "UNAUTHORIZED");
    expectProblem(await api("/api/exports/nope/download"), 401, "UNAUTHORIZED");
    expectProblem(await api("/api/exports/nope", { token: owner.accessToken }), 404, "NOT_FOUND");
  });
});

async function fetchBytes(path: string, token: string) {
  const { SELF } = await import("cloudflare:test");
  const res = await SELF.fetch(`http://lightbox.test${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return { headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}
