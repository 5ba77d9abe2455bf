import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../workers/index";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { auditLog, contacts } from "@shared/db/schema";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { contactsOf, importCsv } from "./helpers";

const db = createDb(env.DB);
const countOf = async (ownerId: string) => (await db.select({ n: count() }).from(contacts).where(eq(contacts.ownerId, ownerId)))[0]!.n;

// The header row Google Contacts writes (abridged), with its group membership column.
const GOOGLE = [
  "First Name,Last Name,E-mail 1 - Value,Phone 1 - Value,Organization 1 - Name,Birthday,Labels,Nickname",
  'Élodie,Martin,Elodie.Martin@Example.com,06 12 34 56 78,Studio Lumière,1990-04-21,"* myContacts ::: Wedding 2027 ::: VIP",Lolo',
  'Jean-Pierre,Dupré,jp@example.com,+44 20 7946 0958,,,"* myContacts ::: vip",',
  'Ama,,ama@example.com,,,,,',
].join("\r\n");

describe("POST /api/contacts/import", () => {
  it("maps another CRM's headers, normalizes like the API, creates missing tags and links them", async () => {
    const owner = await register();
    const res = await importCsv(owner.accessToken, GOOGLE);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ imported: 3, skipped: [], ignoredColumns: ["Nickname"], tagsCreated: 2, duplicatesFound: 0 });

    const [elodie, jp, ama] = await contactsOf(owner.accessToken);
    expect(elodie).toMatchObject({
      firstName: "Élodie",
      lastName: "Martin",
      email: "elodie.martin@example.com",
      phone: "06 12 34 56 78",
      phoneE164: "+33612345678",
      company: "Studio Lumière",
      birthday: "1990-04-21",
      source: "IMPORT",
    });
    // "VIP" and "vip" are one tag, named as first written; the Google system group is not a tag.
    expect(elodie.tags.map((t: any) => t.name).sort()).toEqual(["VIP", "Wedding 2027"]);
    expect(jp.tags.map((t: any) => t.name)).toEqual(["VIP"]);
    expect(jp.phoneE164).toBe("+442079460958");
    expect(ama).toMatchObject({ firstName: "Ama", lastName: null, tags: [] });

    // Imported contacts are searchable (the full-text index followed) and audited like any other write.
    const found = await api("/api/contacts?search=elodie", { token: owner.accessToken });
    expect(found.body.items.map((c: any) => c.id)).toEqual([elodie.id]);
    const trail = await db.select().from(auditLog).where(eq(auditLog.entityId, elodie.id));
    expect(trail.map((t) => t.action)).toEqual(expect.arrayContaining(["CREATE", "UPDATE"]));
    expect(trail.every((t) => t.actorId === owner.user.id)).toBe(true);
  });

  it("refuses the whole file when a row is invalid, naming each row and field, and imports nothing", async () => {
    const owner = await register();
    const csv = ["Name,Email,Phone,Birthday", "Good Row,good@example.com,,", "Bad Email,not-an-email,,", ",nobody@example.com,,", "Bad Phone,,12,", "Bad Date,,,1990-02-30"].join("\n");
    const res = await importCsv(owner.accessToken, csv);
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.body.detail).toContain("4 of 5 rows are not valid");
    expect(errorPaths(res)).toEqual(["rows[3].email", "rows[4].firstName", "rows[5].phone", "rows[6].birthday"]);
    expect(await countOf(owner.user.id)).toBe(0);
    expect(await db.select().from(auditLog).where(eq(auditLog.ownerId, owner.user.id))).toEqual([]);
  });

  it("with skipInvalid=true imports the valid rows and lists the others by line", async () => {
    const owner = await register();
    const csv = ["Name,Email", "Good One,one@example.com", "Bad,nope", "Good Two,two@example.com"].join("\n");
    const res = await importCsv(owner.accessToken, csv, "?skipInvalid=true");
    expect(res.status, res.text).toBe(201);
    expect(res.body.imported).toBe(2);
    expect(res.body.skipped).toEqual([{ row: 3, errors: [{ field: "email", message: expect.any(String) }] }]);
    expect((await contactsOf(owner.accessToken)).map((c) => c.firstName)).toEqual(["Good", "Good"]);
  });

  it("runs duplicate detection against existing contacts and within the file", async () => {
    const owner = await register();
    expect((await api("/api/contacts", { token: owner.accessToken, json: { firstName: "Existing", email: "same@example.com" } })).status).toBe(201);
    const csv = ["First name,Last name,Email,Phone", "Other,Person,same@example.com,", "Twin,A,,+33 6 00 00 00 01", "Twin,B,,0600000001"].join("\n");
    const res = await importCsv(owner.accessToken, csv);
    expect(res.status, res.text).toBe(201);
    expect(res.body.duplicatesFound).toBe(2);
    const pairs = await api("/api/duplicates", { token: owner.accessToken });
    expect(pairs.body.items.map((p: any) => p.reason).sort()).toEqual(["EMAIL", "PHONE"]);
  });

  it("reads Windows-1252 files as Excel writes them, `;` delimiters included", async () => {
    const owner = await register();
    // "Prénom;Nom\r\nÉlodie;Dupré" in Windows-1252: é = 0xE9, É = 0xC9.
    const bytes = Uint8Array.from([...Buffer.from("Pr"), 0xe9, ...Buffer.from("nom;Nom\r\n"), 0xc9, ...Buffer.from("lodie;Dupr"), 0xe9]);
    const res = await importCsv(owner.accessToken, bytes);
    expect(res.status, res.text).toBe(201);
    expect((await contactsOf(owner.accessToken))[0]).toMatchObject({ firstName: "Élodie", lastName: "Dupré" });
  });

  it("imports thousands of rows in one go, all or nothing", async () => {
    const owner = await register();
    const rows = Array.from({ length: 2500 }, (_, i) => `Person${i},Number ${i},person${i}@example.com,Tag ${i % 7}`);
    const res = await importCsv(owner.accessToken, ["First name,Last name,Email,Tags", ...rows].join("\n"));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ imported: 2500, tagsCreated: 7 });
    expect(await countOf(owner.user.id)).toBe(2500);
    const found = await api("/api/contacts?search=person2499", { token: owner.accessToken });
    expect(found.body.items.map((c: any) => c.email)).toEqual(["person2499@example.com"]);
  });

  it("reads at most IMPORT_MAX_BYTES of a file, counted as it streams in: 413 and nothing imported", async () => {
    const owner = await register();
    const form = new FormData();
    form.set("file", new Blob([`First name\n${"A\n".repeat(200)}`], { type: "text/csv" }), "big.csv");
    const ctx = createExecutionContext();
    // The limit is read per env object, so a copy of the env with a small limit tests it without a big upload.
    const small = { ...env, IMPORT_MAX_BYTES: "300" };
    const res = await worker.fetch(new Request("http://lightbox.test/api/contacts/import", { method: "POST", body: form, headers: { authorization: `Bearer ${owner.accessToken}` } }), small, ctx);
    await waitOnExecutionContext(ctx);
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(await countOf(owner.user.id)).toBe(0);
  });

  it("imports locations, and refuses half a location or one that is not a number", async () => {
    const owner = await register();
    const ok = await importCsv(owner.accessToken, ["Name,Latitude,Longitude", "Ama Mensah,5.6037,-0.187"].join("\n"));
    expect(ok.status, ok.text).toBe(201);
    expect((await contactsOf(owner.accessToken))[0].location).toEqual({ lat: 5.6037, lng: -0.187 });
    const bad = await importCsv(owner.accessToken, ["Name,Lat,Lng", "Half,5.6,", "Word,north,2"].join("\n"));
    expect(errorPaths(bad)).toEqual(["rows[2].location.lng", "rows[3].location.lat"]);
  });

  it("refuses what is not a usable CSV upload", async () => {
    const owner = await register();
    const token = owner.accessToken;
    expect(errorPaths(await importCsv(token, "Email\nx@example.com"))).toEqual(["body.file"]); // no name column
    expect(errorPaths(await importCsv(token, "First name\n"))).toEqual(["body.file"]); // header only
    expect(errorPaths(await importCsv(token, Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0xff, 0xfe, 0, 1, 2])))).toEqual(["body.file"]); // a zip
    expect(errorPaths(await importCsv(token, 'First name\n"unclosed'))).toEqual(["body.file"]);
    const noFile = new FormData();
    noFile.set("other", "x");
    expect(errorPaths(await api("/api/contacts/import", { token, method: "POST", body: noFile }))).toEqual(["body.file"]);
    expectProblem(await api("/api/contacts/import", { token, json: { csv: "First name\nA" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(errorPaths(await importCsv(token, "First name\nA", "?skipInvalid=maybe"))).toEqual(["query.skipInvalid"]);
    expectProblem(await importCsv("", "First name\nA"), 401, "UNAUTHORIZED");
    expect(await countOf(owner.user.id)).toBe(0);
  });
});
