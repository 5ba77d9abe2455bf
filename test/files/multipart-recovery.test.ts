import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { files, fileUploads, sessions } from "@shared/db/schema";
import { removeOrphanFiles } from "../../workers/cron/orphan-files";
import { completeUpload } from "../../workers/modules/files/multipart";
import { api, errorPaths, expectProblem } from "../support/http";
import { auditRowsOf, bytesWith, db, download, MiB, owner, PNG_HEADER, sha256Hex } from "./helpers";

const HOUR = 3_600_000;
const ZIP_HEADER = [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00];

type Part = { partNumber: number; etag: string };
type BatchItems = { toSQL(): { sql: string } }[];

/**
 * The test database, except that its first batch that writes (the file row's insert) runs `before` and then
 * fails as D1 does when its connection drops. Reads go through untouched.
 */
function dbFailingFirstWrite(before: () => Promise<void> = async () => undefined): Db {
  let armed = true;
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== "batch") return typeof value === "function" ? value.bind(target) : value;
      return async (items: BatchItems) => {
        if (armed && items.some((item) => /^\s*(insert|update|delete)/i.test(item.toSQL().sql))) {
          armed = false;
          await before();
          throw new Error("D1_ERROR: Network connection lost.");
        }
        return target.batch(items as never);
      };
    },
  });
}

const depsFor = (ownerId: string, database: Db) => ({ env, db: database, config: getConfig(env), actor: { type: "USER" as const, id: ownerId, requestId: null } });

async function uploadParts(token: string, parentPath: string, chunks: Uint8Array[]) {
  const created = await api(`${parentPath}/uploads`, { token, json: { name: "RAW.zip" } });
  expect(created.status, created.text).toBe(201);
  const parts: Part[] = [];
  for (const [i, bytes] of chunks.entries()) {
    const res = await api(`/api/uploads/${created.body.uploadId}/parts/${i + 1}`, { method: "PUT", token, body: bytes, headers: { "content-type": "application/octet-stream" } });
    expect(res.status, res.text).toBe(200);
    parts.push(res.body);
  }
  return { uploadId: created.body.uploadId as string, parts };
}

describe("completing a multipart upload when recording the file fails", () => {
  it("keeps the assembled object on a transient D1 failure, and a retried complete records it (once)", async () => {
    const { account, token, contactId } = await owner();
    const me = account.user.id;
    const first = bytesWith(ZIP_HEADER, 5 * MiB);
    const last = bytesWith([], 12_345);
    const { uploadId, parts } = await uploadParts(token, `/api/contacts/${contactId}`, [first, last]);
    const key = `${me}/files/${uploadId}`;

    await expect(completeUpload(depsFor(me, dbFailingFirstWrite()), me, uploadId, { parts })).rejects.toThrow(/Network connection lost/);
    // R2 assembled the object; the upload row still claims its key.
    expect((await env.FILES.head(key))?.size).toBe(first.length + last.length);
    expect(await db.select().from(fileUploads).where(eq(fileUploads.id, uploadId))).toHaveLength(1);
    expect(await db.select().from(files).where(eq(files.id, uploadId))).toEqual([]);

    // The hourly sweep leaves a claimed object alone, however old.
    await removeOrphanFiles({ env, db, now: new Date(Date.now() + 2 * HOUR) });
    expect(await env.FILES.head(key)).not.toBeNull();

    // A retry that names other parts than R2 assembled is refused, not recorded as a different file.
    const wrong = await api(`/api/uploads/${uploadId}/complete`, { token, json: { parts: [parts[0]] } });
    expectProblem(wrong, 400, "VALIDATION_FAILED");
    expect(errorPaths(wrong)).toEqual(["body.parts"]);

    const retried = await api(`/api/uploads/${uploadId}/complete`, { token, json: { parts } });
    expect(retried.status, retried.text).toBe(201);
    expect(retried.body).toMatchObject({ id: uploadId, size: first.length + last.length, contentType: "application/zip", contactId });
    const got = await download(`/api/files/${uploadId}/download`, { token });
    expect(got.bytes.length).toBe(first.length + last.length);
    expect(await sha256Hex(got.bytes)).toBe(await sha256Hex(new Uint8Array([...first, ...last])));
    expect(await db.select().from(fileUploads).where(eq(fileUploads.id, uploadId))).toEqual([]);

    // Completing again (an answer lost on the way) gets the same file, and records nothing more.
    const again = await api(`/api/uploads/${uploadId}/complete`, { token, json: { parts } });
    expect([again.status, again.body]).toEqual([201, retried.body]);
    expect((await auditRowsOf("file", uploadId)).map((t) => t.action)).toEqual(["CREATE"]);
    expect((await auditRowsOf("file_upload", uploadId)).map((t) => t.action)).toEqual(["CREATE", "UPDATE", "DELETE"]);
  });

  it("deletes the object and answers 404 when the parent was deleted meanwhile", async () => {
    const { account, token, sessionId } = await owner();
    const me = account.user.id;
    const { uploadId, parts } = await uploadParts(token, `/api/sessions/${sessionId}`, [bytesWith(PNG_HEADER, 1000)]);
    const deleteSession = () =>
      auditedBatch(db, { type: "USER", id: me, requestId: null }, [db.delete(sessions).where(and(eq(sessions.ownerId, me), eq(sessions.id, sessionId)))]).then(() => undefined);

    await expect(completeUpload(depsFor(me, dbFailingFirstWrite(deleteSession)), me, uploadId, { parts })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await env.FILES.head(`${me}/files/${uploadId}`)).toBeNull();
    expect(await db.select().from(files).where(eq(files.id, uploadId))).toEqual([]);
    expect(await db.select().from(fileUploads).where(eq(fileUploads.id, uploadId))).toEqual([]);
  });

  it("answers 404 when R2 no longer has the upload and no object was assembled", async () => {
    const { token, contactId } = await owner();
    const { uploadId, parts } = await uploadParts(token, `/api/contacts/${contactId}`, [bytesWith(PNG_HEADER, 1000)]);
    const [row] = await db.select().from(fileUploads).where(eq(fileUploads.id, uploadId));
    await env.FILES.resumeMultipartUpload(row!.r2Key, row!.r2UploadId).abort();
    expectProblem(await api(`/api/uploads/${uploadId}/complete`, { token, json: { parts } }), 404, "NOT_FOUND");
  });
});
