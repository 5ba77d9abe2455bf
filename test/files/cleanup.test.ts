import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { contacts, files, fileUploads } from "@shared/db/schema";
import { removeObjects, storedKeysOf } from "../../workers/modules/files/cleanup";
import { api } from "../support/http";
import { db, owner, png, PNG_HEADER, bytesWith, uploadOk } from "./helpers";

describe("removing a parent's files (storedKeysOf, then removeObjects)", () => {
  it("deletes the parent's objects and aborts its multipart uploads, leaving other parents' files alone", async () => {
    const { account, token, contactId, sessionId } = await owner();
    const me = account.user.id;
    const a = await uploadOk(token, `/api/contacts/${contactId}`, png(), "a.png");
    const b = await uploadOk(token, `/api/contacts/${contactId}`, png(20), "b.png");
    const other = await uploadOk(token, `/api/sessions/${sessionId}`, png(30), "other.png");
    const started = await api(`/api/contacts/${contactId}/uploads`, { token, json: { name: "big.zip" } });
    const part = await api(`/api/uploads/${started.body.uploadId}/parts/1`, {
      method: "PUT",
      token,
      body: bytesWith(PNG_HEADER, 100),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(part.status, part.text).toBe(200);
    const [upload] = await db.select().from(fileUploads).where(eq(fileUploads.id, started.body.uploadId));

    // The flow of a contact's deletion: keys first, rows by cascade in the audited delete, objects last.
    const keys = await storedKeysOf(db, me, { contactId });
    expect([...keys].sort()).toEqual([a.id, b.id, started.body.uploadId].map((id) => `${me}/files/${id}`).sort());
    await auditedBatch(db, { type: "USER", id: me, requestId: null }, [db.delete(contacts).where(and(eq(contacts.ownerId, me), eq(contacts.id, contactId)))]);
    await removeObjects(env.FILES, keys);

    expect(await db.select().from(files).where(eq(files.ownerId, me))).toHaveLength(1);
    expect((await env.FILES.list({ prefix: `${me}/files/` })).objects.map((o) => o.key)).toEqual([`${me}/files/${other.id}`]);
    const aborted = await env.FILES.resumeMultipartUpload(upload!.r2Key, upload!.r2UploadId)
      .uploadPart(2, new Uint8Array(10))
      .then(() => "still open", (error: Error) => error.message);
    expect(aborted).toMatch(/10024/);
  });
});
