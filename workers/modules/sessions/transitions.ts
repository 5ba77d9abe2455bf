import type { SessionStatus } from "@shared/db/schema";
import { conflict } from "@shared/lib/errors";

/**
 * The life of a shoot as a studio runs it:
 * - a LEAD is confirmed (CONFIRMED) or dropped (CANCELLED);
 * - a CONFIRMED shoot happens (COMPLETED) or is called off (CANCELLED). It does not go back to LEAD: once a
 *   client has committed, undoing that is a cancellation, which keeps the history honest;
 * - a CANCELLED shoot may be reopened, as a LEAD again (the client came back), then confirmed anew;
 * - COMPLETED is final: the work was delivered and invoices refer to it.
 * A session may be created in any status (imports, shoots recorded after the fact); keeping the same status
 * is not a transition.
 */
export const allowedTransitions: Record<SessionStatus, readonly SessionStatus[]> = {
  LEAD: ["CONFIRMED", "CANCELLED"],
  CONFIRMED: ["COMPLETED", "CANCELLED"],
  CANCELLED: ["LEAD"],
  COMPLETED: [],
};

export function assertTransition(from: SessionStatus, to: SessionStatus): void {
  if (from === to || allowedTransitions[from].includes(to)) return;
  const allowed = allowedTransitions[from];
  throw conflict(
    `A session cannot go from ${from} to ${to}: ${allowed.length ? `from ${from} it can become ${allowed.join(" or ")}` : `${from} is final`}`,
  );
}
