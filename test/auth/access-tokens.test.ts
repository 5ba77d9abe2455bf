import { env } from "cloudflare:test";
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ACCESS_TOKEN_TYP, keyId } from "@shared/lib/jwt";
import { toBase64Url } from "@shared/lib/crypto";
import { api, expectProblem, register, type Account } from "../support/http";

const SECRET = env.JWT_SECRET;
const OTHER_SECRET = "another-secret-0123456789abcdef0123456789abcdef";
const encoder = new TextEncoder();
const b64url = (value: unknown) => toBase64Url(encoder.encode(JSON.stringify(value)));

let account: Account;
let kid: string;

beforeAll(async () => {
  account = await register();
  kid = await keyId(SECRET);
});

interface Forge {
  header?: Record<string, unknown>;
  claims?: JWTPayload;
  secret?: string;
  expiresAt?: number | string;
  omit?: ("iss" | "aud" | "sub" | "exp" | "jti")[];
}

/** An HS256 access token exactly like the Worker's, except for what `forge` changes. */
async function forge({ header = {}, claims = {}, secret = SECRET, expiresAt = "15m", omit = [] }: Forge = {}) {
  const jwt = new SignJWT({ sid: "forged-family", role: "USER", ...claims })
    .setProtectedHeader({ alg: "HS256", typ: ACCESS_TOKEN_TYP, kid, ...header } as { alg: string })
    .setIssuedAt();
  if (!omit.includes("iss")) jwt.setIssuer(env.JWT_ISSUER);
  if (!omit.includes("aud")) jwt.setAudience(env.JWT_AUDIENCE);
  if (!omit.includes("sub")) jwt.setSubject(account.user.id);
  if (!omit.includes("jti")) jwt.setJti(crypto.randomUUID());
  if (!omit.includes("exp")) jwt.setExpirationTime(expiresAt);
  return jwt.sign(encoder.encode(secret));
}

const me = (token: string) => api("/api/users/me", { token });
const me401 = async (token: string) => expectProblem(await me(token), 401, "UNAUTHORIZED");

describe("access tokens", () => {
  it("the Worker's own token carries HS256, typ at+jwt, a kid, iss, aud, sub, sid, jti and a 15-minute exp", () => {
    const header = decodeProtectedHeader(account.accessToken);
    expect(header).toEqual({ alg: "HS256", typ: "at+jwt", kid });
    const claims = decodeJwt(account.accessToken);
    expect(claims).toMatchObject({ iss: "lightbox", aud: "lightbox-api", sub: account.user.id, role: "USER" });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims.sid).toEqual(expect.any(String));
  });

  it("control: a token forged with the real secret and every right claim is accepted", async () => {
    const res = await me(await forge());
    expect(res.status, res.text).toBe(200);
    expect(res.body.id).toBe(account.user.id);
  });

  it("alg none (unsigned) is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: "lightbox", aud: "lightbox-api", sub: account.user.id, sid: "x", jti: "y", role: "USER", iat: now, exp: now + 600 };
    await me401(`${b64url({ alg: "none", typ: ACCESS_TOKEN_TYP, kid })}.${b64url(payload)}.`);
    await me401(`${b64url({ alg: "none", typ: ACCESS_TOKEN_TYP, kid })}.${b64url(payload)}`);
  });

  it("a tampered payload (signature of the original) is refused", async () => {
    const other = await register();
    const [header, , signature] = account.accessToken.split(".");
    const claims = { ...decodeJwt(account.accessToken), sub: other.user.id, role: "ADMIN" };
    await me401(`${header}.${b64url(claims)}.${signature}`);
  });

  it("a tampered signature is refused", async () => {
    const [header, payload, signature] = account.accessToken.split(".") as [string, string, string];
    // The first character of the signature: all six of its bits are signature bits (the last character's two
    // low bits are padding that decoders ignore, so changing "A" to "B" there would not change the signature).
    const first = signature[0] === "A" ? "B" : "A";
    await me401(`${header}.${payload}.${first}${signature.slice(1)}`);
  });

  it("an expired token is refused", async () => {
    await me401(await forge({ expiresAt: Math.floor(Date.now() / 1000) - 5, claims: { iat: Math.floor(Date.now() / 1000) - 1000 } }));
  });

  it("a wrong audience, a wrong issuer or a wrong typ is refused", async () => {
    await me401(await forge({ claims: { aud: "another-api" }, omit: ["aud"] }));
    await me401(await forge({ claims: { iss: "someone-else" }, omit: ["iss"] }));
    await me401(await forge({ header: { typ: "JWT" } }));
    await me401(await forge({ header: { typ: "refresh+jwt" } }));
  });

  it("a missing, unknown or lying kid is refused", async () => {
    await me401(await forge({ header: { kid: undefined } }));
    await me401(await forge({ header: { kid: "0000000000000000" } }));
    // Signed with another secret but claiming the real key id.
    await me401(await forge({ secret: OTHER_SECRET }));
    // Signed with another secret under that secret's own key id.
    await me401(await forge({ secret: OTHER_SECRET, header: { kid: await keyId(OTHER_SECRET) } }));
  });

  it("another algorithm under the same secret (HS512) is refused", async () => {
    const token = await new SignJWT({ sid: "f", role: "USER" })
      .setProtectedHeader({ alg: "HS512", typ: ACCESS_TOKEN_TYP, kid })
      .setIssuer("lightbox")
      .setAudience("lightbox-api")
      .setSubject(account.user.id)
      .setJti("j")
      .setIssuedAt()
      .setExpirationTime("15m")
      .sign(encoder.encode(SECRET));
    await me401(token);
  });

  it("a verified token without sub, jti or exp is refused", async () => {
    await me401(await forge({ omit: ["sub"] }));
    await me401(await forge({ omit: ["jti"] }));
    await me401(await forge({ omit: ["exp"] }));
  });

  it("a valid token for an account that does not exist is refused", async () => {
    await me401(await forge({ claims: { sub: "no-such-user" }, omit: ["sub"] }));
  });
});

describe("the Authorization header", () => {
  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["Basic credentials", `Basic ${btoa("ada@studio.example:password")}`],
    ["Bearer without a token", "Bearer"],
    ["Bearer and a space", "Bearer "],
    ["two tokens", "Bearer a.b.c d.e.f"],
    ["garbage", "Bearer not-a-jwt"],
    ["three garbage segments", "Bearer a.b.c"],
    ["a refresh token", "refresh"],
  ])("%s: 401 UNAUTHORIZED problem", async (_name, value) => {
    const headers: Record<string, string> = {};
    if (value === "refresh") headers.authorization = `Bearer ${account.refreshToken}`;
    else if (value !== undefined) headers.authorization = value;
    for (const [method, init] of [
      ["GET", {}],
      ["PATCH", { json: { firstName: "Mallory" } }],
      ["POST", { json: { currentPassword: "x", newPassword: "0123456789ab" } }],
    ] as const) {
      const path = method === "POST" ? "/api/users/me/password" : "/api/users/me";
      const res = await api(path, { method, headers, ...init });
      expectProblem(res, 401, "UNAUTHORIZED");
    }
  });

  it("the scheme is case-insensitive", async () => {
    const res = await api("/api/users/me", { headers: { authorization: `bearer ${account.accessToken}` } });
    expect(res.status).toBe(200);
  });
});
