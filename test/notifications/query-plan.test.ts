import { lt } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { notifications } from "@shared/db/schema";
import { overdueDigestsQuery } from "../../workers/cron/message-digests";
import { newestUnreadMessagesQuery, unreadMessagesCountQuery } from "../../workers/modules/notifications/digests";
import { keyedTwinQuery, notificationListQuery, notify, unreadCountQuery } from "../../workers/modules/notifications/service";
import { db, newConversation, newUser, postMessages, recordingDeps } from "./helpers";
import { planOf } from "../support/query-plan";

describe("notification query plans", () => {
  let userId = "";
  let conversationId = "";
  beforeAll(async () => {
    const [user, other] = [await newUser(), await newUser()];
    userId = user.id;
    const { deps } = recordingDeps();
    // Populated tables, read and unread, so the plans are those of real data.
    for (let i = 0; i < 6; i++) await notify(deps, i % 2 ? user.id : other.id, { type: "CONVERSATION_ADDED", title: `t${i}`, body: "b" });
    await db.update(notifications).set({ readAt: new Date() }).where(lt(notifications.title, "t2"));
    conversationId = await newConversation([user.id, other.id]);
    await postMessages(conversationId, other.id, ["a", "b", "c"]);
  });

  const cursor = "0190a000-0000-7000-8000-000000000000";

  for (const before of [undefined, cursor]) {
    it(`all notifications${before ? " after a cursor" : ""}: walks notifications_user_idx backwards, no sort step`, async () => {
      const plan = await planOf(notificationListQuery(db, userId, { limit: 20, unread: false, before }));
      expect(plan).toMatch(new RegExp(`^SEARCH notifications USING INDEX notifications_user_idx \\(user_id=\\?${before ? " AND id<\\?" : ""}\\)$`));
      expect(plan).not.toContain("TEMP B-TREE");
    });

    it(`unread notifications${before ? " after a cursor" : ""}: walks the partial notifications_unread_idx, no sort step`, async () => {
      const plan = await planOf(notificationListQuery(db, userId, { limit: 20, unread: true, before }));
      expect(plan).toMatch(new RegExp(`^SEARCH notifications USING INDEX notifications_unread_idx \\(user_id=\\?${before ? " AND id<\\?" : ""}\\)$`));
      expect(plan).not.toContain("TEMP B-TREE");
    });
  }

  it("unread count: one range of the partial notifications_unread_idx", async () => {
    expect(await planOf(unreadCountQuery(db, userId))).toMatch(/^SEARCH notifications USING (COVERING )?INDEX notifications_unread_idx \(user_id=\?\)$/);
  });

  it("the idempotency check of a keyed notify: a range of the user's recent ids in notifications_user_idx", async () => {
    const plan = await planOf(keyedTwinQuery(db, userId, "0190a000-0000-7000-8000-000000000000", Date.now()));
    expect(plan).toBe("SEARCH notifications USING COVERING INDEX notifications_user_idx (user_id=? AND id>?)");
  });

  it("a digest's unread count: one range of messages_live_idx", async () => {
    const plan = await planOf(unreadMessagesCountQuery(db, conversationId, userId));
    expect(plan).toMatch(/^SEARCH messages USING (COVERING )?INDEX messages_live_idx \(conversation_id=\? AND seq>\?\)$/m);
    expect(plan).toMatch(/SEARCH conversation_participants USING INDEX sqlite_autoindex_conversation_participants_1 \(conversation_id=\? AND user_id=\?\)/);
    expect(plan).not.toMatch(/SCAN (messages|conversation_participants)/);
  });

  it("a digest's newest unread messages: the same range walked backwards, no sort step", async () => {
    const plan = await planOf(newestUnreadMessagesQuery(db, conversationId, userId));
    expect(plan).toContain("SEARCH messages USING INDEX messages_live_idx (conversation_id=? AND seq>?)");
    expect(plan).toContain("SEARCH users USING INDEX sqlite_autoindex_users_1 (id=?)");
    expect(plan).not.toContain("TEMP B-TREE");
    expect(plan).not.toMatch(/SCAN (messages|users|conversation_participants)/);
  });

  it("the cron's overdue digests: a range of message_digests_due_idx in order", async () => {
    const plan = await planOf(overdueDigestsQuery(db, new Date()));
    expect(plan).toBe("SEARCH message_digests USING INDEX message_digests_due_idx (due_at<?)");
  });
});
