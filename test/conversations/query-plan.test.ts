import { beforeAll, describe, expect, it } from "vitest";
import { conversationViewsQuery, messagePageQuery } from "../../workers/modules/conversations/queries";
import { accounts, db, newConversation, planOf, send } from "./helpers";

const scansMessages = (detail: string) => /^SCAN (messages|m|last_message)\b/.test(detail);

describe("conversation and message query plans", () => {
  let userId = "";
  let conversationId = "";
  let messageId = "";
  beforeAll(async () => {
    // Some data, so the plans are those of populated tables (the planner has no statistics either way).
    const [a, b] = await accounts(2);
    userId = a!.user.id;
    conversationId = (await newConversation(a!.accessToken, [b!.user.id])).id;
    for (let i = 0; i < 5; i++) messageId = (await send(i % 2 ? a!.accessToken : b!.accessToken, conversationId, `m${i}`)).id;
  });

  const scopes = {
    "the first page of the list": () => ({ limit: 20 }),
    "a later page of the list": () => ({ limit: 20, after: [Date.now(), "x"] as [number, string] }),
    "one conversation": () => ({ conversationId }),
  };
  for (const [name, scope] of Object.entries(scopes)) {
    describe(name, () => {
      it("picks the page from the caller's participant rows, then the conversations by primary key", async () => {
        const details = await planOf(conversationViewsQuery(db, userId, scope()));
        expect(details[0]).toBe("CO-ROUTINE page");
        expect(details[1]).toMatch(/^SEARCH conversation_participants USING (COVERING )?INDEX (conversation_participants_user_idx \(user_id=\?\)|sqlite_autoindex_conversation_participants_1 \(conversation_id=\? AND user_id=\?\))$/);
        expect(details[2]).toMatch(/^SEARCH conversations USING INDEX sqlite_autoindex_conversations_1 \(id=\?\)$/);
        expect(details.some(scansMessages), details.join("\n")).toBe(false);
      });

      it("finds the last message by one step back along messages_live_idx, then its row by seq", async () => {
        const details = await planOf(conversationViewsQuery(db, userId, scope()));
        expect(details).toContain("SEARCH last_message USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN");
        expect(details).toContainEqual(expect.stringMatching(/^SEARCH m USING (COVERING )?INDEX messages_live_idx \(conversation_id=\?\)$/));
      });

      it("counts unread messages over a range of messages_live_idx alone (a covering index)", async () => {
        const details = await planOf(conversationViewsQuery(db, userId, scope()));
        // SQLite treats every column the WHERE names as read, deleted_at included, even where the partial index's
        // own predicate fixes it: the index covers the count only while it carries deleted_at as a column.
        expect(details, "the count must read nothing but messages_live_idx").toContain("SEARCH m USING COVERING INDEX messages_live_idx (conversation_id=? AND seq>?)");
      });
    });
  }

  for (const before of [false, true]) {
    it(`history${before ? " before a message" : ""} walks messages_live_idx backwards, no sort step`, async () => {
      const details = await planOf(messagePageQuery(db, conversationId, 20, before ? messageId : undefined));
      expect(details[0]).toBe(`SEARCH messages USING INDEX messages_live_idx (conversation_id=?${before ? " AND seq<?" : ""})`);
      if (before) expect(details).toContain("SEARCH b USING INDEX messages_id_unique (id=?)");
      expect(details.some((d) => d.includes("TEMP B-TREE"))).toBe(false);
    });
  }
});
