import { z } from "@hono/zod-openapi";
import type { Tag } from "@shared/db/schema";

export const TagSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    color: z.string().nullable().openapi({ example: "#e11d48" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Tag");

/** How a tag appears inside a contact or a session. */
export const TagSummarySchema = TagSchema.pick({ id: true, name: true, color: true }).openapi("TagSummary");

export const toTagDto = (tag: Tag): z.infer<typeof TagSchema> => ({
  id: tag.id,
  name: tag.name,
  color: tag.color,
  createdAt: tag.createdAt.toISOString(),
  updatedAt: tag.updatedAt.toISOString(),
});

export const toTagSummary = (tag: Pick<Tag, "id" | "name" | "color">) => ({ id: tag.id, name: tag.name, color: tag.color });

const tagName = z.string().trim().min(1).max(50).openapi({ example: "Wedding" });
const tagColor = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, "must be a color as #rrggbb")
  .transform((value) => value.toLowerCase())
  .openapi({ example: "#e11d48" });

export const CreateTagSchema = z.strictObject({ name: tagName, color: tagColor.nullable().optional() }).openapi("CreateTag");
export type CreateTagInput = z.infer<typeof CreateTagSchema>;

export const UpdateTagSchema = z
  .strictObject({ name: tagName, color: tagColor.nullable() })
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateTag");
export type UpdateTagInput = z.infer<typeof UpdateTagSchema>;

export const TagListSchema = z.object({ items: z.array(TagSchema), nextCursor: z.string().nullable() }).openapi("TagList");

export const TagIdParams = z.object({ id: z.string().min(1).max(64) });
