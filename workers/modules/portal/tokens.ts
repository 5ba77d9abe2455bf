// Client access tokens: the secret in a portal link. The token itself is never stored: its SHA-256 finds the
// row, and a sealed copy (AES-GCM under TOKEN_SEALING_KEY) lets the owner hand out the same live link again
// instead of minting one per click. Without a sealing key nothing can be read back, so every request for a
// link mints a new token and `token_sealed` stays "" (older links keep working until they expire).
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { auditedBatch, systemActor, type Actor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { clientAccessTokens, contacts, invoices, quotes } from "@shared/db/schema";
import { randomToken, sealSecret, sha256Hex, unsealSecret } from "@shared/lib/crypto";
import { ApiError, notFound, unauthorized } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import { z } from "zod";
import type { NotificationDeps } from "../notifications/service";

export interface ClientLinkScope {
  contactId: string;
  quoteId?: string;
  invoiceId?: string;
}
export interface ClientLink {
  /** The client_access_tokens row: what GET /api/contacts/:id/client-links lists and DELETE revokes. */
  id: string;
  url: string;
  token: string;
  expiresAt: Date;
}

/** A live link is handed out again only while the client still has at least this long to use it. */
const REUSE_MIN_LEFT_MS = 24 * 60 * 60 * 1000;
/** last_used_at is a hint for the owner, not an access log: written at most this often per token. */
const LAST_USED_GRANULARITY_MS = 5 * 60 * 1000;
/** randomToken() makes 43 base64url characters; anything far from that shape is not worth a lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

type Deps = NotificationDeps & { actor?: Actor };

export function clientLinkUrl(portalUrl: string, token: string): string {
  const url = new URL(portalUrl);
  url.searchParams.set("token", token);
  return url.toString();
}

/** 404 unless the contact, and the quote or invoice when named, are the owner's and belong together. */
async function checkScope(db: Db, ownerId: string, scope: ClientLinkScope): Promise<void> {
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.id, scope.contactId), eq(contacts.ownerId, ownerId)));
  if (!contact) throw notFound("Contact");
  const table = scope.quoteId ? quotes : scope.invoiceId ? invoices : null;
  if (!table) return;
  const [doc] = await db
    .select({ contactId: table.contactId })
    .from(table)
    .where(and(eq(table.id, (scope.quoteId ?? scope.invoiceId)!), eq(table.ownerId, ownerId)));
  if (!doc || doc.contactId !== scope.contactId) throw notFound(scope.quoteId ? "Quote" : "Invoice");
}

const scopeWhere = (scope: ClientLinkScope) =>
  and(
    scope.quoteId ? eq(clientAccessTokens.quoteId, scope.quoteId) : isNull(clientAccessTokens.quoteId),
    scope.invoiceId ? eq(clientAccessTokens.invoiceId, scope.invoiceId) : isNull(clientAccessTokens.invoiceId),
  );

/**
 * The live portal link for this contact and document (not revoked, at least a day left), else a new one valid
 * for CLIENT_ACCESS_TOKEN_TTL_HOURS. Two calls at the same instant may both mint: both links work.
 */
export async function getOrCreateClientLink(deps: Deps, ownerId: string, scope: ClientLinkScope): Promise<ClientLink> {
  const { db, config } = deps;
  if (scope.quoteId && scope.invoiceId) throw new Error("a client link names a quote or an invoice, not both");
  await checkScope(db, ownerId, scope);
  const key = config.tokenSealingKey;
  const now = Date.now();
  if (key) {
    const live = await db
      .select({ id: clientAccessTokens.id, sealed: clientAccessTokens.tokenSealed, expiresAt: clientAccessTokens.expiresAt })
      .from(clientAccessTokens)
      .where(
        and(
          eq(clientAccessTokens.contactId, scope.contactId),
          scopeWhere(scope),
          eq(clientAccessTokens.ownerId, ownerId),
          isNull(clientAccessTokens.revokedAt),
          gt(clientAccessTokens.expiresAt, new Date(now + REUSE_MIN_LEFT_MS)),
          sql`${clientAccessTokens.tokenSealed} <> ''`,
        ),
      )
      .orderBy(desc(clientAccessTokens.expiresAt))
      .limit(1);
    const row = live[0];
    if (row) {
      // A row sealed under a key since rotated cannot be opened: a new link replaces it.
      const token = await unsealSecret(key, row.sealed).catch(() => null);
      if (token) return { id: row.id, url: clientLinkUrl(config.portal.url, token), token, expiresAt: row.expiresAt };
    }
  }
  const token = randomToken();
  const id = newId();
  const expiresAt = new Date(now + config.portal.tokenTtlHours * 60 * 60 * 1000);
  await auditedBatch(db, deps.actor ?? systemActor(), [
    db.insert(clientAccessTokens).values({
      id,
      ownerId,
      contactId: scope.contactId,
      quoteId: scope.quoteId ?? null,
      invoiceId: scope.invoiceId ?? null,
      tokenHash: await sha256Hex(token),
      tokenSealed: key ? await sealSecret(key, token) : "",
      expiresAt,
      updatedAt: new Date(now),
    }),
  ]);
  return { id, url: clientLinkUrl(config.portal.url, token), token, expiresAt };
}

