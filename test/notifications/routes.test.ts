import { beforeAll, describe, expect, it } from "vitest";
import { notify } from "../../workers/modules/notifications/service";
import { allPages, api, errorPaths, expectProblem, register, type Account } from "../support/http";
import { recordingDeps } from "./helpers";

async function seed(userId: string, count: number): Promise<string[]> {
  const { deps } = recordingDeps();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const view = await notify(deps, userId, { type: "CONVERSATION_ADDED", title: `n${i}`, body: `body ${i}` });
    ids.push(view!.id);
  }
  return ids;
}

describe("notification list, read and read-all", () => {
  let owner: Account;
  let stranger: Account;
  let ids: string[] = [];
  beforeAll(async () => {
    [owner, stranger] = [await register(), await register()];
    ids = await seed(owner.user.id, 7);
  });

  it("lists newest first and pages through every notification exactly once", async () => {
    const items = await allPages(owner.accessToken, "/api/notifications?limit=3");
    expect(items.map((item) => item.id)).toEqual([...ids].reverse());
    const first = await api("/api/notifications?limit=3", { token: owner.accessToken });
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await api("/api/notifications", { token: stranger.accessToken })).body).toEqual({ items: [], nextCursor: null });
  });

  it("marks one read (idempotently), filters unread, counts unread, then reads all", async () => {
    const [a, b] = [ids[1]!, ids[4]!];
    expect((await api(`/api/notifications/${a}/read`, { token: owner.accessToken, method: "POST" })).status).toBe(204);
    const readAt = (await allPages(owner.accessToken, "/api/notifications")).find((n) => n.id === a).readAt;
    expect(readAt).toEqual(expect.any(String));
    expect((await api(`/api/notifications/${a}/read`, { token: owner.accessToken, method: "POST" })).status).toBe(204);
    expect((await allPages(owner.accessToken, "/api/notifications")).find((n) => n.id === a).readAt).toBe(readAt);
    await api(`/api/notifications/${b}/read`, { token: owner.accessToken, method: "POST" });

    const unread = await allPages(owner.accessToken, "/api/notifications?unread=true&limit=2");
    expect(unread.map((n) => n.id)).toEqual([...ids].reverse().filter((id) => id !== a && id !== b));
    expect(unread.every((n) => n.readAt === null)).toBe(true);
    expect((await allPages(owner.accessToken, "/api/notifications?unread=false")).map((n) => n.id)).toHaveLength(ids.length);
    expect((await api("/api/notifications/unread-count", { token: owner.accessToken })).body).toEqual({ count: ids.length - 2 });

    expect((await api("/api/notifications/read-all", { token: owner.accessToken, method: "POST" })).status).toBe(204);
    expect((await api("/api/notifications?unread=true", { token: owner.accessToken })).body).toEqual({ items: [], nextCursor: null });
    expect((await api("/api/notifications/unread-count", { token: owner.accessToken })).body).toEqual({ count: 0 });
    // Reading all again is harmless; earlier read times are kept.
    expect((await api("/api/notifications/read-all", { token: owner.accessToken, method: "POST" })).status).toBe(204);
    expect((await allPages(owner.accessToken, "/api/notifications")).find((n) => n.id === a).readAt).toBe(readAt);
  });

  it("answers 404 for another user's notification and for an unknown id, touching nothing", async () => {
    const [mine] = await seed(owner.user.id, 1);
    expectProblem(await api(`/api/notifications/${mine}/read`, { token: stranger.accessToken, method: "POST" }), 404, "NOT_FOUND");
    expectProblem(await api("/api/notifications/0190a000-0000-7000-8000-000000000000/read", { token: owner.accessToken, method: "POST" }), 404, "NOT_FOUND");
    expect((await api("/api/notifications/read-all", { token: stranger.accessToken, method: "POST" })).status).toBe(204);
    expect((await allPages(owner.accessToken, "/api/notifications?unread=true")).map((n) => n.id)).toEqual([mine]);
  });

  it("refuses bad queries and params with their paths", async () => {
    const token = owner.accessToken;
    expect(errorPaths(await api("/api/notifications?unread=yes", { token }))).toEqual(["query.unread"]);
    expect(errorPaths(await api("/api/notifications?limit=0", { token }))).toEqual(["query.limit"]);
    expect(errorPaths(await api("/api/notifications?limit=101", { token }))).toEqual(["query.limit"]);
    expect(errorPaths(await api("/api/notifications?cursor=not-a-cursor", { token }))).toEqual(["query.cursor"]);
    expect(errorPaths(await api("/api/notifications?sort=name", { token }))).toEqual(["query.sort"]);
    expect(errorPaths(await api(`/api/notifications/${"x".repeat(65)}/read`, { token, method: "POST" }))).toEqual(["path.id"]);
  });

  it("answers 401 without a token on every route", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/notifications"],
      ["GET", "/api/notifications/unread-count"],
      ["POST", `/api/notifications/${ids[0]}/read`],
      ["POST", "/api/notifications/read-all"],
      ["GET", "/api/notifications/preferences"],
      ["PUT", "/api/notifications/preferences"],
    ];
    for (const [method, path] of routes) expectProblem(await api(path, { method }), 401, "UNAUTHORIZED");
  });
});

