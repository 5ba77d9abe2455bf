import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX_LENGTH } from "@shared/lib/password";
import { nameField, passwordField, UserSchema } from "../users/schemas";

/** Emails are compared case-insensitively: trimmed and lower-cased before anything else sees them. */
export const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("must be a valid email address").max(254))
  .openapi({ type: "string", format: "email", example: "ada@studio.example" });

export const RegisterSchema = z
  .strictObject({
    email: emailField,
    password: passwordField,
    firstName: nameField,
    lastName: nameField,
    invitationCode: z.string().trim().min(1).max(64).optional(),
  })
  .openapi("Register");

export const LoginSchema = z
  .strictObject({
    email: emailField,
    // Length rules apply when a password is set, not when one is tried: any non-empty string is a wrong one.
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  })
  .openapi("Login");

export const RefreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(512) }).openapi("RefreshRequest");

export const ForgotSchema = z.strictObject({ email: emailField }).openapi("ForgotPassword");

export const ResetSchema = z
  .strictObject({ token: z.string().min(1).max(512), password: passwordField })
  .openapi("ResetPassword");

export const VerifyEmailSchema = z.strictObject({ token: z.string().min(1).max(512) }).openapi("VerifyEmail");

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: "Access token lifetime in seconds" }),
  })
  .openapi("TokenPair");

export const AuthResultSchema = TokenPairSchema.extend({ user: UserSchema }).openapi("AuthResult");

export const GoogleCallbackQuery = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

export const GoogleExchangeSchema = z.strictObject({ code: z.string().min(1).max(512) }).openapi("GoogleExchange");
