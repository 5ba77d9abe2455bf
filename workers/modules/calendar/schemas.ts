import { z } from "@hono/zod-openapi";
import { calendarConnectionStatuses } from "@shared/db/schema";

export const CalendarConnectSchema = z
  .object({ url: z.url().openapi({ description: "Google's consent page: send the browser there" }) })
  .openapi("CalendarConnect");

export const CalendarStatusSchema = z
  .object({
    connected: z.boolean().openapi({ description: "True while Lightbox can use the calendar (status ACTIVE)" }),
    status: z.enum(calendarConnectionStatuses).nullable().openapi({
      description: "null when never connected; PENDING while a grant waits for `complete`; REVOKED when Google stopped honouring the grant",
    }),
    accountEmail: z.string().nullable().openapi({ description: "The Google account connected (null while PENDING)", example: "studio@gmail.com" }),
    lastError: z.string().nullable(),
    calendarId: z.string().nullable().openapi({ example: "primary" }),
  })
  .openapi("CalendarStatus");

export const CalendarCompleteSchema = z
  .strictObject({ code: z.string().min(1).max(512).openapi({ description: "The `code` of the callback's redirect to the dashboard" }) })
  .openapi("CalendarComplete");

/** What Google appends to the redirect URI (it adds more, such as `scope`; those are ignored). */
export const CalendarCallbackQuery = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});
