// INTERFACE STUB (owned by the deliveries work): replaced by the real implementation.
import type { Env } from "@shared/env";

/** Enqueues the `document.deliver` job of a document_deliveries row written (status QUEUED) by the caller's batch. */
export async function enqueueDelivery(_env: Env, _deliveryId: string): Promise<void> {
  throw new Error("not implemented");
}

/** The `document.deliver` job. */
export async function deliverDocument(_deps: import("../notifications/service").NotificationDeps, _deliveryId: string, _jobKey: string): Promise<void> {
  throw new Error("not implemented");
}
