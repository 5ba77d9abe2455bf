import { z } from "@hono/zod-openapi";
import { emailTemplateKinds } from "@shared/db/schema";

export const TemplateVariableSchema = z
  .object({ name: z.string().openapi({ example: "client.firstName" }), description: z.string() })
  .openapi("EmailTemplateVariable");

export const EmailTemplateSchema = z
  .object({
    kind: z.enum(emailTemplateKinds),
    subject: z.string().openapi({ example: "Quote {{quote.number}} from {{studio.name}}" }),
    body: z.string(),
    /** True while the studio has not written its own. */
    isDefault: z.boolean(),
    variables: z.array(TemplateVariableSchema),
    updatedAt: z.iso.datetime().nullable(),
  })
  .openapi("EmailTemplate");

export const EmailTemplateListSchema = z.object({ items: z.array(EmailTemplateSchema) }).openapi("EmailTemplateList");

export const templateSubject = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((value) => !/[\r\n]/.test(value), "must be one line");
export const templateBody = z.string().trim().min(1).max(20_000);

export const SaveEmailTemplateSchema = z.strictObject({ subject: templateSubject, body: templateBody }).openapi("SaveEmailTemplate");
export type SaveEmailTemplateInput = z.infer<typeof SaveEmailTemplateSchema>;

/** A draft to preview instead of the saved template; either part may be left out. */
export const PreviewEmailTemplateSchema = z.strictObject({ subject: templateSubject.optional(), body: templateBody.optional() }).openapi("PreviewEmailTemplate");
export type PreviewEmailTemplateInput = z.infer<typeof PreviewEmailTemplateSchema>;

export const RenderedEmailSchema = z.object({ subject: z.string(), text: z.string(), html: z.string() }).openapi("RenderedEmail");

/** Any string: an unknown kind is a 404 like a missing resource, not a 400. */
export const TemplateKindParams = z.object({ kind: z.string().max(64).openapi({ example: "QUOTE_SENT", description: emailTemplateKinds.join(", ") }) });
