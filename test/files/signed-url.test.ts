import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getConfig } from "@shared/config";
import { hmacSha256 } from "@shared/lib/crypto";
import { checkDownload, signDownload } from "../../workers/modules/files/signed-url";
import { exportLinkSubject } from "../../workers/modules/import-export/export";
import { api, errorPaths, expectProblem, ORIGIN } from "../support/http";
import { download, owner, png, uploadOk } from "./helpers";

const jwt = getConfig(env).jwt;
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

async function signedUrlFor(token: string, fileId: string) {
  const res = await api(`/api/files/${fileId}/signed-url`, { method: "POST", token });
  expect(res.status, res.text).toBe(200);
  return res.body as { url: string; expiresAt: string };
}

describe("signed download links", () => {
  it("work without a bearer token until they expire, with the same headers as an authenticated download", async () => {
    const { token, contactId } = await owner();
    const bytes = png(3000);
    const file = await uploadOk(token, `/api/contacts/${contactId}`, bytes, "Épreuves.png");
    const before = Math.floor(Date.now() / 1000);
    const { url, expiresAt } = await signedUrlFor(token, file.id);

    const link = new URL(url);
    expect(link.origin).toBe(ORIGIN);
    expect(link.pathname).toBe(`/api/files/${file.id}/download`);
    const expires = Number(link.searchParams.get("expires"));
    expect(expires).toBeGreaterThanOrEqual(before + getConfig(env).signedUrlTtlSeconds);
    expect(new Date(expiresAt).getTime()).toBe(expires * 1000);
    expect(link.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);

    const res = await download(url);
    expect(res.status).toBe(200);
    expect(res.bytes).toEqual(bytes);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toContain("filename*=UTF-8''%C3%89preuves.png");
  });

  it("are refused with 403 once expired (a genuine signature over a past time) or when anything was altered", async () => {
    const { token, contactId } = await owner();
    const file = await uploadOk(token, `/api/contacts/${contactId}`, png());
    const other = await uploadOk(token, `/api/contacts/${contactId}`, png(10));
    const { url } = await signedUrlFor(token, file.id);
    const link = new URL(url);
    const signature = link.searchParams.get("signature")!;
    const expires = Number(link.searchParams.get("expires"));
    const at = (id: string, exp: number | string, sig: string) => `/api/files/${id}/download?expires=${exp}&signature=${sig}`;

    const past = Math.floor(Date.now() / 1000) - 1;
    const expired = await download(at(file.id, past, await signDownload(jwt, file.id, past)));
    expect([expired.status, expired.json().code, expired.json().detail]).toEqual([403, "FORBIDDEN", "This download link has expired"]);

    const flipped = signature.slice(0, -1) + (signature.endsWith("0") ? "1" : "0");
    const forged = [
      at(file.id, expires, flipped),
      at(file.id, expires + 3600, signature),
      at(other.id, expires, signature),
      at(file.id, expires, signature.slice(0, 32)),
      at(file.id, expires, "not-hex"),
      // The raw JWT secret is not the key: links are signed with a key derived from it.
      at(file.id, expires, hex(await hmacSha256(jwt.secret, `${file.id}:${expires}`))),
    ];
    for (const path of forged) {
      const res = await download(path);
      expect([res.status, res.json().code, res.json().detail]).toEqual([403, "FORBIDDEN", "This download link is not valid"]);
    }
    // A forged link to the past reads as forged, not as merely expired.
    expect((await download(at(file.id, past, flipped))).json().detail).toBe("This download link is not valid");
    // A token does not rescue a bad signature.
    expect((await download(at(file.id, expires, flipped), { token })).status).toBe(403);
  });

  it("check the signature before the time, and accept links signed under the previous JWT secret", async () => {
    const fileId = "0190f0e0-0000-7000-8000-000000000000";
    const now = new Date();
    const future = Math.floor(now.getTime() / 1000) + 60;
    const rotated = { ...jwt, secret: "a-brand-new-secret-0123456789abcdef0123456789", previousSecret: jwt.secret };
    expect(await checkDownload(rotated, fileId, future, await signDownload(jwt, fileId, future), now)).toBe("valid");
    expect(await checkDownload({ ...jwt, secret: rotated.secret, previousSecret: undefined }, fileId, future, await signDownload(jwt, fileId, future), now)).toBe("invalid");
    expect(await checkDownload(jwt, fileId, future, await signDownload(jwt, fileId, future), new Date((future + 1) * 1000))).toBe("expired");
  });

  it("need expires and signature together, as numbers and text", async () => {
    const { token, contactId } = await owner();
    const file = await uploadOk(token, `/api/contacts/${contactId}`, png());
    for (const [query, paths] of [
      ["?signature=abc", ["query.signature"]],
      ["?expires=123", ["query.signature"]],
      ["?expires=soon&signature=abc", ["query.expires"]],
    ] as const) {
      const res = await api(`/api/files/${file.id}/download${query}`);
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res)).toEqual(paths);
    }
  });

  it("stop working when the file is deleted, and are only issued to the file's owner", async () => {
    const { token, contactId } = await owner();
    const file = await uploadOk(token, `/api/contacts/${contactId}`, png());
    const { url } = await signedUrlFor(token, file.id);
    expect((await api(`/api/files/${file.id}`, { method: "DELETE", token })).status).toBe(204);
    const res = await download(url);
    expect([res.status, res.json().code]).toEqual([404, "NOT_FOUND"]);
    expectProblem(await api(`/api/files/${file.id}/signed-url`, { method: "POST", token }), 404, "NOT_FOUND");
  });
});

