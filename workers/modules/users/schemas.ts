import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@shared/lib/password";

export const AddressSchema = z
  .object({
    line1: z.string().max(200).nullable(),
    line2: z.string().max(200).nullable(),
    postalCode: z.string().max(20).nullable(),
    city: z.string().max(100).nullable(),
    region: z.string().max(100).nullable(),
    country: z.string().max(2).nullable().openapi({ description: "ISO 3166-1 alpha-2 code" }),
  })
  .openapi("Address");

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.email(),
    firstName: z.string(),
    lastName: z.string(),
    emailVerified: z.boolean(),
    plan: z.string(),
    role: z.enum(["USER", "ADMIN"]),
    phone: z.string().nullable(),
    companyName: z.string().nullable(),
    companyAddress: AddressSchema,
    vatNumber: z.string().nullable(),
    paymentDetails: z.string().nullable().openapi({ description: "Printed at the foot of invoices: bank account, payment terms" }),
    hasLogo: z.boolean().openapi({ description: "Whether a studio logo is set (GET /api/users/me/logo); it is printed on quotes and invoices" }),
    timezone: z.string(),
    locale: z.string(),
    hasPassword: z.boolean(),
    googleLinked: z.boolean(),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("User");

const isTimeZone = (value: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

const isLocale = (value: string) => {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
};

export const nameField = z.string().trim().min(1).max(100);

/** The rule for a password being set (register, reset, change): 10 to 256 characters. */
export const passwordField = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .openapi({ example: "correct horse battery staple" });

export const UpdateMeSchema = z
  .strictObject({
    firstName: nameField,
    lastName: nameField,
    phone: z.string().trim().max(40).nullable(),
    companyName: z.string().trim().max(200).nullable(),
    companyAddress: z
      .strictObject({
        line1: z.string().trim().max(200).nullable(),
        line2: z.string().trim().max(200).nullable(),
        postalCode: z.string().trim().max(20).nullable(),
        city: z.string().trim().max(100).nullable(),
        region: z.string().trim().max(100).nullable(),
        country: z
          .string()
          .trim()
          .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
          .transform((value) => value.toUpperCase())
          .nullable(),
      })
      .partial(),
    vatNumber: z.string().trim().max(40).nullable(),
    paymentDetails: z.string().trim().max(2000).nullable(),
    timezone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Paris"),
    locale: z.string().refine(isLocale, "must be a BCP 47 locale such as fr-FR"),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateMe");

export type UpdateMeInput = z.infer<typeof UpdateMeSchema>;

export const ChangePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    newPassword: passwordField,
  })
  .openapi("ChangePassword");
