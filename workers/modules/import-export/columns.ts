import { fold } from "@shared/lib/text";
import type { ExportColumn } from "./formats";

// Which CSV header means which contact field. Headers are compared folded and without punctuation, so
// "E-mail Address", "email_address" and "Email address" are one key. The aliases cover what Google
// Contacts, Outlook, HubSpot, Pipedrive, Studio Ninja, HoneyBook, Dubsado and Lightbox's own export write,
// in English and French.

export type ImportField =
  | "firstName"
  | "lastName"
  | "fullName"
  | "email"
  | "phone"
  | "company"
  | "notes"
  | "addressLine1"
  | "addressLine2"
  | "postalCode"
  | "city"
  | "region"
  | "country"
  | "birthday"
  | "latitude"
  | "longitude"
  | "tags";

const aliases: Record<ImportField, string[]> = {
  firstName: ["first name", "firstname", "given name", "prenom", "contact first name"],
  lastName: ["last name", "lastname", "surname", "family name", "nom", "nom de famille", "contact last name"],
  fullName: ["name", "full name", "display name", "contact name", "client name", "nom complet"],
  email: ["email", "e mail", "email address", "e mail address", "e mail 1 value", "primary email", "email 1", "courriel", "adresse email"],
  phone: ["phone", "phone number", "mobile", "mobile phone", "cell", "cell phone", "telephone", "phone 1 value", "primary phone", "business phone", "home phone", "tel", "portable"],
  company: ["company", "company name", "organization", "organisation", "organization 1 name", "organization name", "societe", "entreprise"],
  notes: ["notes", "note", "comments", "comment", "description"],
  addressLine1: ["address", "address line 1", "address 1", "street", "street address", "address 1 street", "home street", "business street", "adresse"],
  addressLine2: ["address line 2", "address 2", "street 2", "home street 2", "business street 2", "complement d adresse"],
  postalCode: ["postal code", "postcode", "zip", "zip code", "address 1 postal code", "home postal code", "business postal code", "code postal"],
  city: ["city", "town", "address 1 city", "home city", "business city", "ville"],
  region: ["region", "state", "province", "county", "address 1 region", "home state", "business state"],
  country: ["country", "country code", "address 1 country", "home country region", "business country region", "pays"],
  birthday: ["birthday", "birth date", "date of birth", "dob", "date de naissance", "anniversaire"],
  latitude: ["latitude", "lat"],
  longitude: ["longitude", "lng", "lon", "long"],
  tags: ["tags", "tag", "labels", "label", "groups", "group membership", "categories", "etiquettes"],
};

const headerKey = (header: string) => fold(header).replace(/[^\p{L}\p{N}]+/gu, " ").trim();

const byAlias = new Map<string, ImportField>(
  (Object.entries(aliases) as [ImportField, string[]][]).flatMap(([field, names]) => [field.toLowerCase(), ...names].map((name) => [headerKey(name), field] as const)),
);

/** Column index of each field found among `headers`; the first matching column wins. Unknown headers are reported. */
export function mapHeaders(headers: string[]): { fields: Partial<Record<ImportField, number>>; ignored: string[] } {
  const fields: Partial<Record<ImportField, number>> = {};
  const ignored: string[] = [];
  headers.forEach((header, index) => {
    const field = byAlias.get(headerKey(header));
    if (field && fields[field] === undefined) fields[field] = index;
    else if (!field && header.trim()) ignored.push(header);
  });
  return { fields, ignored };
}

/** Columns of the contacts export; the headers are ones the importer maps back (a round trip loses nothing). */
export const contactExportColumns: ExportColumn[] = [
  { key: "id", header: "Id" },
  { key: "firstName", header: "First name" },
  { key: "lastName", header: "Last name" },
  { key: "email", header: "Email" },
  { key: "phone", header: "Phone" },
  { key: "phoneE164", header: "Phone (E.164)" },
  { key: "company", header: "Company" },
  { key: "addressLine1", header: "Address line 1" },
  { key: "addressLine2", header: "Address line 2" },
  { key: "postalCode", header: "Postal code" },
  { key: "city", header: "City" },
  { key: "region", header: "Region" },
  { key: "country", header: "Country" },
  { key: "latitude", header: "Latitude", type: "number" },
  { key: "longitude", header: "Longitude", type: "number" },
  { key: "birthday", header: "Birthday", type: "string" },
  { key: "source", header: "Source" },
  { key: "tags", header: "Tags" },
  { key: "notes", header: "Notes" },
  { key: "createdAt", header: "Created at", type: "date" },
  { key: "updatedAt", header: "Updated at", type: "date" },
];

export const sessionExportColumns: ExportColumn[] = [
  { key: "id", header: "Id" },
  { key: "title", header: "Title" },
  { key: "type", header: "Type" },
  { key: "status", header: "Status" },
  { key: "startsAt", header: "Starts at", type: "date" },
  { key: "endsAt", header: "Ends at", type: "date" },
  { key: "location", header: "Location" },
  { key: "price", header: "Price", type: "number" },
  { key: "currency", header: "Currency" },
  { key: "contacts", header: "Contacts" },
  { key: "tags", header: "Tags" },
  { key: "notes", header: "Notes" },
  { key: "createdAt", header: "Created at", type: "date" },
  { key: "updatedAt", header: "Updated at", type: "date" },
];
