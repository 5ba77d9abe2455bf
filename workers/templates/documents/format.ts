// Locale-aware money, numbers and dates for printed documents. Everything is formatted with Intl in the
// document's own locale (not the reader's), so a PDF says the same thing wherever it is rendered.
import { minorUnitDigits } from "../../modules/documents/currency";

const moneyFormats = new Map<string, Intl.NumberFormat>();

// The digits are ISO 4217's, given explicitly: the locale data Intl would use otherwise disagrees for a few
// currencies (IQD, LAK, MGA), and the amount would print shifted.
function moneyFormat(locale: string, currency: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    moneyFormats.set(key, format);
  }
  return format;
}

/** `minor` as an exact decimal string (`-12345`, 2 → `"-123.45"`): integer arithmetic, so amounts past 2^53 / 100
 *  are not rounded by a float division. */
function decimalString(minor: number, digits: number): `${number}` {
  const value = BigInt(minor);
  const magnitude = value < 0n ? -value : value;
  const scale = 10n ** BigInt(digits);
  const fraction = digits > 0 ? `.${String(magnitude % scale).padStart(digits, "0")}` : "";
  return `${value < 0n ? "-" : ""}${magnitude / scale}${fraction}` as `${number}`;
}

/** `123456` EUR minor units → `1 234,56 €` (fr-FR) or `€1,234.56` (en-US). */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const digits = minorUnitDigits(currency);
  // Intl formats a decimal string exactly (no conversion to a double on the way).
  return moneyFormat(locale, currency, digits).format(decimalString(minor, digits));
}

/** A quantity or a rate with up to 3 decimals, as the locale writes numbers. */
export const formatNumber = (value: number, locale: string): string => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(value);

/** A percentage given in percent (20 → `20 %` in fr-FR, `20%` in en-US). */
export const formatPercent = (value: number, locale: string): string =>
  new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 3 }).format(value / 100);

/** A calendar date `YYYY-MM-DD` in the long style (`5 décembre 2026`, `December 5, 2026`). */
export const formatDate = (date: string, locale: string): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));

/** An instant as the studio's wall clock shows it, long date and short time. */
export const formatDateTime = (at: Date, locale: string, timeZone: string): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone }).format(at);
