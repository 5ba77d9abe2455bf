import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { contacts, files, fileUploads } from "@shared/db/schema";
import worker from "../../workers/index";
import { expectProblem, ORIGIN } from "../support/http";
import { bytesWith, db, formWith, MiB, owner, png, rawForm, upload } from "./helpers";

const objectsOf = async (ownerId: string) => (await env.FILES.list({ prefix: `${ownerId}/files/` })).objects.map((o) => o.key);

describe("an upload whose parent is deleted while the file streams in", () => {
  it("answers 404 and leaves neither a row nor an object", async () => {
    const { account, token, contactId } = await owner();
    const form = rawForm('form-data; name="file"; filename="late.png"', png(2 * MiB));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          // Half-way through, well after the parent was checked, the contact is deleted.
          if (sent === MiB) {
            await auditedBatch(db, { type: "USER", id: account.user.id, requestId: null }, [db.delete(contacts).where(eq(contacts.id, contactId))]);
          }
          if (sent >= form.body.length) return controller.close();
          controller.enqueue(form.body.slice(sent, sent + 1024));
          sent += 1024;
        },
      },
      { highWaterMark: 0 },
    );
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/contacts/${contactId}/files`, { method: "POST", body: stream, headers: { authorization: `Bearer ${token}`, "content-type": form.contentType } }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([404, "NOT_FOUND"]);
    expect(sent).toBeGreaterThanOrEqual(form.body.length);
    expect(await db.select().from(files).where(eq(files.ownerId, account.user.id))).toEqual([]);
    expect(await objectsOf(account.user.id)).toEqual([]);
  });
});

describe("upload size limits", () => {
  // MAX_UPLOAD_BYTES of 4096 for the requests of `send` alone: the Worker is called with a copy of the test
  // env (the configuration is parsed per env object), so no test binding changes for anyone else.
  const LIMIT = 4096;
  const smallEnv = { ...env, MAX_UPLOAD_BYTES: String(LIMIT) };
  const send = async (token: string, contactId: string, body: BodyInit, headers: Record<string, string> = {}) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/contacts/${contactId}/files`, { method: "POST", body, headers: { authorization: `Bearer ${token}`, ...headers } }),
      smallEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as { code: string; size?: number } };
  };

  it("accepts a file of exactly the limit and refuses one byte more with 413, leaving nothing behind", async () => {
    const { account, token, contactId } = await owner();
    expect((await send(token, contactId, formWith(png(LIMIT)))).body.size).toBe(LIMIT);
    const refused = await send(token, contactId, formWith(png(LIMIT + 1)));
    expect([refused.status, refused.body.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(await objectsOf(account.user.id)).toHaveLength(1);
  });

  it("refuses form fields around the file that exceed MAX_BODY_BYTES", async () => {
    const { token, contactId } = await owner();
    const form = new FormData();
    form.append("note", "x".repeat(1024 * 1024 + 1));
    form.append("file", new File([png()], "photo.png"));
    expectProblem(await upload(token, `/api/contacts/${contactId}`, form), 413, "PAYLOAD_TOO_LARGE");
  });

  it("counts while streaming when there is no Content-Length, and refuses early when the declared length is too big", async () => {
    const { account, token, contactId } = await owner();
    const form = rawForm('form-data; name="file"; filename="stream.png"', png(3 * MiB));
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= form.body.length) return controller.close();
        controller.enqueue(form.body.slice(pulled, pulled + 1024));
        pulled += 1024;
      },
    });
    const refused = await send(token, contactId, stream, { "content-type": form.contentType });
    expect([refused.status, refused.body.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    // It stopped soon after the limit instead of reading the 3 MiB.
    expect(pulled).toBeLessThan(256 * 1024);

    const declared = await send(token, contactId, new Uint8Array(16), { "content-type": form.contentType, "content-length": String(2 * MiB) });
    expect([declared.status, declared.body.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(await objectsOf(account.user.id)).toEqual([]);
  });
});

describe("multipart upload size limit (MAX_MULTIPART_UPLOAD_BYTES)", () => {
  // 6 MiB for these requests alone, on a copy of the env as above: a 5 MiB part plus a small last part fit.
  const LIMIT = 6 * MiB;
  const capped = { ...env, MAX_MULTIPART_UPLOAD_BYTES: String(LIMIT) };
  const call = async (token: string, method: string, path: string, body?: string | Uint8Array, contentType = "application/json") => {
    const ctx = createExecutionContext();
    // Set by hand: a Request built in the test carries no Content-Length, which parts require.
    const length = typeof body === "string" ? new TextEncoder().encode(body).length : body?.length;
    const headers = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": contentType, "content-length": String(length) }) };
    const res = await worker.fetch(new Request(`${ORIGIN}${path}`, { method, body, headers }), capped, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { code?: string } };
  };
  const start = (token: string, contactId: string, size?: number) => call(token, "POST", `/api/contacts/${contactId}/uploads`, JSON.stringify({ name: "RAW.zip", size }));
  const part = (token: string, uploadId: string, n: number, bytes: Uint8Array) => call(token, "PUT", `/api/uploads/${uploadId}/parts/${n}`, bytes, "application/octet-stream");
  const zip = (size: number) => bytesWith([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], size);

  it("refuses an announced size over the limit at create (413), and tells the limit to those under it", async () => {
    const { token, contactId } = await owner();
    const over = await start(token, contactId, LIMIT + 1);
    expect([over.status, over.body.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const fits = await start(token, contactId, LIMIT);
    expect(fits.status).toBe(201);
    expect(fits.body.maxSize).toBe(LIMIT);
  });

  it("refuses a part whose number times its size exceeds the limit, and keeps the upload usable", async () => {
    const { token, contactId } = await owner();
    const { body } = await start(token, contactId);
    const uploadId = body.uploadId as string;
    expect((await part(token, uploadId, 1, zip(5 * MiB))).status).toBe(200);
    const refused = await part(token, uploadId, 2, zip(3 * MiB + 1));
    expect([refused.status, refused.body.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect((await part(token, uploadId, 2, zip(3 * MiB))).status).toBe(200);
  });

  it("refuses at complete an assembled file over the limit: the object and the upload are discarded", async () => {
    const { account, token, contactId } = await owner();
    const { body } = await start(token, contactId);
    const uploadId = body.uploadId as string;
    // Each part passes its own check (1 × 5 MiB, 2 × 2 MiB), the whole (7 MiB) does not.
    const one = await part(token, uploadId, 1, zip(5 * MiB));
    const two = await part(token, uploadId, 2, zip(2 * MiB));
    const done = await call(token, "POST", `/api/uploads/${uploadId}/complete`, JSON.stringify({ parts: [one.body, two.body] }));
    expect([done.status, done.body.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(await env.FILES.head(`${account.user.id}/files/${uploadId}`)).toBeNull();
    expect(await db.select().from(fileUploads).where(eq(fileUploads.id, uploadId))).toEqual([]);
    expect(await db.select().from(files).where(eq(files.id, uploadId))).toEqual([]);
  });
});
