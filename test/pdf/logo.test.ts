import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { removeOrphanFiles } from "../../workers/cron/orphan-files";
import { ensureDocumentPdf } from "../../workers/modules/pdf/documents";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { deps, insertQuote, logoForm, PNG, studio } from "./helpers";

const HOUR = 60 * 60 * 1000;

describe("studio branding on the user", () => {
  it("sets, serves and removes the logo; hasLogo follows", async () => {
    const { accessToken: token, user } = await register();
    expect((await api("/api/users/me", { token })).body.hasLogo).toBe(false);
    expectProblem(await api("/api/users/me/logo", { token }), 404, "NOT_FOUND");

    const put = await api("/api/users/me/logo", { method: "PUT", token, body: logoForm(PNG, "logo.jpg") });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ id: user.id, hasLogo: true });
    expect(await env.FILES.head(`${user.id}/branding/logo`)).not.toBeNull();

    const got = await api("/api/users/me/logo", { token });
    expect(got.status).toBe(200);
    // Detected from the bytes, whatever the name said.
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("content-length")).toBe(String(PNG.byteLength));

    // Another account has no logo of its own, and cannot see this one.
    const other = await register();
    expectProblem(await api("/api/users/me/logo", { token: other.accessToken }), 404, "NOT_FOUND");

    const removed = await api("/api/users/me/logo", { method: "DELETE", token });
    expect(removed.status).toBe(204);
    expect((await api("/api/users/me", { token })).body.hasLogo).toBe(false);
    expect(await env.FILES.head(`${user.id}/branding/logo`)).toBeNull();
    expectProblem(await api("/api/users/me/logo", { token }), 404, "NOT_FOUND");
  });

  it("refuses anything but PNG, JPEG or WebP (400), files over 1 MiB (413), and bodies that are not a form", async () => {
    const { accessToken: token } = await register();
    const gif = new TextEncoder().encode("GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    const wrongType = await api("/api/users/me/logo", { method: "PUT", token, body: logoForm(gif) });
    expectProblem(wrongType, 400, "VALIDATION_FAILED");
    expect(errorPaths(wrongType)).toEqual(["body.file"]);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    expectProblem(await api("/api/users/me/logo", { method: "PUT", token, body: logoForm(svg, "logo.png") }), 400, "VALIDATION_FAILED");

    const big = new Uint8Array(1024 * 1024 + 1);
    big.set(PNG);
    expectProblem(await api("/api/users/me/logo", { method: "PUT", token, body: logoForm(big) }), 413, "PAYLOAD_TOO_LARGE");
    const missing = await api("/api/users/me/logo", { method: "PUT", token, body: new FormData() });
    expectProblem(missing, 400, "VALIDATION_FAILED");
    expect(errorPaths(missing)).toEqual(["body.file"]);
    expectProblem(await api("/api/users/me/logo", { method: "PUT", token, json: { file: "x" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expect((await api("/api/users/me", { token })).body.hasLogo).toBe(false);
    expectProblem(await api("/api/users/me/logo", { method: "PUT", body: logoForm(PNG) }), 401, "UNAUTHORIZED");
  });

  it("keeps payment details (at most 2000 characters) and returns them with the user", async () => {
    const { accessToken: token } = await register();
    expect((await api("/api/users/me", { token })).body.paymentDetails).toBeNull();
    const details = "Bank transfer within 30 days\nIBAN FR76 3000 6000 0112 3456 7890 189";
    const patched = await api("/api/users/me", { method: "PATCH", token, json: { paymentDetails: details } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.paymentDetails).toBe(details);
    expect((await api("/api/users/me", { token })).body.paymentDetails).toBe(details);
    const tooLong = await api("/api/users/me", { method: "PATCH", token, json: { paymentDetails: "x".repeat(2001) } });
    expect(errorPaths(tooLong)).toEqual(["body.paymentDetails"]);
    expectProblem(tooLong, 400, "VALIDATION_FAILED");
  });

  it("is left alone by the orphan sweep, as are stored document PDFs", async () => {
    const s = await studio();
    expect((await api("/api/users/me/logo", { method: "PUT", token: s.account.accessToken, body: logoForm(PNG) })).status).toBe(200);
    const quote = await insertQuote(s);
    const pdf = await ensureDocumentPdf(deps(), { kind: "QUOTE", ownerId: s.ownerId, id: quote.id });
    await removeOrphanFiles({ env, db: createDb(env.DB), now: new Date(Date.now() + 2 * HOUR) });
    expect(await env.FILES.head(`${s.ownerId}/branding/logo`)).not.toBeNull();
    expect(await env.FILES.head(pdf.r2Key)).not.toBeNull();
  });
});
