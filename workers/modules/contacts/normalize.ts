import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { fold } from "@shared/lib/text";

// The values a contact row derives from what the user typed. Every path that writes contacts (the API,
// CSV import, bookings, merges) goes through `deriveContactFields`, so search, sort and duplicate detection
// see the same normalized data whatever the source.

export interface PhoneFields {
  /** As typed, trimmed. */
  phone: string | null;
  phoneE164: string | null;
  /** Digit strings a search may start with: E.164 without "+", the national number, and its national dialing form. */
  phoneSearch: string | null;
}

export class InvalidPhoneError extends Error {
  constructor(readonly raw: string) {
    super("is not a valid phone number (add the country code, e.g. +33 6 12 34 56 78)");
  }
}

/** Parses a phone typed in any common format; numbers without a country code are read in `region`. */
export function normalizePhone(raw: string | null | undefined, region: string): PhoneFields {
  const phone = raw?.trim() || null;
  if (!phone) return { phone: null, phoneE164: null, phoneSearch: null };
  const parsed = parsePhoneNumberFromString(phone, region as CountryCode);
  if (!parsed?.isValid()) throw new InvalidPhoneError(phone);
  const digits = (s: string) => s.replace(/\D/g, "");
  const variants = new Set([digits(parsed.number), parsed.nationalNumber, digits(parsed.formatNational())]);
  return { phone, phoneE164: parsed.number, phoneSearch: [...variants].join(" ") };
}

export const normalizeEmail = (email: string | null | undefined): string | null => email?.trim().toLowerCase() || null;

/** "last first", folded: the name order of lists and the key of name similarity. */
export const sortNameOf = (firstName: string, lastName: string | null | undefined): string => fold(`${lastName ?? ""} ${firstName}`);

/** The phone region for an owner: their studio's country when it is set, else the configured default. */
export function phoneRegionFor(ownerCountry: string | null | undefined, defaultRegion: string): string {
  const country = ownerCountry?.trim().toUpperCase();
  return country && /^[A-Z]{2}$/.test(country) ? country : defaultRegion;
}

export interface NameAndContact {
  firstName: string;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** Stored forms of the identifying fields, plus the derived sort and search keys. Throws InvalidPhoneError. */
export function deriveContactFields(input: NameAndContact, region: string) {
  const firstName = input.firstName.trim();
  const lastName = input.lastName?.trim() || null;
  return {
    firstName,
    lastName,
    email: normalizeEmail(input.email),
    ...normalizePhone(input.phone, region),
    sortName: sortNameOf(firstName, lastName),
  };
}
