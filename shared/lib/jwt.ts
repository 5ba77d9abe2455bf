import { SignJWT, errors as joseErrors, jwtVerify, decodeProtectedHeader } from "jose";
import { sha256Hex } from "./crypto";
import { newId } from "./ids";

/** RFC 9068 access-token type: a refresh token or an ID token from elsewhere cannot pass for one. */
export const ACCESS_TOKEN_TYP = "at+jwt";

export interface AccessTokenClaims {
  sub: string;
  jti: string;
  /** The login (refresh family) this token was issued under. */
  sid: string;
  role: "USER" | "ADMIN";
  iat: number;
  exp: number;
}

export interface JwtSettings {
  issuer: string;
  audience: string;
  secret: string;
  previousSecret?: string;
  accessTtlSeconds: number;
}

const encoder = new TextEncoder();
const kidCache = new Map<string, Promise<string>>();

/** The key id is derived from the secret itself, so rotating JWT_SECRET changes it without another setting. */
export function keyId(secret: string): Promise<string> {
  let kid = kidCache.get(secret);
  if (!kid) {
    kid = sha256Hex(`lightbox-jwt-kid:${secret}`).then((hex) => hex.slice(0, 16));
    kidCache.set(secret, kid);
  }
  return kid;
}

export async function signAccessToken(
  settings: JwtSettings,
  claims: { sub: string; sid: string; role: "USER" | "ADMIN" },
): Promise<{ token: string; expiresIn: number }> {
  const token = await new SignJWT({ sid: claims.sid, role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: ACCESS_TOKEN_TYP, kid: await keyId(settings.secret) })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.sub)
    .setJti(newId())
    .setIssuedAt()
    .setExpirationTime(`${settings.accessTtlSeconds}s`)
    .sign(encoder.encode(settings.secret));
  return { token, expiresIn: settings.accessTtlSeconds };
}

export type TokenFailure = "invalid" | "payload";

export class AccessTokenError extends Error {
  constructor(
    readonly reason: TokenFailure,
    message: string,
  ) {
    super(message);
  }
}

async function secretFor(settings: JwtSettings, kid: string | undefined): Promise<string | null> {
  if (!kid) return null;
  if (kid === (await keyId(settings.secret))) return settings.secret;
  if (settings.previousSecret && kid === (await keyId(settings.previousSecret))) return settings.previousSecret;
  return null;
}

/**
 * Verifies an access token with the algorithm pinned to HS256 and iss, aud, typ, sub, jti, exp required.
 * `reason: "invalid"` means the token failed verification (malformed, unknown key, bad signature, expired,
 * wrong audience...); `reason: "payload"` means it verified but lacks a claim Lightbox needs.
 */
export async function verifyAccessToken(settings: JwtSettings, token: string): Promise<AccessTokenClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new AccessTokenError("invalid", "malformed token");
  }
  const secret = await secretFor(settings, kid);
  if (!secret) throw new AccessTokenError("invalid", "unknown signing key");
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      issuer: settings.issuer,
      audience: settings.audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ["exp", "iat"],
    });
    const { sub, jti, sid, role, iat, exp } = payload;
    if (typeof sub !== "string" || !sub || typeof jti !== "string" || typeof sid !== "string") {
      throw new AccessTokenError("payload", "token is missing required claims");
    }
    return { sub, jti, sid, role: role === "ADMIN" ? "ADMIN" : "USER", iat: iat!, exp: exp! };
  } catch (error) {
    if (error instanceof AccessTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new AccessTokenError("invalid", "token expired");
    if (error instanceof joseErrors.JOSEError) throw new AccessTokenError("invalid", error.code);
    throw new AccessTokenError("invalid", "malformed token");
  }
}
