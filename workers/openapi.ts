import { z } from "@hono/zod-openapi";

/** The problem+json body every error answers with (RFC 9457). */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().openapi({ example: "VALIDATION_FAILED" }),
    requestId: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Standard error responses, spread into a route's `responses`. */
export const problems = {
  400: problem("The request is not valid (VALIDATION_FAILED, with `errors`)"),
  401: problem("Missing, invalid or expired credentials (UNAUTHORIZED)"),
  403: problem("Not allowed for this account (FORBIDDEN)"),
  404: problem("Not found, or not yours (NOT_FOUND)"),
  409: problem("Conflicts with existing data (CONFLICT)"),
  413: problem("The body is too large (PAYLOAD_TOO_LARGE)"),
  415: problem("The body is not JSON (UNSUPPORTED_MEDIA_TYPE)"),
  429: problem("Rate limited (RATE_LIMITED), see the Retry-After header"),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const bearerAuth = [{ bearerAuth: [] }];

/** An optional text field: trimmed, at most `max` characters; null or an empty string clears it (stored as null). */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((value) => value || null);
