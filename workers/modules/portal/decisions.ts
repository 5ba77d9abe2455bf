// A client's answer to a quote: accept, or reject with a reason. Only a SENT quote within its validity can be
// answered, and the status changes in one conditional UPDATE, so a double click or two tabs racing get one
// success and one 409, and the owner is told once.
import { and, eq, isNull, or, gte } from "drizzle-orm";
import { auditedBatch } from "@shared/db/audited";
import { contacts, quotes, type Quote } from "@shared/db/schema";
import { conflict } from "@shared/lib/errors";
import { notify, type NotificationDeps } from "../notifications/service";
import { formatDay, formatMoney } from "../email-templates/values";
import { ownerNoticeEmail } from "./owner-emails";
import { clientActor, type ClientAccess } from "./tokens";
import { ownerOf, quoteOf, todayIn } from "./views";

export type QuoteDecision = { status: "ACCEPTED" } | { status: "REJECTED"; reason: string | null };

const ANSWERED: Partial<Record<Quote["status"], string>> = {
  ACCEPTED: "This quote was already accepted",
  REJECTED: "This quote was already declined",
  EXPIRED: "This quote has expired: ask the studio for a new one",
  DRAFT: "This quote has not been sent yet",
};

function refusal(quote: Quote, today: string) {
  const answered = ANSWERED[quote.status];
  if (answered) return conflict(answered);
  if (quote.validUntil !== null && quote.validUntil < today) {
    return conflict(`This quote was valid until ${quote.validUntil}: ask the studio for a new one`);
  }
  return conflict("This quote can no longer be answered");
}

export async function respondToQuote(
  deps: NotificationDeps,
  access: ClientAccess,
  quoteId: string,
  decision: QuoteDecision,
  requestId: string | null,
): Promise<{ status: QuoteDecision["status"] }> {
  const { db } = deps;
  const quote = await quoteOf(db, access, quoteId);
  const owner = await ownerOf(db, access);
  const today = todayIn(owner.timezone);
  const now = new Date();
  const change =
    decision.status === "ACCEPTED"
      ? { status: "ACCEPTED" as const, acceptedAt: now, updatedAt: now }
      : { status: "REJECTED" as const, rejectedAt: now, rejectionReason: decision.reason, updatedAt: now };
  const [updated] = await auditedBatch(db, clientActor(access, requestId), [
    db
      .update(quotes)
      .set(change)
      .where(
        and(
          eq(quotes.id, quote.id),
          eq(quotes.ownerId, access.ownerId),
          eq(quotes.contactId, access.contactId),
          eq(quotes.status, "SENT"),
          or(isNull(quotes.validUntil), gte(quotes.validUntil, today)),
        ),
      )
      .returning({ id: quotes.id }),
  ]);
  if (updated.length === 0) {
    const current = await quoteOf(db, access, quoteId);
    // Already answered this way: perhaps the earlier request stored it and then failed to tell the owner. The
    // notification's key makes telling again a no-op when it did get through.
    if (current.status === decision.status) {
      const stored: QuoteDecision = current.status === "REJECTED" ? { status: "REJECTED", reason: current.rejectionReason } : decision;
      await tellOwner(deps, owner, current, stored, requestId);
    }
    throw refusal(current, today);
  }
  await tellOwner(deps, owner, quote, decision, requestId);
  return { status: decision.status };
}

/** The answer is stored: a failure to tell the owner must not make the client think it was lost. */
const tellOwner = (deps: NotificationDeps, owner: Awaited<ReturnType<typeof ownerOf>>, quote: Quote, decision: QuoteDecision, requestId: string | null) =>
  notifyOwner(deps, owner, quote, decision).catch((error) =>
    console.error(JSON.stringify({ level: "error", msg: "quote answer notification failed", quoteId: quote.id, requestId, error: String(error) })),
  );

async function notifyOwner(deps: NotificationDeps, owner: Awaited<ReturnType<typeof ownerOf>>, quote: Quote, decision: QuoteDecision) {
  const [client] = await deps.db
    .select({ firstName: contacts.firstName, lastName: contacts.lastName })
    .from(contacts)
    .where(and(eq(contacts.id, quote.contactId), eq(contacts.ownerId, owner.id)));
  const clientName = client ? [client.firstName, client.lastName].filter(Boolean).join(" ") : "Your client";
  const total = formatMoney(quote.total, quote.currency, quote.locale);
  const app = deps.config.appUrl.replace(/\/+$/, "");
  const accepted = decision.status === "ACCEPTED";
  const title = accepted ? `Quote ${quote.number} accepted` : `Quote ${quote.number} declined`;
  const body = accepted ? `${clientName} accepted quote ${quote.number} (${total}).` : `${clientName} declined quote ${quote.number} (${total}).`;
  const reason = decision.status === "REJECTED" ? decision.reason : null;
  const validity = quote.validUntil ? ` It was valid until ${formatDay(quote.validUntil, quote.locale)}.` : "";
  await notify(deps, owner.id, {
    type: accepted ? "QUOTE_ACCEPTED" : "QUOTE_REJECTED",
    title,
    body: reason ? `${body} Reason: ${reason}` : body,
    data: { quoteId: quote.id, contactId: quote.contactId, number: quote.number, ...(reason ? { reason } : {}) },
    email: ownerNoticeEmail({
      ownerFirstName: owner.firstName,
      title,
      lead: accepted ? `${body} You can now turn it into an invoice.` : `${body}${validity}`,
      quoted: reason ? { label: "Their reason", text: reason } : null,
      link: { href: `${app}/quotes/${encodeURIComponent(quote.id)}`, label: "Open the quote" },
      preferencesLink: `${app}/settings/notifications`,
    }),
    // One answer per quote ever: a retry after a crash stores and emails nothing twice.
    key: `quote-${accepted ? "accepted" : "rejected"}:${quote.id}`,
  });
}
