import { eq } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Config } from "@shared/config";
import type { Db } from "@shared/db/client";
import { users, type User } from "@shared/db/schema";
import { ApiError, unauthorized } from "@shared/lib/errors";
import { hashPassword, verifyPassword } from "@shared/lib/password";
import { revokeAllFamilies } from "../auth/tokens";
import type { UpdateMeInput, UserSchema } from "./schemas";

export type UserDto = z.infer<typeof UserSchema>;

/** The user as clients see it: never a hash, never the Google subject. */
export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    emailVerified: user.emailVerifiedAt !== null,
    plan: user.plan,
    role: user.role,
    phone: user.phone,
    companyName: user.companyName,
    companyAddress: {
      line1: user.addressLine1,
      line2: user.addressLine2,
      postalCode: user.postalCode,
      city: user.city,
      region: user.region,
      country: user.country,
    },
    vatNumber: user.vatNumber,
    paymentDetails: user.paymentDetails,
    hasLogo: user.logoKey !== null,
    timezone: user.timezone,
    locale: user.locale,
    hasPassword: user.passwordHash !== null,
    googleLinked: user.googleSub !== null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export async function findUserById(db: Db, userId: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user;
}

/** The authenticated user; a token for an account that no longer exists is treated as invalid. */
export async function getMe(db: Db, userId: string): Promise<User> {
  const user = await findUserById(db, userId);
  if (!user) throw unauthorized("The account of this token no longer exists");
  return user;
}

export async function updateMe(db: Db, userId: string, input: UpdateMeInput): Promise<User> {
  const { companyAddress, ...fields } = input;
  const [user] = await db
    .update(users)
    .set({
      ...fields,
      ...(companyAddress
        ? {
            addressLine1: companyAddress.line1,
            addressLine2: companyAddress.line2,
            postalCode: companyAddress.postalCode,
            city: companyAddress.city,
            region: companyAddress.region,
            country: companyAddress.country,
          }
        : {}),
      updatedAt: new Date(),
    })
    .where(eq(users.id, userId))
    .returning();
  if (!user) throw unauthorized("The account of this token no longer exists");
  return user;
}

/** Changing the password ends every login of the account, this one included. */
export async function changePassword(
  db: Db,
  config: Config,
  userId: string,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const user = await getMe(db, userId);
  if (!user.passwordHash) {
    throw new ApiError("VALIDATION_FAILED", "This account has no password yet (it signs in with Google): set one with a password reset", {
      errors: [{ path: "body.currentPassword", message: "there is no current password: use POST /api/auth/password/forgot" }],
    });
  }
  if (!(await verifyPassword(currentPassword, user.passwordHash, config.passwordPepper))) {
    throw new ApiError("VALIDATION_FAILED", "The current password is not correct", {
      errors: [{ path: "body.currentPassword", message: "is not correct" }],
    });
  }
  const passwordHash = await hashPassword(newPassword, config.passwordPepper);
  await db.batch([
    db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId)),
    revokeAllFamilies(db, userId, "PASSWORD_CHANGED"),
  ]);
}
