// The values of the shared variables, built the same way by every sender: the client, the studio, and money
// and dates in the document's own locale.
import type { Contact, Invoice, Quote, User } from "@shared/db/schema";
import { formatDate, formatMoney as formatDocumentMoney } from "../../templates/documents/format";
import type { TemplateValues } from "./render";

export function clientValues(contact: Pick<Contact, "firstName" | "lastName">): TemplateValues["client"] {
  const lastName = contact.lastName ?? "";
  return { firstName: contact.firstName, lastName, fullName: `${contact.firstName} ${lastName}`.trim() };
}

/** The name clients know the studio by: its company name, else the owner's name. */
export const studioName = (owner: Pick<User, "companyName" | "firstName" | "lastName">) => owner.companyName?.trim() || `${owner.firstName} ${owner.lastName}`.trim();

export const studioValues = (owner: Pick<User, "companyName" | "firstName" | "lastName">): TemplateValues["studio"] => ({ name: studioName(owner) });

/** Integer minor units as the locale writes the currency (`€1,250.00`, `1 250,00 €`, `¥1,250`): the documents'
 *  own formatter (ISO 4217 digits, exact for any amount), in English when the locale is not one Intl knows. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  try {
    return formatDocumentMoney(minor, currency, locale);
  } catch {
    return formatDocumentMoney(minor, currency, "en");
  }
}

/** A `YYYY-MM-DD` day as the locale writes it in full (`June 30, 2026`); "" for none. */
export function formatDay(day: string | null, locale: string): string {
  if (!day) return "";
  try {
    return formatDate(day, locale);
  } catch {
    return formatDate(day, "en");
  }
}

export const quoteValues = (quote: Pick<Quote, "number" | "total" | "currency" | "locale" | "validUntil">): TemplateValues["quote"] => ({
  number: quote.number,
  total: formatMoney(quote.total, quote.currency, quote.locale),
  validUntil: formatDay(quote.validUntil, quote.locale),
});

export const invoiceValues = (invoice: Pick<Invoice, "number" | "total" | "amountPaid" | "currency" | "locale" | "dueDate">): TemplateValues["invoice"] => ({
  number: invoice.number,
  total: formatMoney(invoice.total, invoice.currency, invoice.locale),
  balanceDue: formatMoney(Math.max(0, invoice.total - invoice.amountPaid), invoice.currency, invoice.locale),
  dueDate: formatDay(invoice.dueDate, invoice.locale),
});
