import { z } from "@hono/zod-openapi";
import { duplicateReasons } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { ContactSchema } from "../contacts/schemas";

export const duplicateStatuses = ["PENDING", "IGNORED"] as const;
export type DuplicateStatus = (typeof duplicateStatuses)[number];

const datetime = z.string().openapi({ format: "date-time" });

/** Enough of each contact to tell them apart in a review list. */
export const DuplicateContactSchema = z
  .object({
    id: z.string(),
    firstName: z.string(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: "As typed" }),
    phoneE164: z.string().nullable(),
    company: z.string().nullable(),
    createdAt: datetime,
  })
  .openapi("DuplicateContact");

export const DuplicatePairSchema = z
  .object({
    id: z.string(),
    reason: z.enum(duplicateReasons).openapi({ description: "EMAIL or PHONE: the same normalized value; NAME: similar names" }),
    score: z.number().min(0).max(1).openapi({ description: "1 for the same email or phone, the name similarity (Jaro-Winkler) otherwise" }),
    status: z.enum(duplicateStatuses),
    contacts: z.tuple([DuplicateContactSchema, DuplicateContactSchema]),
    createdAt: datetime,
    updatedAt: datetime,
  })
  .openapi("DuplicatePair");
export type DuplicatePairDto = z.infer<typeof DuplicatePairSchema>;

export const DuplicatePairListSchema = z
  .object({ items: z.array(DuplicatePairSchema), nextCursor: z.string().nullable() })
  .openapi("DuplicatePairList");

export const DuplicateListQuery = z.object({
  status: z.enum(duplicateStatuses).default("PENDING"),
  limit: limitParam,
  cursor: z.string().max(512).optional(),
});
export type DuplicateListQueryInput = z.infer<typeof DuplicateListQuery>;

export const DuplicateIdParams = z.object({ id: z.string().min(1).max(64) });

export const MergeDuplicateSchema = z
  .strictObject({ keepId: z.string().min(1).max(64).openapi({ description: "The contact that stays: one of the pair's two" }) })
  .openapi("MergeDuplicate");

export const MergeResultSchema = z
  .object({ contact: ContactSchema, merged: z.string().openapi({ description: "The id of the contact merged into `contact`, now deleted" }) })
  .openapi("MergeResult");

export const ScanResultSchema = z.object({ created: z.number().int().min(0) }).openapi("DuplicateScanResult");