describe("the signed-link check shared by file and export downloads (middleware/signed-link.ts)", () => {
  it("answers an export download as a file download: 401 without token or link, 400 for half a link, 403 for a forged, foreign or expired link", async () => {
    const { token, contactId } = await owner();
    const file = await uploadOk(token, `/api/contacts/${contactId}`, png());
    const exportId = "0190f0e0-0000-7000-8000-0000000000ee";
    const future = Math.floor(Date.now() / 1000) + 600;
    const past = Math.floor(Date.now() / 1000) - 1;
    const exportAt = (exp: number | string, sig: string) => `/api/exports/${exportId}/download?expires=${exp}&signature=${sig}`;

    expectProblem(await api(`/api/exports/${exportId}/download`), 401, "UNAUTHORIZED");
    expectProblem(await api(`/api/exports/${exportId}/download`, { token: "not-a-token" }), 401, "UNAUTHORIZED");
    expect(errorPaths(await api(`/api/exports/${exportId}/download?signature=abc`))).toEqual(["query.expires"]);
    expect(errorPaths(await api(`/api/exports/${exportId}/download?expires=${future}`))).toEqual(["query.signature"]);
    expect(errorPaths(await api(exportAt("soon", "abc")))).toEqual(["query.expires"]);

    // Links live in separate namespaces: a file link's signature over the same id opens no export, nor the reverse.
    expectProblem(await api(exportAt(future, await signDownload(jwt, exportId, future))), 403, "FORBIDDEN");
    const exportSigned = await signDownload(jwt, exportLinkSubject(file.id), future);
    expect((await download(`/api/files/${file.id}/download?expires=${future}&signature=${exportSigned}`)).status).toBe(403);
    const expired = expectProblem(await api(exportAt(past, await signDownload(jwt, exportLinkSubject(exportId), past))), 403, "FORBIDDEN");
    expect(expired.detail).toMatch(/expired/);

    // A genuine link gets past the check: the export is gone (410); with the token instead, it is not found.
    expectProblem(await api(exportAt(future, await signDownload(jwt, exportLinkSubject(exportId), future))), 410, "GONE");
    expectProblem(await api(`/api/exports/${exportId}/download`, { token }), 404, "NOT_FOUND");
  });

  it("documents both downloads as taking a token or a link, and their 403 as a FORBIDDEN problem", async () => {
    const doc = (await api("/api/openapi.json")).body;
    for (const path of ["/api/files/{id}/download", "/api/exports/{id}/download"]) {
      const operation = doc.paths[path].get;
      expect(operation.security, path).toEqual([{ bearerAuth: [] }, {}]);
      expect(Object.keys(operation.responses["403"].content), path).toEqual(["application/problem+json"]);
      expect(operation.responses["403"].description, path).toMatch(/FORBIDDEN/);
    }
  });
});
