// The Google accounts the fake signs people in as: the identity type, the default account, the parser for
// identities sent to the control endpoint, and a factory for a fresh account per test.
import { randomBytes, randomUUID } from "node:crypto";

export interface GoogleIdentity {
  sub: string;
  email: string;
  email_verified: boolean;
  given_name?: string;
  family_name?: string;
  name?: string;
  picture?: string;
  locale?: string;
}

/** What the person does on Google's consent screen. */
export type Consent = "allow" | "deny";

export const defaultIdentity: GoogleIdentity = {
  sub: "109876543210987654321",
  email: "ada.lovelace@gmail.example",
  email_verified: true,
  given_name: "Ada",
  family_name: "Lovelace",
  name: "Ada Lovelace",
  picture: "https://lh3.googleusercontent.example/a/default",
};

/** An identity sent to the control endpoint, or null when sub, email or email_verified is missing. */
export function parseIdentity(value: unknown): GoogleIdentity | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  if (typeof v.sub !== "string" || !v.sub || typeof v.email !== "string" || typeof v.email_verified !== "boolean") return null;
  const identity: GoogleIdentity = { sub: v.sub, email: v.email, email_verified: v.email_verified };
  for (const key of ["given_name", "family_name", "name", "picture", "locale"] as const) {
    if (typeof v[key] === "string") identity[key] = v[key] as string;
  }
  return identity;
}

/** A fresh Google account for one test: unique sub and address. */
export function googleIdentity(overrides: Partial<GoogleIdentity> = {}): GoogleIdentity {
  const n = randomUUID().slice(0, 8);
  return {
    sub: `1${BigInt(`0x${randomBytes(8).toString("hex")}`).toString().padStart(20, "0")}`,
    email: `grace.${n}@gmail.example`,
    email_verified: true,
    given_name: "Grace",
    family_name: "Hopper",
    name: "Grace Hopper",
    picture: `https://lh3.googleusercontent.example/a/${n}`,
    ...overrides,
  };
}
