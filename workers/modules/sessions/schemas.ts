import { z } from "@hono/zod-openapi";
import { sessionStatuses, sessionTypes } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { TagSummarySchema } from "../tags/schemas";
import { AuditPageSchema } from "../audit/schemas";
import { optionalText } from "../../openapi";

export const MoneySchema = z
  .strictObject({
    amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({ description: "Integer minor units (cents)", example: 150000 }),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code in capitals, e.g. EUR").openapi({ example: "EUR" }),
  })
  .openapi("Money");

const isoTime = z.iso.datetime({ offset: true }).openapi({ example: "2026-12-05T09:00:00.000Z" });
const id = z.string().min(1).max(100);
const role = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .transform((value) => value.toUpperCase());

/** A list of links naming each linked id once (a second entry would have no meaning, or a contradictory role). */
const uniqueBy = <T extends z.ZodType>(item: T, key: (value: z.infer<T>) => string, max: number) =>
  z
    .array(item)
    .max(max)
    .superRefine((values, ctx) => {
      const seen = new Set<string>();
      values.forEach((value, index) => {
        const k = key(value);
        if (seen.has(k)) ctx.addIssue({ code: "custom", path: [index], message: `lists ${k} a second time` });
        seen.add(k);
      });
    });

export const SessionContactLinkSchema = z
  .strictObject({ contactId: id, role: role.optional().openapi({ description: "CLIENT (default), GUEST, ... (upper-cased)" }) })
  .openapi("SessionContactLink");
export const SessionProviderLinkSchema = z
  .strictObject({ providerId: id, role: optionalText(100).optional(), fee: MoneySchema.nullable().optional() })
  .openapi("SessionProviderLink");

const sessionFields = {
  title: z.string().trim().min(1).max(200),
  type: z.enum(sessionTypes),
  status: z.enum(sessionStatuses),
  startsAt: isoTime.nullable(),
  endsAt: isoTime.nullable(),
  location: optionalText(500),
  price: MoneySchema.nullable(),
  notes: optionalText(10_000),
  contactIds: uniqueBy(id, (v) => v, 100).openapi({ description: "Contacts linked with the role CLIENT" }),
  contacts: uniqueBy(SessionContactLinkSchema, (v) => v.contactId, 100),
  tagIds: uniqueBy(id, (v) => v, 100),
  providers: uniqueBy(SessionProviderLinkSchema, (v) => v.providerId, 50),
};

const oneWayToLinkContacts = (value: { contactIds?: unknown; contacts?: unknown }) => !(value.contactIds !== undefined && value.contacts !== undefined);
const oneWayMessage = { message: "give either contactIds or contacts, not both", path: ["contacts"] };

export const CreateSessionSchema = z
  .strictObject(sessionFields)
  .partial()
  .required({ title: true })
  .refine(oneWayToLinkContacts, oneWayMessage)
  .openapi("SessionCreate");

export const UpdateSessionSchema = z
  .strictObject(sessionFields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .refine(oneWayToLinkContacts, oneWayMessage)
  .openapi("SessionUpdate");

export type CreateSessionInput = z.infer<typeof CreateSessionSchema>;
export type UpdateSessionInput = z.infer<typeof UpdateSessionSchema>;

export const SessionContactSchema = z
  .object({ id: z.string(), firstName: z.string(), lastName: z.string().nullable(), email: z.string().nullable(), role: z.string() })
  .openapi("SessionContact");

export const SessionProviderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.string().nullable().openapi({ description: "The role on this shoot, else the provider's usual role" }),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    fee: MoneySchema.nullable(),
  })
  .openapi("SessionProvider");

export const SessionSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    type: z.enum(sessionTypes),
    status: z.enum(sessionStatuses),
    startsAt: z.iso.datetime().nullable(),
    endsAt: z.iso.datetime().nullable(),
    location: z.string().nullable(),
    price: MoneySchema.nullable(),
    notes: z.string().nullable(),
    contacts: z.array(SessionContactSchema),
    tags: z.array(TagSummarySchema),
    providers: z.array(SessionProviderSchema),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Session");

export const SessionFileSchema = z
  .object({ id: z.string(), name: z.string(), size: z.number().int(), contentType: z.string(), createdAt: z.iso.datetime() })
  .openapi("SessionFile");

export const SessionDetailSchema = SessionSchema.extend({ files: z.array(SessionFileSchema) }).openapi("SessionDetail");

export const SessionPageSchema = z.object({ items: z.array(SessionSchema), nextCursor: z.string().nullable() }).openapi("SessionPage");

const statusList = z
  .string()
  .transform((value, ctx) => {
    const parts = [...new Set(value.split(",").map((part) => part.trim().toUpperCase()).filter(Boolean))];
    const bad = parts.filter((part) => !(sessionStatuses as readonly string[]).includes(part));
    if (parts.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: "custom", message: `must be one or more of ${sessionStatuses.join(", ")} separated by commas` });
      return z.NEVER;
    }
    return parts as (typeof sessionStatuses)[number][];
  })
  .openapi({ type: "string", example: "LEAD,CONFIRMED" });

export const SessionListQuery = z
  .object({
    status: statusList.optional(),
    from: isoTime.optional().openapi({ description: "Sessions starting at or after this time" }),
    to: isoTime.optional().openapi({ description: "Sessions starting before this time" }),
    contactId: id.optional(),
    tagId: id.optional(),
    sort: z.enum(["startsAt", "created"]).default("startsAt").openapi({ description: "startsAt: soonest first, unscheduled last; created: oldest first" }),
    limit: limitParam,
    cursor: z.string().optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), { message: "must be after from", path: ["to"] });

export type SessionListInput = z.infer<typeof SessionListQuery>;

export const SessionParams = z.object({ id });
export const SessionContactParams = z.object({ id, contactId: id });
export const SessionTagParams = z.object({ id, tagId: id });
export const SessionProviderParams = z.object({ id, providerId: id });

export const ContactLinkBodySchema = z.strictObject({ role: role.optional() }).openapi("SessionContactLinkBody");
export const ProviderLinkBodySchema = z
  .strictObject({ role: optionalText(100).optional(), fee: MoneySchema.nullable().optional() })
  .openapi("SessionProviderLinkBody");

/** A session's history: its entries of the audit log. */
export const HistoryPageSchema = AuditPageSchema;
export const HistoryQuery = z.object({ limit: limitParam, cursor: z.string().optional() });
