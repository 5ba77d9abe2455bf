// What a client sees through a portal link: their document as sent, the shoot it is for, the studio's public
// profile and their own name. Built field by field from the rows, so nothing internal (owner id, version,
// audit, other contacts, other documents) can slip into an answer by being added to a table later.
import { and, eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { contacts, invoices, quotes, sessions, users, type DocumentLineJson, type Invoice, type Quote } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";
import type { ClientAccess } from "./tokens";

export interface StudioProfile {
  name: string;
  company: string | null;
  address: { line1: string | null; line2: string | null; postalCode: string | null; city: string | null; region: string | null; country: string | null };
  vatNumber: string | null;
  email: string;
  phone: string | null;
  hasLogo: boolean;
}

export interface SessionSummary {
  title: string;
  type: string;
  startsAt: string | null;
  endsAt: string | null;
  location: string | null;
}

export interface LineView {
  description: string;
  quantity: number;
  unitPrice: number;
  taxRate: number;
  discount: DocumentLineJson["discount"];
  net: number;
  tax: number;
  total: number;
}

/** Taxes grouped by rate, as printed under the lines: the taxable base and the tax at that rate. */
export interface TaxView {
  rate: number;
  base: number;
  tax: number;
}

interface DocumentView {
  id: string;
  number: string;
  currency: string;
  locale: string;
  lines: LineView[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  taxes: TaxView[];
  notes: string | null;
  sentAt: string | null;
}

export interface QuoteView extends DocumentView {
  status: Quote["status"];
  validUntil: string | null;
  acceptedAt: string | null;
  rejectedAt: string | null;
  rejectionReason: string | null;
  expiredAt: string | null;
  /** SENT and still within its validity: the client may accept or reject it now. */
  canRespond: boolean;
}

export interface InvoiceView extends DocumentView {
  status: Invoice["status"];
  issueDate: string;
  dueDate: string | null;
  amountPaid: number;
  amountDue: number;
  paidAt: string | null;
  /** The studio's bank details and terms, as printed on the invoice. */
  paymentDetails: string | null;
}

export interface PortalView {
  client: { firstName: string; lastName: string | null };
  studio: StudioProfile;
  quote: QuoteView | null;
  invoice: InvoiceView | null;
  session: SessionSummary | null;
  link: { expiresAt: string };
}

type Owner = typeof users.$inferSelect;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** `YYYY-MM-DD` of today in `timeZone` (validity dates are the owner's calendar days). */
export function todayIn(timeZone: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export const isRespondable = (quote: Pick<Quote, "status" | "validUntil">, today: string) =>
  quote.status === "SENT" && (quote.validUntil === null || quote.validUntil >= today);

function taxesByRate(lines: DocumentLineJson[]): TaxView[] {
  const byRate = new Map<number, TaxView>();
  for (const line of lines) {
    const entry = byRate.get(line.taxRate) ?? { rate: line.taxRate, base: 0, tax: 0 };
    entry.base += line.net;
    entry.tax += line.tax;
    byRate.set(line.taxRate, entry);
  }
  return [...byRate.values()].sort((a, b) => a.rate - b.rate);
}

function documentView(doc: Quote | Invoice): DocumentView {
  return {
    id: doc.id,
    number: doc.number,
    currency: doc.currency,
    locale: doc.locale,
    lines: doc.items.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      taxRate: line.taxRate,
      discount: line.discount,
      net: line.net,
      tax: line.tax,
      total: line.total,
    })),
    subtotal: doc.subtotal,
    discountTotal: doc.discountTotal,
    taxTotal: doc.taxTotal,
    total: doc.total,
    taxes: taxesByRate(doc.items),
    notes: doc.notes,
    sentAt: iso(doc.sentAt),
  };
}

export const toQuoteView = (quote: Quote, today: string): QuoteView => ({
  ...documentView(quote),
  status: quote.status,
  validUntil: quote.validUntil,
  acceptedAt: iso(quote.acceptedAt),
  rejectedAt: iso(quote.rejectedAt),
  rejectionReason: quote.rejectionReason,
  expiredAt: iso(quote.expiredAt),
  canRespond: isRespondable(quote, today),
});

export const toInvoiceView = (invoice: Invoice, owner: Owner): InvoiceView => ({
  ...documentView(invoice),
  status: invoice.status,
  issueDate: invoice.issueDate,
  dueDate: invoice.dueDate,
  amountPaid: invoice.amountPaid,
  amountDue: Math.max(0, invoice.total - invoice.amountPaid),
  paidAt: iso(invoice.paidAt),
  paymentDetails: owner.paymentDetails,
});

export const toStudioProfile = (owner: Owner): StudioProfile => ({
  name: `${owner.firstName} ${owner.lastName}`.trim(),
  company: owner.companyName,
  address: { line1: owner.addressLine1, line2: owner.addressLine2, postalCode: owner.postalCode, city: owner.city, region: owner.region, country: owner.country },
  vatNumber: owner.vatNumber,
  email: owner.email,
  phone: owner.phone,
  hasLogo: owner.logoKey !== null,
});

export async function ownerOf(db: Db, access: ClientAccess): Promise<Owner> {
  const [owner] = await db.select().from(users).where(eq(users.id, access.ownerId));
  if (!owner) throw notFound("Studio");
  return owner;
}

/**
 * The link's quote; any other id (another quote of the same client included) is 404. The quote must still be
 * the link's contact's: a draft re-assigned to another client after the link was made is 404 to this one.
 */
export async function quoteOf(db: Db, access: ClientAccess, quoteId: string): Promise<Quote> {
  const [quote] =
    access.quoteId === quoteId
      ? await db
          .select()
          .from(quotes)
          .where(and(eq(quotes.id, quoteId), eq(quotes.ownerId, access.ownerId), eq(quotes.contactId, access.contactId)))
      : [];
  if (!quote) throw notFound("Quote");
  return quote;
}

export async function invoiceOf(db: Db, access: ClientAccess, invoiceId: string): Promise<Invoice> {
  const [invoice] =
    access.invoiceId === invoiceId
      ? await db
          .select()
          .from(invoices)
          .where(and(eq(invoices.id, invoiceId), eq(invoices.ownerId, access.ownerId), eq(invoices.contactId, access.contactId)))
      : [];
  if (!invoice) throw notFound("Invoice");
  return invoice;
}

async function sessionSummary(db: Db, ownerId: string, sessionId: string | null): Promise<SessionSummary | null> {
  if (!sessionId) return null;
  const [row] = await db
    .select({ title: sessions.title, type: sessions.type, startsAt: sessions.startsAt, endsAt: sessions.endsAt, location: sessions.location })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.ownerId, ownerId)));
  return row ? { title: row.title, type: row.type, startsAt: iso(row.startsAt), endsAt: iso(row.endsAt), location: row.location } : null;
}

/** GET /api/client-access: everything the link shows, and nothing else. */
export async function portalView(db: Db, access: ClientAccess): Promise<PortalView> {
  const [owner, [client], quote, invoice] = await Promise.all([
    ownerOf(db, access),
    db
      .select({ firstName: contacts.firstName, lastName: contacts.lastName })
      .from(contacts)
      .where(and(eq(contacts.id, access.contactId), eq(contacts.ownerId, access.ownerId))),
    access.quoteId ? quoteOf(db, access, access.quoteId) : null,
    access.invoiceId ? invoiceOf(db, access, access.invoiceId) : null,
  ]);
  if (!client) throw notFound("Contact");
  const doc = quote ?? invoice;
  return {
    client,
    studio: toStudioProfile(owner),
    quote: quote ? toQuoteView(quote, todayIn(owner.timezone)) : null,
    invoice: invoice ? toInvoiceView(invoice, owner) : null,
    session: await sessionSummary(db, access.ownerId, doc?.sessionId ?? null),
    link: { expiresAt: access.expiresAt.toISOString() },
  };
}
