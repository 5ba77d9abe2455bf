import { createDb, type Db } from "@shared/db/client";
import type { Env } from "@shared/env";
import { expireQuotes, remindOverdueInvoices } from "./billing";
import { sendBookingReminders } from "./booking-reminders";
import { removeExpiredExports } from "./expired-exports";
import { requeueOverdueDigests } from "./message-digests";
import { removeOrphanFiles } from "./orphan-files";
import { purgeExpiredAuthData } from "./purge-auth";
import { requeueStaleDeliveries } from "../modules/deliveries/service";
import { queueDueScheduledEmails, requeueStaleScheduledEmails } from "../modules/scheduled-emails/send";

export interface CronContext {
  env: Env;
  db: Db;
  /** The time the schedule fired (controller.scheduledTime). */
  now: Date;
}

type CronTask = (ctx: CronContext) => Promise<Record<string, number>>;

/** Dispatch by cron expression: each expression in wrangler.toml [triggers] lists the tasks it runs. */
export const schedules: Record<string, { name: string; run: CronTask }[]> = {
  "0 * * * *": [
    { name: "purge-expired-auth-data", run: purgeExpiredAuthData },
    { name: "remove-orphan-files", run: (ctx) => removeOrphanFiles(ctx) },
    { name: "remove-expired-exports", run: removeExpiredExports },
    { name: "requeue-overdue-message-digests", run: requeueOverdueDigests },
    { name: "expire-quotes", run: expireQuotes },
    { name: "remind-overdue-invoices", run: remindOverdueInvoices },
  ],
  "*/15 * * * *": [{ name: "send-booking-reminders", run: sendBookingReminders }],
  "*/5 * * * *": [
    { name: "queue-due-scheduled-emails", run: queueDueScheduledEmails },
    { name: "requeue-stale-scheduled-emails", run: requeueStaleScheduledEmails },
    { name: "requeue-stale-deliveries", run: requeueStaleDeliveries },
  ],
};

export async function handleScheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const tasks = schedules[controller.cron];
  if (!tasks) {
    console.error(JSON.stringify({ level: "error", msg: "no task for cron expression", cron: controller.cron }));
    return;
  }
  const ctx: CronContext = { env, db: createDb(env.DB), now: new Date(controller.scheduledTime) };
  const failures: unknown[] = [];
  // Tasks are independent: one failing does not stop the others, but the run still reports failure.
  for (const task of tasks) {
    try {
      const result = await task.run(ctx);
      console.log(JSON.stringify({ level: "info", msg: "cron task done", cron: controller.cron, task: task.name, ...result }));
    } catch (error) {
      failures.push(error);
      console.error(JSON.stringify({ level: "error", msg: "cron task failed", cron: controller.cron, task: task.name, error: String(error) }));
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} cron task(s) failed`);
}
