// The tokens the fake Google has issued: access tokens (an hour, like Google's), and for offline access a
// refresh token standing for the grant. Revoking the grant (POST /revoke, or the control endpoint as if the
// person removed the app at myaccount.google.com) kills its refresh token and every access token issued for it.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { oauthError, readBody, sendJson } from "./fake-google-http";
import type { GoogleIdentity } from "./fake-google-identity";

export const ACCESS_TOKEN_TTL_S = 3599;

export interface Grant {
  clientId: string;
  identity: GoogleIdentity;
  scopes: string[];
  refreshToken: string;
  revoked: boolean;
}

export interface IssuedToken {
  identity: GoogleIdentity;
  scopes: string[];
  expiresAt: number;
  /** The offline grant it was issued under, if any: revoking that kills the token. */
  grant?: Grant;
}

const b64url = (buf: Buffer) => buf.toString("base64url");

export function createGrants() {
  const accessTokens = new Map<string, IssuedToken>();
  const refreshTokens = new Map<string, Grant>();

  function issueAccessToken(identity: GoogleIdentity, scopes: string[], grant?: Grant): string {
    const token = `ya29.${b64url(randomBytes(48))}`;
    accessTokens.set(token, { identity, scopes, expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000, ...(grant ? { grant } : {}) });
    return token;
  }

  function issueGrant(clientId: string, identity: GoogleIdentity, scopes: string[]): Grant {
    // Google's refresh tokens look like "1//0g...".
    const grant: Grant = { clientId, identity, scopes, refreshToken: `1//0g${b64url(randomBytes(40))}`, revoked: false };
    refreshTokens.set(grant.refreshToken, grant);
    return grant;
  }

  /** The live token behind a Bearer value: unknown, expired and revoked ones answer undefined. */
  function accessTokenInfo(token: string | undefined): IssuedToken | undefined {
    const issued = token ? accessTokens.get(token) : undefined;
    if (!issued || issued.expiresAt < Date.now() || issued.grant?.revoked) return undefined;
    return issued;
  }

  /** The refresh_token grant (RFC 6749 §6): a new access token, the refresh token unchanged (Google does not rotate). */
  function refresh(clientId: string, refreshToken: string | undefined): { error: string; description: string } | { accessToken: string; scopes: string[] } {
    if (!refreshToken) return { error: "invalid_request", description: "Missing required parameter: refresh_token" };
    const grant = refreshTokens.get(refreshToken);
    if (!grant || grant.revoked) return { error: "invalid_grant", description: "Token has been expired or revoked." };
    if (grant.clientId !== clientId) return { error: "unauthorized_client", description: "Unauthorized" };
    return { accessToken: issueAccessToken(grant.identity, grant.scopes, grant), scopes: grant.scopes };
  }

  /** Whoever a token was issued to, valid or not (to attribute a refused call). */
  const holderOf = (token: string | undefined) => (token ? accessTokens.get(token)?.identity : undefined);

  function revokeAccessToken(token: string) {
    accessTokens.delete(token);
  }

  /** POST /revoke (form or query `token`): an access token or a refresh token; either ends the whole grant. */
  async function revokeEndpoint(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const token = new URLSearchParams(await readBody(req)).get("token") ?? query.get("token");
    const byRefresh = token ? refreshTokens.get(token) : undefined;
    const byAccess = token ? accessTokens.get(token) : undefined;
    const grant = byRefresh ?? byAccess?.grant;
    if ((!byRefresh && !byAccess) || grant?.revoked || (byAccess && byAccess.expiresAt < Date.now())) {
      return oauthError(res, 400, "invalid_token", "Token expired or revoked");
    }
    if (grant) grant.revoked = true;
    if (token) accessTokens.delete(token);
    return sendJson(res, 200, {});
  }

  /** Control: every grant of this Google account is revoked, as if its owner removed the app's access. */
  function revokeGrantsOf(email: string): number {
    let count = 0;
    for (const grant of refreshTokens.values()) {
      if (grant.identity.email === email && !grant.revoked) {
        grant.revoked = true;
        count++;
      }
    }
    return count;
  }

  /** Control: access tokens (of this account, or all) expire now; refresh tokens stay good. */
  function expireAccessTokens(email?: string): number {
    let count = 0;
    for (const issued of accessTokens.values()) {
      if ((email === undefined || issued.identity.email === email) && issued.expiresAt >= Date.now()) {
        issued.expiresAt = Date.now() - 1;
        count++;
      }
    }
    return count;
  }

  return { issueAccessToken, issueGrant, accessTokenInfo, holderOf, refresh, revokeAccessToken, revokeEndpoint, revokeGrantsOf, expireAccessTokens };
}

export type Grants = ReturnType<typeof createGrants>;
