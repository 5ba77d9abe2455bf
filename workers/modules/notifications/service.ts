import { and, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import { notificationPreferences, notifications, users, type Notification } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { toHex } from "@shared/lib/crypto";
import { notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import { enqueueJob } from "../../jobs/enqueue";
import { emitToUsers } from "../realtime/push";
import { NOTIFICATION_TYPES, notificationTypes, type NotificationType } from "./types";

/** What notifying needs: no request, no actor (notifications are not audited), so jobs and Durable Objects call it too. */
export interface NotificationDeps {
  env: Env;
  db: Db;
  config: Config;
}

export interface NotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

export interface NotifyInput {
  type: NotificationType;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /** Sent only when the user's preference for the type says so; links in it must point at APP_URL pages. */
  email?: { subject: string; text: string; html?: string };
  /** Idempotency key, scoped to the user: a repeat within NOTIFY_KEY_WINDOW_MS stores, pushes and emails nothing more. */
  key?: string;
}

/** How long a `key` is remembered. Callers repeat a key when they retry, which happens within hours. */
export const NOTIFY_KEY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** Keeps the email job key (`notification:<user>:<key>`) within the queue contract's 200 characters. */
const MAX_KEY_LENGTH = 150;

export const toNotificationView = (row: Notification): NotificationView => ({
  id: row.id,
  type: row.type,
  title: row.title,
  body: row.body,
  data: row.data,
  readAt: row.readAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

const uuidText = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
const timeBytes = (ms: number) => Uint8Array.from({ length: 6 }, (_, i) => Math.floor(ms / 256 ** (5 - i)) % 256);

/**
 * A UUIDv7 whose time part is `now` (so the newest-first list stays in order) and whose random part is a hash
 * of user and key: every call with the key shares the id's text from position 15 on, which is what
 * `keyedTwinQuery` looks for among the user's recent notifications.
 */
async function keyedId(userId: string, key: string, now: number): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${userId}\n${key}`)));
  const bytes = new Uint8Array(16);
  bytes.set(timeBytes(now), 0);
  bytes.set(digest.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  return uuidText(toHex(bytes));
}

/** A notification of this user, stored in the key window, whose id was made from the same key. */
export function keyedTwinQuery(db: Db, userId: string, id: string, now: number) {
  const since = uuidText(toHex(timeBytes(now - NOTIFY_KEY_WINDOW_MS)).padEnd(32, "0"));
  return db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), gt(notifications.id, since), sql`substr(${notifications.id}, 15) = ${id.slice(14)}`));
}

/**
 * Resolves whether the row was inserted. A keyed one is a single statement, so two concurrent calls with the
 * same key cannot both insert.
 */
async function storeNotification(db: Db, row: typeof notifications.$inferInsert & { id: string; createdAt: Date }, keyed: boolean): Promise<boolean> {
  if (!keyed) {
    await db.insert(notifications).values(row);
    return true;
  }
  const inserted = await db.all<{ id: string }>(sql`
    INSERT OR IGNORE INTO ${notifications} (id, user_id, type, title, body, data, created_at)
    SELECT ${row.id}, ${row.userId}, ${row.type}, ${row.title}, ${row.body}, ${JSON.stringify(row.data)}, ${row.createdAt.getTime()}
    WHERE NOT EXISTS ${keyedTwinQuery(db, row.userId, row.id, row.createdAt.getTime())}
    RETURNING id`);
  return inserted.length > 0;
}

/**
 * Tells a user something happened: stores the notification and pushes it to their sockets when their
 * preference for the type keeps in-app notifications, and emails `input.email` when it keeps emails.
 * Answers the stored notification, or null when nothing was stored (in-app off, unknown user, key seen before).
 */
export async function notify(deps: { env: Env; db: Db; config: Config }, userId: string, input: NotifyInput): Promise<NotificationView | null> {
  const { env, db } = deps;
  if (input.key !== undefined && (input.key.length === 0 || input.key.length > MAX_KEY_LENGTH)) {
    throw new Error(`notify: key must be 1 to ${MAX_KEY_LENGTH} characters`);
  }
  const [target] = await db
    .select({ address: users.email, inApp: notificationPreferences.inApp, email: notificationPreferences.email })
    .from(users)
    .leftJoin(notificationPreferences, and(eq(notificationPreferences.userId, users.id), eq(notificationPreferences.type, input.type)))
    .where(eq(users.id, userId))
    .limit(1);
  if (!target) return null;
  const defaults = notificationTypes[input.type].defaults;
  const wants = { inApp: target.inApp ?? defaults.inApp, email: target.email ?? defaults.email };

  const now = new Date();
  const id = input.key === undefined ? newId() : await keyedId(userId, input.key, now.getTime());
  const row = { id, userId, type: input.type, title: input.title, body: input.body, data: input.data ?? {}, readAt: null, createdAt: now };
  const stored = wants.inApp && (await storeNotification(db, row, input.key !== undefined));

  // A keyed email is enqueued on repeats too, under the same job key: the job runs once, and a retry after a
  // crash between storing the row and enqueuing still sends it.
  if (wants.email && input.email) {
    const jobKey = input.key === undefined ? `notification:${id}` : `notification:${userId}:${input.key}`;
    await enqueueJob(env.JOBS, "email.send", jobKey, { to: target.address, ...input.email });
  }
  if (!stored) return null;
  const view = toNotificationView(row);
  await emitToUsers(env, [userId], "notification", view);
  return view;
}

const notificationCursor = z.tuple([z.string()]);

/** Newest first, walking notifications_user_idx (or the partial notifications_unread_idx) backwards. */
export function notificationListQuery(db: Db, userId: string, query: { limit: number; unread: boolean; before?: string }) {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        query.unread ? isNull(notifications.readAt) : undefined,
        query.before === undefined ? undefined : lt(notifications.id, query.before),
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(query.limit + 1);
}

export async function listNotifications(
  deps: NotificationDeps,
  userId: string,
  query: { limit: number; unread: boolean; cursor?: string },
): Promise<Page<NotificationView>> {
  const before = query.cursor ? decodeCursor(query.cursor, notificationCursor)[0] : undefined;
  const rows = await notificationListQuery(deps.db, userId, { ...query, before });
  return toPage(rows, query.limit, (row) => [row.id], toNotificationView);
}

export function unreadCountQuery(db: Db, userId: string) {
  return db
    .select({ count: sql<number>`count(*)` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

export async function countUnread(deps: NotificationDeps, userId: string): Promise<number> {
  const [row] = await unreadCountQuery(deps.db, userId);
  return row?.count ?? 0;
}

/** Reading twice keeps the first read time; another user's notification is as unknown as a missing one. */
export async function markNotificationRead(deps: NotificationDeps, userId: string, notificationId: string): Promise<void> {
  const updated = await deps.db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${Date.now()})` })
    .where(and(eq(notifications.userId, userId), eq(notifications.id, notificationId)))
    .returning({ id: notifications.id });
  if (updated.length === 0) throw notFound("Notification");
}

export async function markAllNotificationsRead(deps: NotificationDeps, userId: string): Promise<void> {
  await deps.db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

export interface PreferenceView {
  type: NotificationType;
  description: string;
  inApp: boolean;
  email: boolean;
}

/** Every known type, the user's choice where they made one and the type's default elsewhere. */
export async function getPreferences(deps: NotificationDeps, userId: string): Promise<PreferenceView[]> {
  const rows = await deps.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  const chosen = new Map(rows.map((row) => [row.type, row]));
  return NOTIFICATION_TYPES.map((type) => {
    const { description, defaults } = notificationTypes[type];
    const row = chosen.get(type);
    return { type, description, inApp: row?.inApp ?? defaults.inApp, email: row?.email ?? defaults.email };
  });
}

/** A field left out keeps its current value (the user's choice, or the default). */
export async function updatePreferences(
  deps: NotificationDeps,
  userId: string,
  changes: { type: NotificationType; inApp?: boolean; email?: boolean }[],
): Promise<PreferenceView[]> {
  const current = new Map((await getPreferences(deps, userId)).map((pref) => [pref.type, pref]));
  const now = new Date();
  const writes = changes.map((change) => {
    const merged = { ...current.get(change.type)!, ...definedOnly(change) };
    current.set(change.type, merged);
    const values = { userId, type: change.type, inApp: merged.inApp, email: merged.email, updatedAt: now };
    return deps.db
      .insert(notificationPreferences)
      .values(values)
      .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.type], set: { inApp: values.inApp, email: values.email, updatedAt: now } });
  });
  if (writes.length > 0) await deps.db.batch(writes as [(typeof writes)[0], ...typeof writes]);
  return [...current.values()];
}

const definedOnly = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
