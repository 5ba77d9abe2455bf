import { z } from "@hono/zod-openapi";
import { limitParam } from "@shared/lib/pagination";
import { NOTIFICATION_TYPES, notificationTypes } from "./types";

export const NotificationSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: "MESSAGES_UNREAD" }),
    title: z.string(),
    body: z.string(),
    /** Ids the client needs to open what the notification is about, e.g. `conversationId`. */
    data: z.record(z.string(), z.unknown()),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Notification");

export const NotificationListSchema = z
  .object({ items: z.array(NotificationSchema), nextCursor: z.string().nullable() })
  .openapi("NotificationList");

export const NotificationListQuery = z
  .object({
    unread: z
      .enum(["true", "false"])
      .default("false")
      .transform((value) => value === "true")
      .openapi({ description: "Only notifications not read yet" }),
    limit: limitParam,
    cursor: z.string().max(512).optional(),
  })
  .strict();

export const NotificationIdParams = z.object({ id: z.string().min(1).max(64) });

export const UnreadCountSchema = z.object({ count: z.number().int() }).openapi("NotificationUnreadCount");

const notificationType = z.enum(NOTIFICATION_TYPES, { error: `must be one of ${NOTIFICATION_TYPES.join(", ")}` });

export const PreferenceSchema = z
  .object({
    type: notificationType,
    description: z.string().openapi({ example: notificationTypes.MESSAGES_UNREAD.description }),
    inApp: z.boolean(),
    email: z.boolean(),
  })
  .openapi("NotificationPreference");

export const PreferencesSchema = z.object({ preferences: z.array(PreferenceSchema) }).openapi("NotificationPreferences");

export const UpdatePreferencesSchema = z
  .strictObject({
    preferences: z
      .array(z.strictObject({ type: notificationType, inApp: z.boolean().optional(), email: z.boolean().optional() }))
      .min(1)
      .max(NOTIFICATION_TYPES.length * 2),
  })
  .openapi("UpdateNotificationPreferences");
export type UpdatePreferencesInput = z.infer<typeof UpdatePreferencesSchema>;