describe("notification preferences", () => {
  const defaults = [
    { type: "MESSAGES_UNREAD", description: "Unread messages in a conversation while you were away", inApp: true, email: true },
    { type: "CONVERSATION_ADDED", description: expect.any(String), inApp: true, email: false },
    { type: "BOOKING_CREATED", description: expect.any(String), inApp: true, email: true },
    { type: "BOOKING_CANCELLED", description: expect.any(String), inApp: true, email: true },
    { type: "BOOKING_RESCHEDULED", description: expect.any(String), inApp: true, email: true },
    { type: "BOOKING_REMINDER", description: expect.any(String), inApp: true, email: false },
    { type: "CALENDAR_DISCONNECTED", description: expect.any(String), inApp: true, email: true },
    { type: "QUOTE_ACCEPTED", description: expect.any(String), inApp: true, email: true },
    { type: "QUOTE_REJECTED", description: expect.any(String), inApp: true, email: true },
    { type: "QUOTE_EXPIRED", description: expect.any(String), inApp: true, email: false },
    { type: "INVOICE_OVERDUE", description: expect.any(String), inApp: true, email: true },
    { type: "CLIENT_MESSAGE_RECEIVED", description: expect.any(String), inApp: true, email: true },
  ];

  it("lists every type with its defaults, then the user's own choices, field by field", async () => {
    const user = await register();
    expect((await api("/api/notifications/preferences", { token: user.accessToken })).body).toEqual({ preferences: defaults });

    const put = await api("/api/notifications/preferences", { token: user.accessToken, method: "PUT", json: { preferences: [{ type: "MESSAGES_UNREAD", email: false }] } });
    expect(put.status, put.text).toBe(200);
    const changed = [{ ...defaults[0], email: false }, ...defaults.slice(1)];
    expect(put.body).toEqual({ preferences: changed });
    expect((await api("/api/notifications/preferences", { token: user.accessToken })).body).toEqual({ preferences: changed });

    // A field left out keeps the earlier choice.
    const again = await api("/api/notifications/preferences", {
      token: user.accessToken,
      method: "PUT",
      json: { preferences: [{ type: "MESSAGES_UNREAD", inApp: false }, { type: "CONVERSATION_ADDED", email: true }] },
    });
    expect(again.body).toEqual({ preferences: [{ ...defaults[0], inApp: false, email: false }, { ...defaults[1], email: true }, ...defaults.slice(2)] });

    // Someone else's choices are their own.
    const other = await register();
    expect((await api("/api/notifications/preferences", { token: other.accessToken })).body).toEqual({ preferences: defaults });
  });

  it("refuses unknown types and fields, and malformed bodies, with their paths", async () => {
    const { accessToken: token } = await register();
    const put = (json: unknown) => api("/api/notifications/preferences", { token, method: "PUT", json });
    expect(errorPaths(await put({ preferences: [{ type: "MESSAGES_UNREAD" }, { type: "NOPE", email: true }] }))).toEqual(["body.preferences.1.type"]);
    expect(errorPaths(await put({ preferences: [{ type: "MESSAGES_UNREAD", sms: true }] }))).toEqual(["body.preferences.0.sms"]);
    expect(errorPaths(await put({ preferences: [{ type: "MESSAGES_UNREAD", email: "yes" }] }))).toEqual(["body.preferences.0.email"]);
    expect(errorPaths(await put({ preferences: [], extra: 1 }))).toEqual(expect.arrayContaining(["body.preferences", "body.extra"]));
    expect(errorPaths(await put({}))).toEqual(["body.preferences"]);
    expect((await api("/api/notifications/preferences", { token })).body).toEqual({ preferences: defaults });
  });
});
