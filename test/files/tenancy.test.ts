import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { files, fileUploads } from "@shared/db/schema";
import { api, expectProblem } from "../support/http";
import { db, download, formWith, owner, png, upload, uploadOk } from "./helpers";

describe("files across tenants", () => {
  it("answer 404 to another user on every route, exactly like a missing id, and change nothing", async () => {
    const alice = await owner();
    const bob = await owner();
    const file = await uploadOk(alice.token, `/api/contacts/${alice.contactId}`, png(), "alice.png");
    const created = await api(`/api/sessions/${alice.sessionId}/uploads`, { token: alice.token, json: { name: "archive.zip" } });
    expect(created.status, created.text).toBe(201);
    const { uploadId } = created.body;

    const asBob = async (path: string, init: Parameters<typeof api>[1] = {}) => expectProblem(await api(path, { token: bob.token, ...init }), 404, "NOT_FOUND");
    for (const parent of [`/api/contacts/${alice.contactId}`, `/api/sessions/${alice.sessionId}`]) {
      expectProblem(await upload(bob.token, parent, formWith(png())), 404, "NOT_FOUND");
      await asBob(`${parent}/files`);
      await asBob(`${parent}/uploads`, { json: { name: "x.zip" } });
    }
    await asBob(`/api/files/${file.id}`);
    expect((await download(`/api/files/${file.id}/download`, { token: bob.token })).status).toBe(404);
    await asBob(`/api/files/${file.id}/signed-url`, { method: "POST" });
    await asBob(`/api/files/${file.id}`, { method: "DELETE" });
    await asBob(`/api/uploads/${uploadId}/parts/1`, { method: "PUT", body: png(), headers: { "content-type": "application/octet-stream" } });
    await asBob(`/api/uploads/${uploadId}/complete`, { json: { parts: [{ partNumber: 1, etag: "x" }] } });
    await asBob(`/api/uploads/${uploadId}`, { method: "DELETE" });

    // A missing id reads the same.
    const missing = "0190f0e0-0000-7000-8000-000000000000";
    await asBob(`/api/files/${missing}`);
    await asBob(`/api/contacts/${missing}/files`);
    await asBob(`/api/uploads/${missing}`, { method: "DELETE" });

    // Bob's own lists do not show Alice's file, and Alice's file and upload are untouched.
    expect((await api(`/api/contacts/${bob.contactId}/files`, { token: bob.token })).body.items).toEqual([]);
    expect(await db.select({ id: files.id }).from(files).where(eq(files.id, file.id))).toHaveLength(1);
    expect(await env.FILES.head(`${alice.account.user.id}/files/${file.id}`)).not.toBeNull();
    expect(await db.select({ id: fileUploads.id }).from(fileUploads).where(eq(fileUploads.id, uploadId))).toHaveLength(1);
    expect((await download(`/api/files/${file.id}/download`, { token: alice.token })).bytes).toEqual(png());
    const part = await api(`/api/uploads/${uploadId}/parts/1`, { method: "PUT", token: alice.token, body: png(), headers: { "content-type": "application/octet-stream" } });
    expect(part.status, part.text).toBe(200);
  });

  it("answer 401 without a token on every route but a signed download", async () => {
    const alice = await owner();
    const file = await uploadOk(alice.token, `/api/contacts/${alice.contactId}`, png());
    const id = "0190f0e0-0000-7000-8000-000000000000";
    const routes: [string, string, Parameters<typeof api>[1]?][] = [
      ["POST", `/api/contacts/${alice.contactId}/files`, { body: formWith(png()) }],
      ["POST", `/api/sessions/${alice.sessionId}/files`, { body: formWith(png()) }],
      ["GET", `/api/contacts/${alice.contactId}/files`],
      ["GET", `/api/sessions/${alice.sessionId}/files`],
      ["POST", `/api/contacts/${alice.contactId}/uploads`, { json: { name: "a.zip" } }],
      ["POST", `/api/sessions/${alice.sessionId}/uploads`, { json: { name: "a.zip" } }],
      ["GET", `/api/files/${file.id}`],
      ["GET", `/api/files/${file.id}/download`],
      ["POST", `/api/files/${file.id}/signed-url`],
      ["DELETE", `/api/files/${file.id}`],
      ["PUT", `/api/uploads/${id}/parts/1`, { body: png(), headers: { "content-type": "application/octet-stream" } }],
      ["POST", `/api/uploads/${id}/complete`, { json: { parts: [{ partNumber: 1, etag: "x" }] } }],
      ["DELETE", `/api/uploads/${id}`],
    ];
    for (const [method, path, init] of routes) expectProblem(await api(path, { method, ...init }), 401, "UNAUTHORIZED");
    expect(await db.select({ id: files.id }).from(files).where(eq(files.ownerId, alice.account.user.id))).toHaveLength(1);
  });
});
