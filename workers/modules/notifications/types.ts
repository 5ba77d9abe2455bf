// Every kind of notification Lightbox sends, with what a user gets when they never chose otherwise.
// A module that notifies about something new adds its type here; preferences and the API follow.

export interface NotificationTypeInfo {
  description: string;
  defaults: { inApp: boolean; email: boolean };
}

export const notificationTypes = {
  MESSAGES_UNREAD: {
    description: "Unread messages in a conversation while you were away",
    defaults: { inApp: true, email: true },
  },
  CONVERSATION_ADDED: {
    description: "Someone added you to a conversation",
    defaults: { inApp: true, email: false },
  },
  BOOKING_CREATED: {
    description: "A guest booked a slot on your booking page",
    defaults: { inApp: true, email: true },
  },
  BOOKING_CANCELLED: {
    description: "A guest cancelled their booking",
    defaults: { inApp: true, email: true },
  },
  BOOKING_RESCHEDULED: {
    description: "A guest moved their booking to another time",
    defaults: { inApp: true, email: true },
  },
  BOOKING_REMINDER: {
    description: "A booking starts within a day",
    defaults: { inApp: true, email: false },
  },
  CALENDAR_DISCONNECTED: {
    description: "Google Calendar access was revoked or expired: bookings stop reaching it until you reconnect",
    defaults: { inApp: true, email: true },
  },
  QUOTE_ACCEPTED: {
    description: "A client accepted a quote in the client portal",
    defaults: { inApp: true, email: true },
  },
  QUOTE_REJECTED: {
    description: "A client declined a quote in the client portal",
    defaults: { inApp: true, email: true },
  },
  QUOTE_EXPIRED: {
    description: "A sent quote passed its validity date without an answer",
    defaults: { inApp: true, email: false },
  },
  INVOICE_OVERDUE: {
    description: "An invoice passed its due date unpaid (the client gets a payment reminder)",
    defaults: { inApp: true, email: true },
  },
  CLIENT_MESSAGE_RECEIVED: {
    description: "A client wrote to you from the client portal",
    defaults: { inApp: true, email: true },
  },
} as const satisfies Record<string, NotificationTypeInfo>;

export type NotificationType = keyof typeof notificationTypes;

export const NOTIFICATION_TYPES = Object.keys(notificationTypes) as [NotificationType, ...NotificationType[]];

export const isNotificationType = (value: string): value is NotificationType => Object.hasOwn(notificationTypes, value);
