import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "@shared/config";
import { auditedBatch } from "@shared/db/audited";
import { contacts, files, fileUploads, sessions } from "@shared/db/schema";
import { removeOrphanFiles } from "../../workers/cron/orphan-files";
import { deleteContact } from "../../workers/modules/contacts/service";
import { removeStoredObjects, storedKeysOf } from "../../workers/modules/files/cleanup";
import { deleteSession } from "../../workers/modules/sessions/service";
import { api } from "../support/http";
import { db, owner, png, PNG_HEADER, bytesWith, uploadOk } from "./helpers";

const HOUR = 3_600_000;

/** The test bucket, except that deleting objects and aborting uploads fail as in an R2 outage. */
const failingBucket = new Proxy(env.FILES, {
  get(target, prop) {
    if (prop === "delete") return () => Promise.reject(new Error("R2 is unavailable"));
    if (prop === "resumeMultipartUpload") return () => ({ abort: () => Promise.reject(new Error("R2 is unavailable")) });
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

const depsFor = (ownerId: string, bucket: R2Bucket) => ({
  env: { ...env, FILES: bucket },
  db,
  config: getConfig(env),
  actor: { type: "USER" as const, id: ownerId, requestId: null },
});

/** The JSON lines the code under test logged at level error. */
function errorLines() {
  const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
  return () => spy.mock.calls.map((args) => JSON.parse(String(args[0])) as { level: string; msg: string });
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function startUploadWithPart(token: string, parentPath: string) {
  const started = await api(`${parentPath}/uploads`, { token, json: { name: "big.zip" } });
  const part = await api(`/api/uploads/${started.body.uploadId}/parts/1`, {
    method: "PUT",
    token,
    body: bytesWith(PNG_HEADER, 100),
    headers: { "content-type": "application/octet-stream" },
  });
  expect(part.status, part.text).toBe(200);
  const [upload] = await db.select().from(fileUploads).where(eq(fileUploads.id, started.body.uploadId));
  return upload!;
}

describe("removing a parent's files (storedKeysOf, then removeStoredObjects)", () => {
  it("deletes the parent's objects and aborts its multipart uploads, leaving other parents' files alone", async () => {
    const { account, token, contactId, sessionId } = await owner();
    const me = account.user.id;
    const a = await uploadOk(token, `/api/contacts/${contactId}`, png(), "a.png");
    const b = await uploadOk(token, `/api/contacts/${contactId}`, png(20), "b.png");
    const other = await uploadOk(token, `/api/sessions/${sessionId}`, png(30), "other.png");
    const upload = await startUploadWithPart(token, `/api/contacts/${contactId}`);

    // The flow of a contact's deletion: keys first, rows by cascade in the audited delete, objects last.
    const stored = await storedKeysOf(db, me, { contactId });
    expect([...stored.keys].sort()).toEqual([a.id, b.id, upload.id].map((id) => `${me}/files/${id}`).sort());
    expect(stored.uploads).toEqual([{ key: upload.r2Key, uploadId: upload.r2UploadId }]);
    await auditedBatch(db, { type: "USER", id: me, requestId: null }, [db.delete(contacts).where(and(eq(contacts.ownerId, me), eq(contacts.id, contactId)))]);
    await removeStoredObjects(env.FILES, stored);

    expect(await db.select().from(files).where(eq(files.ownerId, me))).toHaveLength(1);
    expect((await env.FILES.list({ prefix: `${me}/files/` })).objects.map((o) => o.key)).toEqual([`${me}/files/${other.id}`]);
    const aborted = await env.FILES.resumeMultipartUpload(upload.r2Key, upload.r2UploadId)
      .uploadPart(2, new Uint8Array(10))
      .then(() => "still open", (error: Error) => error.message);
    expect(aborted).toMatch(/10024/);
  });

  it("never throws when R2 fails: one JSON error line is logged and the leftovers wait for the sweep", async () => {
    const logged = errorLines();
    await expect(removeStoredObjects(failingBucket, { keys: ["a/files/1", "a/files/2"], uploads: [{ key: "a/files/2", uploadId: "u" }] })).resolves.toBeUndefined();
    const lines = logged();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", msg: expect.stringContaining("orphan sweep"), keys: 2, uploads: 1 });
  });

  it("lets a contact's and a session's deletion succeed when R2 fails after the commit; the hourly sweep removes the objects", async () => {
    const { account, token, contactId, sessionId } = await owner();
    const me = account.user.id;
    const onContact = await uploadOk(token, `/api/contacts/${contactId}`, png(), "c.png");
    const onSession = await uploadOk(token, `/api/sessions/${sessionId}`, png(50), "s.png");
    await startUploadWithPart(token, `/api/sessions/${sessionId}`);
    const logged = errorLines();

    await expect(deleteContact(depsFor(me, failingBucket), me, contactId)).resolves.toBeUndefined();
    await expect(deleteSession(depsFor(me, failingBucket), me, sessionId)).resolves.toBeUndefined();
    expect(logged().map((line) => line.level)).toEqual(["error", "error"]);

    // The deletions happened: rows gone, so a retry is a 404 as for any deleted parent.
    expect(await db.select().from(contacts).where(eq(contacts.id, contactId))).toEqual([]);
    expect(await db.select().from(sessions).where(eq(sessions.id, sessionId))).toEqual([]);
    expect(await db.select().from(files).where(eq(files.ownerId, me))).toEqual([]);
    expect((await api(`/api/contacts/${contactId}`, { method: "DELETE", token })).status).toBe(404);

    const left = (await env.FILES.list({ prefix: `${me}/files/` })).objects.map((o) => o.key);
    expect(left).toEqual(expect.arrayContaining([onContact.id, onSession.id].map((id) => `${me}/files/${id}`)));
    for (let run = 0; run < 10 && (await env.FILES.list({ prefix: `${me}/files/` })).objects.length > 0; run++) {
      await removeOrphanFiles({ env, db, now: new Date(Date.now() + 2 * HOUR) });
    }
    expect((await env.FILES.list({ prefix: `${me}/files/` })).objects).toEqual([]);
  });
});
