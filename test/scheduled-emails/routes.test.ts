import { describe, expect, it } from "vitest";
import { allPages, api, errorPaths, expectProblem } from "../support/http";
import { clientFile, inDays, owner, schedule } from "./helpers";

describe("scheduled emails: routes", () => {
  it("creates with defaults, reads, lists by send time with filters, edits while scheduled, cancels and deletes", async () => {
    const o = await owner();
    const file = await clientFile(o, "contract.txt", "the contract");
    const created = await schedule(o, { sendAt: "2031-05-01T10:00:00+02:00", fileIds: [file.id] });
    expect(created).toMatchObject({
      contactId: o.contactId,
      subject: "Hello {{client.firstName}}",
      sendAt: "2031-05-01T08:00:00.000Z",
      timezone: "UTC",
      repeat: "NONE",
      status: "SCHEDULED",
      occurrence: 0,
      lastSentAt: null,
      files: [{ id: file.id, name: "contract.txt", contentType: "text/plain", size: 12 }],
    });
    expect((await api(`/api/scheduled-emails/${created.id}`, { token: o.token })).body).toEqual(created);

    const yearly = await schedule(o, { sendAt: "2030-01-01T09:00:00Z", repeat: "YEARLY", timezone: "Europe/Paris" });
    const soon = await schedule(o, { sendAt: inDays(2) });
    const cancelled = await api(`/api/scheduled-emails/${soon.id}/cancel`, { method: "POST", token: o.token });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.status).toBe("CANCELLED");
    // Cancelling again changes nothing.
    expect((await api(`/api/scheduled-emails/${soon.id}/cancel`, { method: "POST", token: o.token })).body.status).toBe("CANCELLED");

    const all = await allPages(o.token, "/api/scheduled-emails?limit=1");
    expect(all.map((e) => e.id)).toEqual([soon.id, yearly.id, created.id]);
    expect((await allPages(o.token, "/api/scheduled-emails?status=SCHEDULED")).map((e) => e.id)).toEqual([yearly.id, created.id]);
    expect(await allPages(o.token, `/api/scheduled-emails?contactId=${o.silentContactId}`)).toEqual([]);
    expect(errorPaths(await api("/api/scheduled-emails?status=DONE", { token: o.token }))).toEqual(["query.status"]);

    const edited = await api(`/api/scheduled-emails/${created.id}`, { method: "PATCH", token: o.token, json: { subject: "New {{studio.name}}", fileIds: [] } });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ subject: "New {{studio.name}}", files: [], sendAt: created.sendAt });
    const refiled = await api(`/api/scheduled-emails/${created.id}`, { method: "PATCH", token: o.token, json: { fileIds: [file.id] } });
    expect(refiled.body.files.map((f: { id: string }) => f.id)).toEqual([file.id]);
    expectProblem(await api(`/api/scheduled-emails/${soon.id}`, { method: "PATCH", token: o.token, json: { subject: "too late" } }), 409, "CONFLICT");

    expect((await api(`/api/scheduled-emails/${created.id}`, { method: "DELETE", token: o.token })).status).toBe(204);
    expectProblem(await api(`/api/scheduled-emails/${created.id}`, { token: o.token }), 404, "NOT_FOUND");
  });

  it("answers 400 naming the field, 409 for a contact without an address, 404 for another owner's contact or file", async () => {
    const o = await owner();
    const other = await owner();
    const post = (json: Record<string, unknown>) =>
      api("/api/scheduled-emails", { token: o.token, json: { contactId: o.contactId, subject: "Hi", body: "Hello", sendAt: inDays(1), ...json } });

    const unknown = expectProblem(await post({ subject: "For {{quote.number}}", body: "{{client.firstName" }), 400, "VALIDATION_FAILED");
    expect(unknown.errors).toEqual([
      { path: "body.subject", message: expect.stringContaining("{{quote.number}}") },
      { path: "body.body", message: expect.stringContaining("never closed") },
    ]);
    expect(errorPaths(await post({ sendAt: new Date(Date.now() - 60_000).toISOString() }))).toEqual(["body.sendAt"]);
    expect(errorPaths(await post({ sendAt: "tomorrow" }))).toEqual(["body.sendAt"]);
    expect(errorPaths(await post({ timezone: "Mars/Olympus" }))).toEqual(["body.timezone"]);
    expect(errorPaths(await post({ repeat: "WEEKLY" }))).toEqual(["body.repeat"]);
    expect(errorPaths(await post({ fileIds: Array.from({ length: 11 }, (_, i) => `f${i}`) }))).toEqual(["body.fileIds"]);
    expect(errorPaths(await post({ fileIds: ["a", "a"] }))).toEqual(["body.fileIds"]);
    expect(errorPaths(await post({ extra: true }))).toEqual(["body.extra"]);
    expect(errorPaths(await post({ contactId: undefined }))).toEqual(["body.contactId"]);

    expectProblem(await post({ contactId: o.silentContactId }), 409, "CONFLICT");
    expectProblem(await post({ contactId: other.contactId }), 404, "NOT_FOUND");
    const theirFile = await clientFile(other, "theirs.txt", "x");
    expectProblem(await post({ fileIds: [theirFile.id] }), 404, "NOT_FOUND");

    const mine = await schedule(o, {});
    expect(errorPaths(await api(`/api/scheduled-emails/${mine.id}`, { method: "PATCH", token: o.token, json: {} }))).toEqual(["body"]);
    expect(errorPaths(await api(`/api/scheduled-emails/${mine.id}`, { method: "PATCH", token: o.token, json: { body: "{{invoice.total}}" } }))).toEqual(["body.body"]);
    expectProblem(await api(`/api/scheduled-emails/${mine.id}`, { method: "PATCH", token: o.token, json: { contactId: o.silentContactId } }), 409, "CONFLICT");
  });

  it("answers 404 to another owner on every route", async () => {
    const o = await owner();
    const other = await owner();
    const mine = await schedule(o, {});
    for (const [method, path, json] of [
      ["GET", `/api/scheduled-emails/${mine.id}`],
      ["PATCH", `/api/scheduled-emails/${mine.id}`, { subject: "Mine now" }],
      ["POST", `/api/scheduled-emails/${mine.id}/cancel`],
      ["DELETE", `/api/scheduled-emails/${mine.id}`],
    ] as const) {
      expectProblem(await api(path, { method, token: other.token, ...(json ? { json } : {}) }), 404, "NOT_FOUND");
    }
    expect(await allPages(other.token, "/api/scheduled-emails")).toEqual([]);
    expect((await api(`/api/scheduled-emails/${mine.id}`, { token: o.token })).body).toEqual(mine);
    expect((await api("/api/scheduled-emails")).status).toBe(401);
  });
});
