// Every status change of a quote or an invoice, and the one way each is made. Anything not listed is a 409.
// The owner's routes, sending, converting, payments and the billing cron check these tables before they write;
// the portal's answers (workers/modules/portal/decisions.ts) write SENT → ACCEPTED/REJECTED under their own
// `status = 'SENT'` condition, which is exactly the row below.
import type { InvoiceStatus, QuoteStatus } from "@shared/db/schema";
import { conflict } from "@shared/lib/errors";

/** How a change is asked for: PATCH `status`, the send route, converting, the portal, a payment, or the cron. */
export type Via = "patch" | "send" | "convert" | "portal" | "payment" | "cron";

type Table<S extends string> = Record<S, Partial<Record<S, readonly Via[]>>>;

export const QUOTE_TRANSITIONS: Table<QuoteStatus> = {
  DRAFT: { SENT: ["send"] },
  // Re-sending keeps SENT. The owner records an answer given by phone; converting accepts.
  SENT: { SENT: ["send"], ACCEPTED: ["patch", "portal", "convert"], REJECTED: ["patch", "portal"], EXPIRED: ["cron"] },
  ACCEPTED: {},
  REJECTED: {},
  EXPIRED: {},
};

export const INVOICE_TRANSITIONS: Table<InvoiceStatus> = {
  // Sending an invoice with nothing left to pay (fully discounted) settles it: PAID at once, never OVERDUE.
  DRAFT: { SENT: ["send"], PAID: ["send"], CANCELLED: ["patch"] },
  SENT: { SENT: ["send"], PAID: ["payment"], OVERDUE: ["cron"], CANCELLED: ["patch"] },
  OVERDUE: { OVERDUE: ["send", "cron"], PAID: ["payment"], CANCELLED: ["patch"] },
  // Deleting a payment reopens the invoice.
  PAID: { SENT: ["payment"], OVERDUE: ["payment"] },
  CANCELLED: {},
};

/** The statuses `to` can be reached from `via` (the payment insert and the cron's queries select on them). */
export const statusesLeadingTo = <S extends string>(table: Table<S>, to: S, via: Via): S[] =>
  (Object.keys(table) as S[]).filter((from) => table[from][to]?.includes(via) ?? false);

export const canTransition = <S extends string>(table: Table<S>, from: S, to: S, via: Via): boolean => table[from][to]?.includes(via) ?? false;

/** 409 unless the table allows `from → to` this way. */
export function assertTransition<S extends string>(table: Table<S>, what: string, from: S, to: S, via: Via): void {
  if (canTransition(table, from, to, via)) return;
  const ways = table[from][to];
  const hint = ways && ways.length > 0 ? ` (only by ${ways.join(" or ")})` : "";
  throw conflict(`A ${what} that is ${from} cannot become ${to}${via === "patch" ? " through PATCH" : ""}${hint}`);
}
