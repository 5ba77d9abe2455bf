// Conversations between Lightbox users, their messages, and in-app notifications. These rows belong to the
// users taking part rather than to one studio, so they carry no owner_id (and are not in the audit log):
// a conversation is visible to its participants only, a notification to its user only.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, timestamp } from "./columns";
import { users } from "./schema";

export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    title: text("title"),
    /** Only the creator may delete the conversation for everyone; null once that account is gone. */
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at").notNull(),
    /** Time of the newest message (or creation): conversation lists are ordered by it. */
    lastActivityAt: timestamp("last_activity_at").notNull(),
  },
);

export const conversationParticipants = sqliteTable(
  "conversation_participants",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    joinedAt: createdAt("joined_at"),
    /** `seq` of the newest message this participant has read; unread = later messages from others. */
    lastReadSeq: integer("last_read_seq").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index("conversation_participants_user_idx").on(t.userId, t.conversationId)],
);

export const messages = sqliteTable(
  "messages",
  {
    /** Insertion order within the whole table: history pages and unread counts walk it, never timestamps. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    senderId: text("sender_id").references(() => users.id, { onDelete: "set null" }),
    content: text("content").notNull(),
    createdAt: createdAt(),
    editedAt: timestamp("edited_at"),
    /** A deleted message keeps its row (so a `before` cursor naming it still works) but loses its content. */
    deletedAt: timestamp("deleted_at"),
  },
  (t) => [
    uniqueIndex("messages_id_unique").on(t.id),
    // History, last message and unread counts: one range of this partial index each. deleted_at is always NULL
    // in it, but naming it lets SQLite treat the index as covering for queries that say `deleted_at IS NULL`.
    index("messages_live_idx").on(t.conversationId, t.seq, t.senderId, t.deletedAt).where(sql`deleted_at IS NULL`),
  ],
);

/** One pending "unread messages" digest per user and conversation: the row is the quiet period. */
export const messageDigests = sqliteTable(
  "message_digests",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    dueAt: timestamp("due_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.conversationId] }), index("message_digests_due_idx").on(t.dueAt)],
);

export const notifications = sqliteTable(
  "notifications",
  {
    /** UUIDv7: time-ordered, so the newest-first list walks (user_id, id) backwards. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** JSON object: ids the client needs to open what the notification is about. */
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    readAt: timestamp("read_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.id),
    index("notifications_unread_idx").on(t.userId, t.id).where(sql`read_at IS NULL`),
  ],
);

/** A user's choice per notification type; a missing row means the type's default. */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    inApp: integer("in_app", { mode: "boolean" }).notNull(),
    email: integer("email", { mode: "boolean" }).notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.type] })],
);

export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