/** Who a portal request speaks for: one contact of one owner, through one link. */
export interface ClientAccess {
  id: string;
  ownerId: string;
  contactId: string;
  quoteId: string | null;
  invoiceId: string | null;
  expiresAt: Date;
}

/** The audit actor of a client's writes: the link they came through. */
export const clientActor = (access: ClientAccess, requestId: string | null): Actor => ({ type: "CLIENT", id: access.id, requestId });

/** The hash a token is found by (also the rate limiter's key, so the limiter never sees the token). */
export const tokenHashOf = (token: string | undefined): Promise<string> => sha256Hex(token ?? "");

/**
 * The access a token grants. Missing, malformed or unknown: 401. Revoked or expired: 410 GONE, so the
 * portal can tell the client to ask the studio for a new link rather than that the link is wrong.
 */
export async function resolveClientToken(deps: Deps, token: string | undefined, requestId: string | null): Promise<ClientAccess> {
  if (!token) throw unauthorized("This link has no access token");
  if (!TOKEN_SHAPE.test(token)) throw unauthorized("This link is not valid");
  const { db } = deps;
  const [row] = await db
    .select()
    .from(clientAccessTokens)
    .where(eq(clientAccessTokens.tokenHash, await tokenHashOf(token)))
    .limit(1);
  if (!row) throw unauthorized("This link is not valid");
  const now = Date.now();
  if (row.revokedAt) throw new ApiError("GONE", "This link was withdrawn: ask the studio for a new one");
  if (row.expiresAt.getTime() <= now) throw new ApiError("GONE", "This link has expired: ask the studio for a new one");
  const access: ClientAccess = { id: row.id, ownerId: row.ownerId, contactId: row.contactId, quoteId: row.quoteId, invoiceId: row.invoiceId, expiresAt: row.expiresAt };
  if (!row.lastUsedAt || row.lastUsedAt.getTime() < now - LAST_USED_GRANULARITY_MS) {
    // Conditional, so parallel requests of one page load write it once; the audit trigger records no change for it.
    await auditedBatch(db, clientActor(access, requestId), [
      db
        .update(clientAccessTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(
          and(
            eq(clientAccessTokens.id, row.id),
            or(isNull(clientAccessTokens.lastUsedAt), lt(clientAccessTokens.lastUsedAt, new Date(now - LAST_USED_GRANULARITY_MS))),
          ),
        ),
    ]);
  }
  return access;
}

export interface ClientLinkView {
  id: string;
  quoteId: string | null;
  invoiceId: string | null;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

const linkCursor = z.tuple([z.number().int(), z.string()]);

/** The contact's links, latest expiry first; never the token. */
export async function listClientLinks(deps: Deps, ownerId: string, contactId: string, query: { limit: number; cursor?: string }): Promise<Page<ClientLinkView>> {
  const { db } = deps;
  await checkScope(db, ownerId, { contactId });
  const after = query.cursor ? decodeCursor(query.cursor, linkCursor) : undefined;
  const rows = await db
    .select()
    .from(clientAccessTokens)
    .where(
      and(
        eq(clientAccessTokens.contactId, contactId),
        eq(clientAccessTokens.ownerId, ownerId),
        after
          ? or(lt(clientAccessTokens.expiresAt, new Date(after[0])), and(eq(clientAccessTokens.expiresAt, new Date(after[0])), lt(clientAccessTokens.id, after[1])))
          : undefined,
      ),
    )
    .orderBy(desc(clientAccessTokens.expiresAt), desc(clientAccessTokens.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => [row.expiresAt.getTime(), row.id], (row) => ({
    id: row.id,
    quoteId: row.quoteId,
    invoiceId: row.invoiceId,
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }));
}

/** Withdraws a link at once; revoking twice keeps the first time. */
export async function revokeClientLink(deps: Deps, ownerId: string, linkId: string): Promise<void> {
  const { db } = deps;
  const [row] = await db
    .select({ revokedAt: clientAccessTokens.revokedAt })
    .from(clientAccessTokens)
    .where(and(eq(clientAccessTokens.id, linkId), eq(clientAccessTokens.ownerId, ownerId)));
  if (!row) throw notFound("Client link");
  if (row.revokedAt) return;
  const now = new Date();
  await auditedBatch(db, deps.actor ?? systemActor(), [
    db
      .update(clientAccessTokens)
      .set({ revokedAt: now, updatedAt: now })
      .where(and(eq(clientAccessTokens.id, linkId), eq(clientAccessTokens.ownerId, ownerId), isNull(clientAccessTokens.revokedAt))),
  ]);
}
