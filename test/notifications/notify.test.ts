import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { notify } from "../../workers/modules/notifications/service";
import { api, register } from "../support/http";
import { db, newUser, recordingDeps, settledMails } from "./helpers";

const email = { subject: "You have news", text: "Open http://app.lightbox.test/messages/x", html: "<p>News</p>" };
const notificationMails = async (to: string, sent: Parameters<typeof settledMails>[1]) =>
  (await settledMails(to, sent)).filter((mail) => mail.subject === email.subject);

describe("notify", () => {
  it("stores the notification, lists it, and emails when the type's default asks for email", async () => {
    const user = await register();
    const { deps, sent } = recordingDeps();
    const view = await notify(deps, user.user.id, { type: "MESSAGES_UNREAD", title: "2 unread messages", body: "Bo: hi", data: { conversationId: "c1" }, email });
    expect(view).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: "MESSAGES_UNREAD",
      title: "2 unread messages",
      body: "Bo: hi",
      data: { conversationId: "c1" },
      readAt: null,
      createdAt: expect.any(String),
    });
    const list = await api("/api/notifications", { token: user.accessToken });
    expect(list.status, list.text).toBe(200);
    expect(list.body).toEqual({ items: [view], nextCursor: null });

    const mails = await notificationMails(user.email, sent);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text!.trim()).toBe(email.text);
    expect(mails[0]!.html!.trim()).toBe(email.html);
  });

  it("does not email a type whose default is in-app only, even when given an email", async () => {
    const user = await newUser();
    const { deps, ofType } = recordingDeps();
    const view = await notify(deps, user.id, { type: "CONVERSATION_ADDED", title: "Added", body: "Bo added you", email });
    expect(view).not.toBeNull();
    expect(ofType("email.send")).toEqual([]);
  });

  it("follows the user's preferences: in-app off stores nothing but still emails, email off stores without emailing", async () => {
    const user = await register();
    const put = await api("/api/notifications/preferences", {
      token: user.accessToken,
      method: "PUT",
      json: { preferences: [{ type: "MESSAGES_UNREAD", inApp: false }, { type: "CONVERSATION_ADDED", email: true, inApp: true }] },
    });
    expect(put.status, put.text).toBe(200);

    const first = recordingDeps();
    expect(await notify(first.deps, user.user.id, { type: "MESSAGES_UNREAD", title: "Unread", body: "x", email })).toBeNull();
    expect(await db.select().from(notifications).where(eq(notifications.userId, user.user.id))).toEqual([]);
    expect(await notificationMails(user.email, first.sent)).toHaveLength(1);

    await api("/api/notifications/preferences", { token: user.accessToken, method: "PUT", json: { preferences: [{ type: "CONVERSATION_ADDED", email: false }] } });
    const second = recordingDeps();
    expect(await notify(second.deps, user.user.id, { type: "CONVERSATION_ADDED", title: "Added", body: "y", email })).not.toBeNull();
    expect(second.ofType("email.send")).toEqual([]);
    expect((await db.select().from(notifications).where(eq(notifications.userId, user.user.id))).map((n) => n.title)).toEqual(["Added"]);
  });

  it("with both channels off, does nothing", async () => {
    const user = await register();
    await api("/api/notifications/preferences", {
      token: user.accessToken,
      method: "PUT",
      json: { preferences: [{ type: "MESSAGES_UNREAD", inApp: false, email: false }] },
    });
    const { deps, sent } = recordingDeps();
    expect(await notify(deps, user.user.id, { type: "MESSAGES_UNREAD", title: "t", body: "b", email })).toBeNull();
    expect(sent).toEqual([]);
    expect(await db.select().from(notifications).where(eq(notifications.userId, user.user.id))).toEqual([]);
  });

  it("stores and emails once per key, however often it is called, while other keys and users are separate", async () => {
    const [ana, bo] = [await newUser("Ana"), await newUser("Bo")];
    const { deps, sent, ofType } = recordingDeps();
    const input = { type: "MESSAGES_UNREAD" as const, title: "t", body: "b", email, key: "digest:once" };
    const first = await notify(deps, ana.id, input);
    expect(first).not.toBeNull();
    // Concurrent and later repeats alike.
    expect(await Promise.all([notify(deps, ana.id, input), notify(deps, ana.id, input)])).toEqual([null, null]);
    expect(await notify(deps, ana.id, input)).toBeNull();
    const other = await notify(deps, ana.id, { ...input, key: "digest:other" });
    const boView = await notify(deps, bo.id, input);

    const rows = await db.select().from(notifications).where(eq(notifications.userId, ana.id));
    expect(rows.map((row) => row.id).sort()).toEqual([first!.id, other!.id].sort());
    expect(boView).not.toBeNull();
    // Repeats may enqueue the email again, but always under the same job key: the job runs once.
    expect(new Set(ofType("email.send").map((job) => job.body.key))).toEqual(
      new Set([`notification:${ana.id}:digest:once`, `notification:${ana.id}:digest:other`, `notification:${bo.id}:digest:once`]),
    );
    expect(await notificationMails(ana.email, sent)).toHaveLength(2);
    expect(await notificationMails(bo.email, sent)).toHaveLength(1);
  });

  it("answers null for a user that does not exist", async () => {
    const { deps, sent } = recordingDeps();
    expect(await notify(deps, newId(), { type: "MESSAGES_UNREAD", title: "t", body: "b", email })).toBeNull();
    expect(sent).toEqual([]);
  });
});
