import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Db } from "./client";
import { auditContext } from "./schema";

/** Who a write is made by, recorded with every audit row it causes. */
export interface Actor {
  type: "USER" | "SYSTEM" | "GUEST" | "CLIENT";
  /** The user's id for USER; a job key, token id or null otherwise. */
  id: string | null;
  requestId: string | null;
}

export const systemActor = (id: string | null = null, requestId: string | null = null): Actor => ({ type: "SYSTEM", id, requestId });

/**
 * Runs `statements` as one D1 batch (one transaction) between setting and clearing the audit context.
 * Tenant tables carry triggers that write the audit log from that context and abort any write made without
 * it, so there is no way to change tenant data unrecorded: a new route that forgets this fails its first test.
 * Returns the results of `statements` alone, in order.
 */
export async function auditedBatch<T extends [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]>(
  db: Db,
  actor: Actor,
  statements: T,
): Promise<BatchResponse<T>> {
  const results = await db.batch([
    db.insert(auditContext).values({ id: 1, actorId: actor.id, actorType: actor.type, requestId: actor.requestId }),
    ...statements,
    db.delete(auditContext),
  ] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return results.slice(1, -1) as BatchResponse<T>;
}
