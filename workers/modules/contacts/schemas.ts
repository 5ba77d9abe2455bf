import { z } from "@hono/zod-openapi";
import { contactSources, sessionStatuses, sessionTypes } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { AuditPageSchema } from "../audit/schemas";
import { TagSummarySchema } from "../tags/schemas";
import { AddressSchema } from "../users/schemas";

const datetime = z.string().openapi({ format: "date-time" });
const optionalText = (max: number) => z.string().trim().max(max).nullable();

/** A real calendar date: "2023-02-30" matches the pattern but is refused. */
const birthday = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && date.getUTCFullYear() >= 1900;
  }, "is not a real date")
  .openapi({ example: "1990-04-21" });

const LocationSchema = z
  .strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
  .openapi("ContactLocation");

const AddressInputSchema = z
  .strictObject({
    line1: optionalText(200),
    line2: optionalText(200),
    postalCode: optionalText(20),
    city: optionalText(100),
    region: optionalText(100),
    country: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
      .transform((value) => value.toUpperCase())
      .nullable(),
  })
  .partial();

const contactFields = {
  firstName: z.string().trim().min(1).max(100),
  lastName: optionalText(100),
  email: z.string().trim().max(254).pipe(z.email()).nullable(),
  phone: optionalText(40).openapi({ example: "+33 6 12 34 56 78" }),
  company: optionalText(200),
  notes: z.string().max(10_000).nullable(),
  /** Only the parts given change; null clears the whole address. */
  address: AddressInputSchema.nullable(),
  location: LocationSchema.nullable(),
  source: z.enum(contactSources).openapi({ description: "How the contact came in; MANUAL when not given" }),
  birthday: birthday.nullable(),
  /** Replaces the contact's tags with exactly these. */
  tagIds: z.array(z.string().min(1).max(64)).max(100),
};

export const CreateContactSchema = z
  .strictObject(contactFields)
  .partial()
  .required({ firstName: true })
  .openapi("CreateContact");
export type CreateContactInput = z.infer<typeof CreateContactSchema>;

export const UpdateContactSchema = z
  .strictObject(contactFields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateContact");
export type UpdateContactInput = z.infer<typeof UpdateContactSchema>;

export const ContactSchema = z
  .object({
    id: z.string(),
    firstName: z.string(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: "As typed" }),
    phoneE164: z.string().nullable().openapi({ example: "+33612345678" }),
    company: z.string().nullable(),
    notes: z.string().nullable(),
    address: AddressSchema,
    location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
    source: z.enum(contactSources),
    birthday: z.string().nullable(),
    tags: z.array(TagSummarySchema),
    createdAt: datetime,
    updatedAt: datetime,
  })
  .openapi("Contact");
export type ContactDto = z.infer<typeof ContactSchema>;

export const ContactDetailSchema = ContactSchema.extend({
  sessions: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      type: z.enum(sessionTypes),
      status: z.enum(sessionStatuses),
      startsAt: datetime.nullable(),
      endsAt: datetime.nullable(),
      role: z.string(),
    }),
  ),
  files: z.array(z.object({ id: z.string(), name: z.string(), size: z.number().int(), contentType: z.string(), createdAt: datetime })),
}).openapi("ContactDetail");
export type ContactDetailDto = z.infer<typeof ContactDetailSchema>;

export const ContactListSchema = z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() }).openapi("ContactList");

export const contactSorts = ["name", "created", "updated"] as const;
export type ContactSort = (typeof contactSorts)[number];

export const ContactListQuery = z.object({
  limit: limitParam,
  cursor: z.string().max(1024).optional(),
  sort: z.enum(contactSorts).default("name"),
  order: z.enum(["asc", "desc"]).optional().openapi({ description: "Default: asc for name, desc for created and updated" }),
  tagId: z.string().min(1).max(64).optional(),
  search: z.string().max(200).optional().openapi({ description: "Words matched as prefixes of name, email, phone and company; case and accents ignored" }),
});
export type ContactListQueryInput = z.infer<typeof ContactListQuery>;

/** A contact's history: its entries of the audit log. */
export const HistoryListSchema = AuditPageSchema;

export const ContactIdParams = z.object({ id: z.string().min(1).max(64) });
export const ContactTagParams = z.object({ id: z.string().min(1).max(64), tagId: z.string().min(1).max(64) });
export const PageQuery = z.object({ limit: limitParam, cursor: z.string().max(512).optional() });
