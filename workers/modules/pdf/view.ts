// What a quote or invoice prints, loaded in one D1 batch and resolved into the template's view.
import { and, eq, inArray } from "drizzle-orm";
import { invoices, quotes, type Invoice, type PostalAddress, type Quote } from "@shared/db/billing-schema";
import type { Db } from "@shared/db/client";
import { contacts, sessions, users, type User } from "@shared/db/schema";
import { toBase64 } from "@shared/lib/crypto";
import { notFound } from "@shared/lib/errors";
import type { BillingDocumentView, ClientView } from "../../templates/documents/billing";
import type { StudioView } from "../../templates/documents/layout";
import { localDate } from "../documents/owner";

export type DocumentKind = "QUOTE" | "INVOICE";

/** Postal lines as printed: street lines, `postal code city`, region, country name in the document's language. */
function addressLines(address: PostalAddress, locale: string): string[] {
  let country = address.country;
  if (country) {
    try {
      country = new Intl.DisplayNames(locale, { type: "region" }).of(country) ?? country;
    } catch {
      // An unknown code is printed as stored.
    }
  }
  const cityLine = [address.postalCode, address.city].filter(Boolean).join(" ");
  return [address.addressLine1, address.addressLine2, cityLine, address.region, country].filter((line): line is string => Boolean(line));
}

/** The rows a printed quote or invoice is made of. */
export interface BillingParts {
  kind: DocumentKind;
  document: Quote | Invoice;
  owner: Pick<User, "companyName" | "firstName" | "lastName" | "email" | "phone" | "vatNumber" | "timezone" | "paymentDetails"> & PostalAddress;
  contact: { firstName: string; lastName: string | null; company: string | null; email: string | null } & PostalAddress;
  session: { title: string; startsAt: Date | null } | null;
  logoDataUri: string | null;
}

/** The studio's letterhead in `locale`: the company's name (else the person's), address, VAT number, contacts. */
export function studioLetterhead(owner: BillingParts["owner"], locale: string, logo: string | null): StudioView {
  return {
    name: owner.companyName?.trim() || `${owner.firstName} ${owner.lastName}`.trim(),
    addressLines: addressLines(owner, locale),
    vatNumber: owner.vatNumber,
    email: owner.email,
    phone: owner.phone,
    logoDataUri: logo,
  };
}

/** The owner's letterhead with the logo read from R2: what every printed document (quotes, invoices, reports) heads with. */
export async function studioView(bucket: R2Bucket, owner: User, locale: string): Promise<StudioView> {
  return studioLetterhead(owner, locale, await logoDataUri(bucket, owner));
}

/** The template's view of a document: pure, so the same rows always print the same HTML. */
export function billingView({ kind, document, owner, contact, session, logoDataUri }: BillingParts): BillingDocumentView {
  const locale = document.locale;
  const invoice = kind === "INVOICE" ? (document as Invoice) : null;
  const quote = kind === "QUOTE" ? (document as Quote) : null;
  const client: ClientView = {
    name: [contact.firstName, contact.lastName].filter(Boolean).join(" "),
    company: contact.company,
    addressLines: addressLines(contact, locale),
    email: contact.email,
  };
  return {
    kind,
    number: document.number,
    status: document.status,
    locale,
    currency: document.currency,
    timeZone: owner.timezone,
    studio: studioLetterhead(owner, locale, logoDataUri),
    client,
    // A quote is dated the day it was sent (the day it was written while it is a draft), in the studio's zone.
    issueDate: invoice ? invoice.issueDate : localDate(document.sentAt ?? document.createdAt, owner.timezone),
    validUntil: quote?.validUntil ?? null,
    dueDate: invoice?.dueDate ?? null,
    session,
    items: document.items,
    subtotal: document.subtotal,
    discountTotal: document.discountTotal,
    taxTotal: document.taxTotal,
    total: document.total,
    amountPaid: invoice ? invoice.amountPaid : null,
    notes: document.notes,
    paymentDetails: owner.paymentDetails,
  };
}

/** The studio's logo as a `data:` URI (documents are printed without network access), or null. */
export async function logoDataUri(bucket: R2Bucket, owner: Pick<User, "logoKey" | "logoContentType">): Promise<string | null> {
  if (!owner.logoKey || !owner.logoContentType) return null;
  const object = await bucket.get(owner.logoKey);
  return object ? `data:${owner.logoContentType};base64,${toBase64(await object.arrayBuffer())}` : null;
}

/**
 * The parties a document prints: those frozen at its first send (`parties`) once it has been sent, so a later
 * profile, logo or contact edit never changes an issued document; the live profile and contact while a draft.
 */
function printedParties(document: Quote | Invoice, owner: User, contact: BillingParts["contact"]): { owner: BillingParts["owner"]; contact: BillingParts["contact"]; logo: Pick<User, "logoKey" | "logoContentType"> } {
  const frozen = document.parties;
  if (!frozen) return { owner, contact, logo: owner };
  // The time zone is not a party detail: it only dates a quote from its stored sentAt.
  return { owner: { ...frozen.studio, timezone: owner.timezone }, contact: frozen.client, logo: frozen.studio };
}

/** The document, its owner, its client and its session in one batch; 404 unless the document is the owner's. */
export async function loadDocumentView(db: Db, bucket: R2Bucket, kind: DocumentKind, ownerId: string, id: string): Promise<{ version: number; view: BillingDocumentView }> {
  const table = kind === "QUOTE" ? quotes : invoices;
  const mine = and(eq(table.ownerId, ownerId), eq(table.id, id));
  const [documents, owners, clients, linked] = await db.batch([
    db.select().from(table).where(mine).limit(1),
    db.select().from(users).where(eq(users.id, ownerId)).limit(1),
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.ownerId, ownerId), inArray(contacts.id, db.select({ id: table.contactId }).from(table).where(mine))))
      .limit(1),
    db
      .select({ title: sessions.title, startsAt: sessions.startsAt })
      .from(sessions)
      .where(and(eq(sessions.ownerId, ownerId), inArray(sessions.id, db.select({ id: table.sessionId }).from(table).where(mine))))
      .limit(1),
  ]);
  const document = documents[0];
  const owner = owners[0];
  const contact = clients[0];
  if (!document || !owner || !contact) throw notFound(kind === "QUOTE" ? "Quote" : "Invoice");
  const printed = printedParties(document, owner, contact);
  const logo = await logoDataUri(bucket, printed.logo);
  const view = billingView({ kind, document, owner: printed.owner, contact: printed.contact, session: linked[0] ?? null, logoDataUri: logo });
  return { version: document.version, view };
}
