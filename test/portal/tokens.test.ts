import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clientAccessTokens } from "@shared/db/schema";
import { sha256Hex } from "@shared/lib/crypto";
import { getOrCreateClientLink } from "../../workers/modules/portal/tokens";
import { api, expectProblem } from "../support/http";
import { config, DAY, db, insertInvoice, insertQuote, linkRow, newContact, newStudio, portal, quoteLink, quoteScenario, setLinkExpiry } from "./helpers";

const deps = { env, db, config };

describe("client links", () => {
  it("hands out the same live link on every call, stores only its hash and a sealed copy, and honours the TTL", async () => {
    const { studio, quote, link } = await quoteScenario();
    const again = await quoteLink(studio, quote.id);
    expect(again).toEqual(link);
    expect(link.url).toBe(`${config.portal.url}?token=${link.token}`);
    const ttl = Date.parse(link.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(config.portal.tokenTtlHours * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(config.portal.tokenTtlHours * 3_600_000);

    const row = await linkRow(link.id);
    expect(row.tokenHash).toBe(await sha256Hex(link.token));
    expect(row.tokenSealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(link.token);
  });

  it("mints a new link once the live one has a day or less left, or was revoked", async () => {
    const { studio, quote, link } = await quoteScenario();
    await setLinkExpiry(link.id, new Date(Date.now() + DAY - 60_000));
    const second = await quoteLink(studio, quote.id);
    expect(second.token).not.toBe(link.token);
    // The old one still opens the portal until it expires.
    const old = await portal("", link.token);
    expect(old.status, old.text).toBe(200);

    expect((await api(`/api/client-links/${second.id}`, { method: "DELETE", token: studio.token })).status).toBe(204);
    const third = await quoteLink(studio, quote.id);
    expect(new Set([link.token, second.token, third.token]).size).toBe(3);
  });

  it("without a sealing key, every call mints a new token and nothing sealed is stored", async () => {
    const studio = await newStudio();
    const contact = await newContact(studio);
    const unsealed = { ...deps, config: { ...config, tokenSealingKey: undefined } };
    const first = await getOrCreateClientLink(unsealed, studio.id, { contactId: contact.id });
    const second = await getOrCreateClientLink(unsealed, studio.id, { contactId: contact.id });
    expect(second.token).not.toBe(first.token);
    expect((await linkRow(first.id)).tokenSealed).toBe("");
    // A sealed-less row is never offered for reuse, even once a key is configured.
    const sealed = await getOrCreateClientLink(deps, studio.id, { contactId: contact.id });
    expect([first.token, second.token]).not.toContain(sealed.token);
    expect((await getOrCreateClientLink(deps, studio.id, { contactId: contact.id })).token).toBe(sealed.token);
  });

  it("keeps scopes apart: a contact-only link, a quote link and an invoice link are three links", async () => {
    const studio = await newStudio();
    const contact = await newContact(studio);
    const quote = await insertQuote(studio.id, contact.id);
    const invoice = await insertInvoice(studio.id, contact.id);
    const links = await Promise.all([
      getOrCreateClientLink(deps, studio.id, { contactId: contact.id }),
      getOrCreateClientLink(deps, studio.id, { contactId: contact.id, quoteId: quote.id }),
      getOrCreateClientLink(deps, studio.id, { contactId: contact.id, invoiceId: invoice.id }),
    ]);
    expect(new Set(links.map((l) => l.token)).size).toBe(3);
    const res = await api(`/api/invoices/${invoice.id}/client-link`, { method: "POST", token: studio.token });
    expect(res.status, res.text).toBe(201);
    expect(res.body.token).toBe(links[2]!.token);
    // A quote of another contact cannot be linked to this one.
    const other = await newContact(studio);
    await expect(getOrCreateClientLink(deps, studio.id, { contactId: other.id, quoteId: quote.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists a contact's links without their tokens, newest expiry first", async () => {
    const { studio, contact, quote, link } = await quoteScenario();
    const general = await getOrCreateClientLink(deps, studio.id, { contactId: contact.id });
    await setLinkExpiry(general.id, new Date(Date.now() + 10 * DAY));
    await portal("", link.token);
    const res = await api(`/api/contacts/${contact.id}/client-links`, { token: studio.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((item: { id: string }) => item.id)).toEqual([general.id, link.id]);
    expect(res.body.items[1]).toEqual({
      id: link.id,
      quoteId: quote.id,
      invoiceId: null,
      expiresAt: link.expiresAt,
      revokedAt: null,
      lastUsedAt: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(res.text).not.toContain(link.token);
    expect(res.text).not.toContain(general.token);
    const paged = await api(`/api/contacts/${contact.id}/client-links?limit=1`, { token: studio.token });
    const next = await api(`/api/contacts/${contact.id}/client-links?limit=1&cursor=${paged.body.nextCursor}`, { token: studio.token });
    expect([...paged.body.items, ...next.body.items].map((i: { id: string }) => i.id)).toEqual([general.id, link.id]);
    expect(next.body.nextCursor).toBeNull();
  });
});

describe("token resolution", () => {
  it("answers 401 for a missing, malformed or unknown token", async () => {
    expectProblem(await api("/api/client-access"), 401, "UNAUTHORIZED");
    expectProblem(await portal("", "short"), 401, "UNAUTHORIZED");
    expectProblem(await portal("", "A".repeat(43)), 401, "UNAUTHORIZED");
  });

  it("answers 410 for an expired or revoked token, on every portal route", async () => {
    const { studio, quote, link } = await quoteScenario();
    await setLinkExpiry(link.id, new Date(Date.now() - 1000));
    for (const path of ["", `/quotes/${quote.id}`, `/quotes/${quote.id}/pdf`, "/messages"]) expectProblem(await portal(path, link.token), 410, "GONE");
    expectProblem(await portal(`/quotes/${quote.id}/accept`, link.token, { method: "POST" }), 410, "GONE");

    const fresh = await quoteLink(studio, quote.id);
    expect((await portal("", fresh.token)).status).toBe(200);
    expect((await api(`/api/client-links/${fresh.id}`, { method: "DELETE", token: studio.token })).status).toBe(204);
    // Revoking twice is fine and keeps the first time.
    const revokedAt = (await linkRow(fresh.id)).revokedAt;
    expect((await api(`/api/client-links/${fresh.id}`, { method: "DELETE", token: studio.token })).status).toBe(204);
    expect((await linkRow(fresh.id)).revokedAt).toEqual(revokedAt);
    const gone = expectProblem(await portal("", fresh.token), 410, "GONE");
    expect(gone.detail).toMatch(/withdrawn/);
    expectProblem(await portal(`/messages`, fresh.token, { json: { body: "hello?" } }), 410, "GONE");
  });

  it("binds a token to its quote: another quote of the same client, or an invoice, is 404", async () => {
    const { studio, contact, quote, link } = await quoteScenario();
    const sibling = await insertQuote(studio.id, contact.id);
    const invoice = await insertInvoice(studio.id, contact.id);
    expect((await portal(`/quotes/${quote.id}`, link.token)).status).toBe(200);
    for (const path of [`/quotes/${sibling.id}`, `/quotes/${sibling.id}/pdf`, `/invoices/${invoice.id}`, `/invoices/${invoice.id}/pdf`]) {
      expectProblem(await portal(path, link.token), 404, "NOT_FOUND");
    }
    expectProblem(await portal(`/quotes/${sibling.id}/accept`, link.token, { method: "POST" }), 404, "NOT_FOUND");
    expect((await db.select().from(clientAccessTokens).where(eq(clientAccessTokens.id, link.id)))[0]!.lastUsedAt).not.toBeNull();
  });

  it("records when a link was last used", async () => {
    const { link } = await quoteScenario();
    expect((await linkRow(link.id)).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await portal("", link.token)).status).toBe(200);
    expect((await linkRow(link.id)).lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 5);
  });
});
