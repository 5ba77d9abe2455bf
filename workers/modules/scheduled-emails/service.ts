// INTERFACE STUB (owned by the scheduled emails work): replaced by the real implementation.
import type { NotificationDeps } from "../notifications/service";

/** The `scheduled-email.send` job. */
export async function sendScheduledEmail(_deps: NotificationDeps, _payload: { scheduledEmailId: string; occurrence: number }, _jobKey: string): Promise<void> {
  throw new Error("not implemented");
}
