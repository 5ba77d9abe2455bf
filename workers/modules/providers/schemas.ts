import { z } from "@hono/zod-openapi";
import { limitParam } from "@shared/lib/pagination";
import { optionalText } from "../../openapi";

export const ProviderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.string().nullable().openapi({ example: "Second shooter" }),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Provider");

export const ProviderPageSchema = z
  .object({ items: z.array(ProviderSchema), nextCursor: z.string().nullable() })
  .openapi("ProviderPage");


const providerFields = {
  name: z.string().trim().min(1).max(200),
  role: optionalText(100),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.union([z.literal(""), z.email()]))
    .transform((value) => value || null)
    .nullable(),
  phone: optionalText(40),
};

export const CreateProviderSchema = z
  .strictObject({
    name: providerFields.name,
    role: providerFields.role.optional(),
    email: providerFields.email.optional(),
    phone: providerFields.phone.optional(),
  })
  .openapi("ProviderCreate");

export const UpdateProviderSchema = z
  .strictObject(providerFields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("ProviderUpdate");

export const ProviderListQuery = z.object({
  limit: limitParam,
  cursor: z.string().optional(),
});

export const ProviderParams = z.object({ id: z.string().min(1).max(100) });

export type CreateProviderInput = z.infer<typeof CreateProviderSchema>;
export type UpdateProviderInput = z.infer<typeof UpdateProviderSchema>;
