import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { files, fileUploads } from "@shared/db/schema";
import worker from "../../workers/index";
import { api, errorPaths, expectProblem, ORIGIN } from "../support/http";
import { auditRowsOf, bytesWith, db, download, MiB, owner, PNG_HEADER, sha256Hex } from "./helpers";

// Miniflare enforces R2's rules: every part but the last at least 5 MiB, all of them the same size.
const PART = 5 * MiB;

const start = (token: string, parentPath: string, json: unknown = { name: "Mariage 2026 RAW.zip" }) => api(`${parentPath}/uploads`, { token, json });
const putPart = (token: string, uploadId: string, partNumber: number | string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  api(`/api/uploads/${uploadId}/parts/${partNumber}`, { method: "PUT", token, body, headers: { "content-type": "application/octet-stream", ...headers } });
const complete = (token: string, uploadId: string, parts: unknown) => api(`/api/uploads/${uploadId}/complete`, { token, json: { parts } });
const uploadRow = async (id: string) => (await db.select().from(fileUploads).where(eq(fileUploads.id, id)))[0];

describe("multipart uploads", () => {
  it("create, parts, complete: the file holds exactly the bytes sent, and every step is audited", async () => {
    const { account, token, contactId } = await owner();
    const bytes = bytesWith([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], 2 * PART + 54_321);
    const created = await start(token, `/api/contacts/${contactId}`, { name: "../Mariage 2026: RAW.zip", size: bytes.length });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ uploadId: expect.any(String), partSize: 8 * MiB, minPartSize: 5 * MiB, maxParts: 10_000 });
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const { uploadId } = created.body;

    const parts = [];
    for (let n = 1; n * PART - PART < bytes.length; n++) {
      const res = await putPart(token, uploadId, n, bytes.slice((n - 1) * PART, n * PART));
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ partNumber: n, etag: expect.any(String) });
      parts.push(res.body);
    }
    expect(parts).toHaveLength(3);
    expect((await uploadRow(uploadId))?.contentType).toBe("application/zip");

    const done = await complete(token, uploadId, [parts[2], parts[0], parts[1]]);
    expect(done.status, done.text).toBe(201);
    expect(done.body).toMatchObject({ id: uploadId, name: "Mariage 2026_ RAW.zip", size: bytes.length, contentType: "application/zip", contactId, sessionId: null, sha256: null });
    expect(await uploadRow(uploadId)).toBeUndefined();

    const got = await download(`/api/files/${uploadId}/download`, { token });
    expect(got.status).toBe(200);
    expect(got.bytes.length).toBe(bytes.length);
    // Compared by digest: a failing toEqual on 10 MiB would print a diff of every byte.
    expect(await sha256Hex(got.bytes)).toBe(await sha256Hex(bytes));
    expect((await api(`/api/contacts/${contactId}/files`, { token })).body.items.map((f: { id: string }) => f.id)).toEqual([uploadId]);
    expect((await env.FILES.head(`${account.user.id}/files/${uploadId}`))?.size).toBe(bytes.length);

    expect((await auditRowsOf("file_upload", uploadId)).map((t) => [t.action, t.actorId])).toEqual([
      ["CREATE", account.user.id],
      ["UPDATE", account.user.id],
      ["DELETE", account.user.id],
    ]);
    const [createRow] = await auditRowsOf("file_upload", uploadId);
    expect(createRow!.changes.r2UploadId).toEqual({ before: null, after: "[redacted]" });
    expect((await auditRowsOf("file", uploadId)).map((t) => t.action)).toEqual(["CREATE"]);
  });

  it("completes a one-part upload to a session (the last part has no minimum) and names it from its type when no name is left", async () => {
    const { token, sessionId } = await owner();
    const { body } = await start(token, `/api/sessions/${sessionId}`, { name: "///" });
    const bytes = bytesWith(PNG_HEADER, 1000);
    const part = await putPart(token, body.uploadId, 1, bytes);
    const done = await complete(token, body.uploadId, [part.body]);
    expect(done.status, done.text).toBe(201);
    expect(done.body).toMatchObject({ name: "file.png", contentType: "image/png", size: 1000, sessionId, contactId: null });
    expect((await download(`/api/files/${body.uploadId}/download`, { token })).bytes).toEqual(bytes);
  });

  it("refuses parts R2 would not assemble, with a 400 on body.parts", async () => {
    const { token, contactId } = await owner();
    const { body } = await start(token, `/api/contacts/${contactId}`);
    const small = await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 1000));
    const last = await putPart(token, body.uploadId, 2, bytesWith([], 1000));
    let res = await complete(token, body.uploadId, [small.body, last.body]);
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.body.errors[0]).toMatchObject({ path: "body.parts", message: expect.stringContaining("at least 5242880 bytes") });

    res = await complete(token, body.uploadId, [{ partNumber: 1, etag: "not-the-etag" }]);
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(errorPaths(res)).toEqual(["body.parts"]);

    // Still usable: the single part completes.
    res = await complete(token, body.uploadId, [small.body]);
    expect(res.status, res.text).toBe(201);
  });

  it("aborts the upload when part 1 is of a type not accepted", async () => {
    const { token, contactId } = await owner();
    const { body } = await start(token, `/api/contacts/${contactId}`, { name: "photos.zip" });
    const res = await putPart(token, body.uploadId, 1, bytesWith([0x7f, 0x45, 0x4c, 0x46], 4096));
    expect(expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toMatch(/application\/x-executable/);
    expect(await uploadRow(body.uploadId)).toBeUndefined();
    expectProblem(await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 100)), 404, "NOT_FOUND");
    expect((await auditRowsOf("file_upload", body.uploadId)).map((t) => t.action)).toEqual(["CREATE", "DELETE"]);
  });

  it("aborts on request: 204, the row goes, later parts and completion are 404", async () => {
    const { token, contactId } = await owner();
    const { body } = await start(token, `/api/contacts/${contactId}`);
    const part = await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 2000));
    const res = await api(`/api/uploads/${body.uploadId}`, { method: "DELETE", token });
    expect(res.status).toBe(204);
    expect(await uploadRow(body.uploadId)).toBeUndefined();
    expectProblem(await putPart(token, body.uploadId, 2, bytesWith([], 10)), 404, "NOT_FOUND");
    expectProblem(await complete(token, body.uploadId, [part.body]), 404, "NOT_FOUND");
    expectProblem(await api(`/api/uploads/${body.uploadId}`, { method: "DELETE", token }), 404, "NOT_FOUND");
    expect(await db.select().from(files).where(eq(files.id, body.uploadId))).toEqual([]);
  });

  it("answers 410 to parts and completion once expired, and still lets the owner abort", async () => {
    const { account, token, contactId } = await owner();
    const { body } = await start(token, `/api/contacts/${contactId}`);
    const part = await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 100));
    await auditedBatch(db, { type: "SYSTEM", id: null, requestId: null }, [
      db.update(fileUploads).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(fileUploads.id, body.uploadId)),
    ]);
    expectProblem(await putPart(token, body.uploadId, 2, bytesWith([], 10)), 410, "GONE");
    expectProblem(await complete(token, body.uploadId, [part.body]), 410, "GONE");
    expect((await api(`/api/uploads/${body.uploadId}`, { method: "DELETE", token })).status).toBe(204);
    expect(account.user.id).toBeTruthy();
  });

  it("refuses bad input with 400 naming the field", async () => {
    const { token, contactId } = await owner();
    const path = `/api/contacts/${contactId}`;
    expect(errorPaths(await start(token, path, {}))).toEqual(["body.name"]);
    expect(errorPaths(await start(token, path, { name: "a.zip", ownerId: "someone" }))).toEqual(["body.ownerId"]);
    expect(errorPaths(await start(token, path, { name: "a.zip", id: "mine" }))).toEqual(["body.id"]);
    expect(errorPaths(await start(token, path, { name: "a.zip", size: -1 }))).toEqual(["body.size"]);
    expect(errorPaths(await start(token, path, { name: "a.zip", size: 1.5 }))).toEqual(["body.size"]);

    const { body } = await start(token, path);
    for (const n of [0, 10_001, "x"]) expect(errorPaths(await putPart(token, body.uploadId, n, bytesWith(PNG_HEADER, 10)))).toEqual(["path.partNumber"]);
    expectProblem(await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 10), { "content-type": "application/json" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectProblem(await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 10), { "content-type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(errorPaths(await putPart(token, body.uploadId, 1, new Uint8Array(0)))).toEqual(["body"]);
    // A streamed body without Content-Length, handed to the Worker directly: through SELF the refused,
    // unread stream would surface in the test as a lost connection.
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(bytesWith(PNG_HEADER, 100));
        controller.close();
      },
    });
    const ctx = createExecutionContext();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" };
    const res = await worker.fetch(new Request(`${ORIGIN}/api/uploads/${body.uploadId}/parts/1`, { method: "PUT", body: chunked, headers }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["header.content-length"]);

    expect(errorPaths(await complete(token, body.uploadId, [{ partNumber: 1, etag: "a" }]))).toEqual(["body.parts"]);
    expect(errorPaths(await complete(token, body.uploadId, []))).toEqual(["body.parts"]);
    expect(errorPaths(await complete(token, body.uploadId, [{ partNumber: 2, etag: "a" }]))).toEqual(["body.parts"]);
    const part = await putPart(token, body.uploadId, 1, bytesWith(PNG_HEADER, 10));
    expect(errorPaths(await complete(token, body.uploadId, [part.body, part.body]))).toEqual(["body.parts"]);
    expect(errorPaths(await complete(token, body.uploadId, [{ ...part.body, extra: 1 }]))).toEqual(["body.parts.0.extra"]);
    expect(errorPaths(await api(`/api/uploads/${body.uploadId}/complete`, { token, json: { parts: [part.body], fileId: "x" } }))).toEqual(["body.fileId"]);
  });
});
