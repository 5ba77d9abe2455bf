import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { files } from "@shared/db/schema";
import { api, errorPaths, expectProblem, type ApiResponse } from "../support/http";
import { STORE_PIECE_BYTES } from "../../workers/modules/files/store";
import { auditRowsOf, bytesWith, db, download, formWith, owner, png, rawForm, sha256Hex, upload, uploadOk } from "./helpers";

const objectsOf = async (ownerId: string) => (await env.FILES.list({ prefix: `${ownerId}/files/` })).objects.map((o) => o.key);

describe("uploads (multipart/form-data, field `file`)", () => {
  it("stores a contact's file and a session's file and serves back exactly the bytes sent (every byte value)", async () => {
    const { account, token, contactId, sessionId } = await owner();
    const bytes = png(70_000);
    expect(new Set(bytes).size).toBe(256);

    const file = await uploadOk(token, `/api/contacts/${contactId}`, bytes, "Séance photo.png");
    expect(file).toMatchObject({ name: "Séance photo.png", size: bytes.length, contentType: "image/png", contactId, sessionId: null, sha256: await sha256Hex(bytes) });
    expect(new Date(file.createdAt).toISOString()).toBe(file.createdAt);

    const object = await env.FILES.head(`${account.user.id}/files/${file.id}`);
    expect(object?.httpMetadata?.contentType).toBe("image/png");
    expect(object?.customMetadata).toMatchObject({ ownerId: account.user.id, fileId: file.id });
    const [row] = await db.select().from(files).where(eq(files.id, file.id));
    expect(row?.r2Key).toBe(`${account.user.id}/files/${file.id}`);

    const res = await download(`/api/files/${file.id}/download`, { token });
    expect(res.status).toBe(200);
    expect(res.bytes).toEqual(bytes);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("etag")).toBe(object!.httpEtag);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="Seance photo.png"; filename*=UTF-8''S%C3%A9ance%20photo.png`);

    const shoot = await uploadOk(token, `/api/sessions/${sessionId}`, png(10), "shoot.png");
    expect(shoot).toMatchObject({ sessionId, contactId: null, size: 10 });
    expect((await download(`/api/files/${shoot.id}/download`, { token })).bytes).toEqual(png(10));
    expect((await api(`/api/files/${shoot.id}`, { token })).body).toEqual(shoot);
  });

  it("streams a file larger than one piece through an R2 multipart upload and reads back identical bytes", async () => {
    const { token, contactId } = await owner();
    const bytes = bytesWith([0xff, 0xd8, 0xff, 0xe1], STORE_PIECE_BYTES * 2 + 12_345);
    const file = await uploadOk(token, `/api/contacts/${contactId}`, bytes, "big.jpg");
    expect(file).toMatchObject({ size: bytes.length, contentType: "image/jpeg", sha256: await sha256Hex(bytes) });
    const res = await download(`/api/files/${file.id}/download`, { token });
    expect(res.bytes.length).toBe(bytes.length);
    expect(await sha256Hex(res.bytes)).toBe(file.sha256);
  });

  it("serves one byte range as 206, ignores ranges it cannot serve, and answers 304 to a matching If-None-Match", async () => {
    const { token, contactId } = await owner();
    const bytes = png(1000);
    const { id } = await uploadOk(token, `/api/contacts/${contactId}`, bytes);
    const path = `/api/files/${id}/download`;

    const part = await download(path, { token, headers: { range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.bytes).toEqual(bytes.slice(10, 20));
    expect(part.headers.get("content-range")).toBe("bytes 10-19/1000");
    expect(part.headers.get("content-length")).toBe("10");

    const tail = await download(path, { token, headers: { range: "bytes=-5" } });
    expect([tail.status, tail.headers.get("content-range")]).toEqual([206, "bytes 995-999/1000"]);
    expect(tail.bytes).toEqual(bytes.slice(995));

    for (const range of ["bytes=5000-", "bytes=0-1,5-6", "items=1-2"]) {
      const whole = await download(path, { token, headers: { range } });
      expect([whole.status, whole.bytes.length]).toEqual([200, 1000]);
    }

    const etag = part.headers.get("etag")!;
    const cached = await download(path, { token, headers: { "if-none-match": etag } });
    expect([cached.status, cached.bytes.length, cached.headers.get("etag")]).toEqual([304, 0, etag]);
  });

  it("decides the type from the content: the name and the declared type are ignored", async () => {
    const { account, token, contactId } = await owner();
    const path = `/api/contacts/${contactId}`;
    const pdf = new TextEncoder().encode("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n");
    const asPdf = await uploadOk(token, path, pdf, "holiday.jpg");
    expect(asPdf.contentType).toBe("application/pdf");

    const refusals: [string, Uint8Array | string, RegExp][] = [
      ["photo.jpg", "just some text, not a JPEG", /unrecognised type/],
      ["photo.jpg", bytesWith([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01], 2048), /application\/x-executable/],
      ["setup.png", bytesWith([0x4d, 0x5a, 0x90, 0x00], 512), /application\/x-msdownload/],
      ["page.pdf", "<!DOCTYPE html><html><script>alert(1)</script></html>", /text\/html/],
      ["logo.png", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', /image\/svg\+xml/],
    ];
    for (const [name, content, detail] of refusals) {
      const res = await upload(token, path, formWith(content, name, "file", "image/jpeg"));
      const problem = expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
      expect(problem.detail).toMatch(detail);
      expect(errorPaths(res)).toEqual(["body.file"]);
    }
    // Nothing of the refused files was written anywhere.
    expect(await objectsOf(account.user.id)).toEqual([`${account.user.id}/files/${asPdf.id}`]);
    expect(await db.select({ id: files.id }).from(files).where(eq(files.ownerId, account.user.id))).toEqual([{ id: asPdf.id }]);
  });

  it("refuses an empty file, a form without `file`, a text field named file, a truncated form and non-multipart bodies", async () => {
    const { account, token, contactId } = await owner();
    const path = `/api/contacts/${contactId}`;

    let res = await upload(token, path, formWith(new Uint8Array(0), "empty.png"));
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.body.errors).toEqual([{ path: "body.file", message: "is empty" }]);

    res = await upload(token, path, formWith(png(), "photo.png", "document"));
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.body.errors).toEqual([{ path: "body.file", message: "is required" }]);

    const textField = new FormData();
    textField.append("file", "not a file");
    res = await upload(token, path, textField);
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.file"]);

    const whole = rawForm('form-data; name="file"; filename="cut.png"', png(3000));
    res = await upload(token, path, whole.body.slice(0, 2000), { "content-type": whole.contentType });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body"]);

    res = await api(`${path}/files`, { token, json: { file: "aGVsbG8=" } });
    expect(expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toMatch(/multipart\/form-data/);
    res = await upload(token, path, png(), { "content-type": "image/png" });
    expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    res = await api(`${path}/files`, { method: "POST", token });
    expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    res = await upload(token, path, png(), { "content-type": "multipart/form-data" });
    expectProblem(res, 400, "VALIDATION_FAILED");

    expect(await objectsOf(account.user.id)).toEqual([]);
  });

  it("sanitizes names: no paths, control or reserved characters, letters of every script kept, a fallback when nothing is left", async () => {
    const { token, contactId } = await owner();
    const path = `/api/contacts/${contactId}`;
    const named = async (name: string) => (await uploadOk(token, path, png(64), name)).name;

    expect(await named("../../etc/passwd")).toBe("passwd");
    expect(await named("C:\\Users\\Ada\\Pictures\\mariage.png")).toBe("mariage.png");
    expect(await named("Élodie & Marc — 婚礼 Фото 📷.png")).toBe("Élodie & Marc — 婚礼 Фото 📷.png");
    expect(await named('a<b>c:d"e|f?g*.png')).toBe("a_b_c_d_e_f_g_.png");
    expect(await named("invoice\u202Egnp.exe")).toBe("invoicegnp.exe");
    expect(await named("  .hidden name.png. ")).toBe("hidden name.png");
    expect(await named("con.png")).toBe("_con.png");
    expect(await named("...")).toBe("file.png");
    expect(await named("")).toBe("file.png");
    const long = await named(`${"é".repeat(300)}.png`);
    expect([...long].length).toBe(200);
    expect(long.endsWith("é.png")).toBe(true);

    // Raw header bytes: control characters and an RFC 5987 filename* that wins over filename.
    const raw = async (disposition: string) => {
      const form = rawForm(disposition, png(64));
      const res = await upload(token, path, form.body, { "content-type": form.contentType });
      expect(res.status, res.text).toBe(201);
      return res.body.name as string;
    };
    expect(await raw('form-data; name="file"; filename="a\x01b\x7fc\td\x1b.png"')).toBe("abc d.png");
    expect(await raw(`form-data; name="file"; filename="fallback.png"; filename*=UTF-8''%C3%89lodie%20%E2%82%AC.png`)).toBe("Élodie €.png");
    expect(await raw('form-data; name="file"; filename="quote \\"here\\".png"')).toBe("quote _here_.png");

    const { id } = await uploadOk(token, path, png(64), "Élodie 婚礼.png");
    const res = await download(`/api/files/${id}/download`, { token });
    const disposition = res.headers.get("content-disposition")!;
    expect(disposition).toMatch(/^attachment; filename="Elodie \.png"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe("Élodie 婚礼.png");
  });

  it("ignores form fields that try to set the owner or the id", async () => {
    const victim = await owner();
    const { account, token, contactId } = await owner();
    const form = new FormData();
    form.append("ownerId", victim.account.user.id);
    form.append("id", "chosen-id");
    form.append("contactId", victim.contactId);
    form.append("file", new File([png()], "photo.png"));
    const res = await upload(token, `/api/contacts/${contactId}`, form);
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).not.toBe("chosen-id");
    expect(res.body.contactId).toBe(contactId);
    const [row] = await db.select().from(files).where(eq(files.id, res.body.id));
    expect(row?.ownerId).toBe(account.user.id);
    expect(row?.r2Key.startsWith(`${account.user.id}/`)).toBe(true);
  });

  it("lists a parent's files newest first, every file exactly once across pages, and refuses bad query values", async () => {
    const { token, contactId, sessionId } = await owner();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await uploadOk(token, `/api/contacts/${contactId}`, png(32 + i), `f${i}.png`)).id);
    await uploadOk(token, `/api/sessions/${sessionId}`, png(16), "elsewhere.png");

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse<{ items: { id: string }[]; nextCursor: string | null }> = await api(
        `/api/contacts/${contactId}/files?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token },
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((f) => f.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const session = await api(`/api/sessions/${sessionId}/files`, { token });
    expect(session.body.items.map((f: { name: string }) => f.name)).toEqual(["elsewhere.png"]);
    expect(session.body.nextCursor).toBeNull();

    expect(errorPaths(await api(`/api/contacts/${contactId}/files?limit=0`, { token }))).toEqual(["query.limit"]);
    expect(errorPaths(await api(`/api/contacts/${contactId}/files?limit=101`, { token }))).toEqual(["query.limit"]);
    expect(errorPaths(await api(`/api/contacts/${contactId}/files?cursor=nonsense`, { token }))).toEqual(["query.cursor"]);
  });

  it("serves a page of files from one index range (no sort step)", async () => {
    const { account, contactId } = await owner();
    const { results } = await env.DB.prepare(
      `EXPLAIN QUERY PLAN SELECT * FROM files WHERE owner_id = ?1 AND contact_id = ?2 AND (created_at, id) < (?3, ?4) ORDER BY created_at DESC, id DESC LIMIT 21`,
    )
      .bind(account.user.id, contactId, Date.now(), "z")
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join(" | ");
    expect(plan).toContain("files_owner_contact_idx");
    expect(plan).not.toContain("TEMP B-TREE");
  });

  it("deletes a file: the row (audited), then the object; the audit trail shows create and delete", async () => {
    const { account, token, contactId } = await owner();
    const file = await uploadOk(token, `/api/contacts/${contactId}`, png(), "bye.png");
    const res = await api(`/api/files/${file.id}`, { method: "DELETE", token });
    expect(res.status).toBe(204);
    expect(await env.FILES.head(`${account.user.id}/files/${file.id}`)).toBeNull();
    expectProblem(await api(`/api/files/${file.id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await api(`/api/files/${file.id}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect((await download(`/api/files/${file.id}/download`, { token })).status).toBe(404);

    const trail = await auditRowsOf("file", file.id);
    expect(trail.map((t) => [t.action, t.actorType, t.actorId, t.ownerId])).toEqual([
      ["CREATE", "USER", account.user.id, account.user.id],
      ["DELETE", "USER", account.user.id, account.user.id],
    ]);
    expect(trail[0]!.changes).toMatchObject({ name: { before: null, after: "bye.png" }, contentType: { before: null, after: "image/png" } });
    expect(trail[0]!.requestId).toEqual(expect.any(String));
  });
});
