// Sent documents keep printing the parties they were sent with; deleted drafts take their PDFs with them.
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { extractText, getDocumentProxy } from "unpdf";
import { describe, expect, it } from "vitest";
import { duplicatePairs, quotes } from "@shared/db/schema";
import { documentPdfPrefix, ensureDocumentPdf } from "../../workers/modules/pdf/documents";
import { sendInvoice } from "../../workers/modules/invoices/service";
import { sendQuote } from "../../workers/modules/quotes/actions";
import { depsFor } from "../documents/helpers";
import { api } from "../support/http";
import { deps, logoForm, PNG, studio } from "./helpers";

const pdfText = async (key: string) => {
  const bytes = new Uint8Array(await (await env.FILES.get(key))!.arrayBuffer());
  return (await extractText(await getDocumentProxy(bytes), { mergePages: true })).text;
};
const keysUnder = async (prefix: string) => (await env.FILES.list({ prefix })).objects.map((o) => o.key);
const ITEMS = [{ description: "Portrait session", quantity: 1, unitPrice: 10000, taxRate: 20 }];

describe("issued documents", () => {
  it("a sent quote prints the studio and client as sent, through profile, logo, contact edits and a merge", async () => {
    const s = await studio();
    const token = s.account.accessToken;
    expect((await api("/api/users/me/logo", { method: "PUT", token, body: logoForm(PNG) })).status).toBe(200);
    const created = await api("/api/quotes", { token, json: { contactId: s.contactId, currency: "EUR", items: ITEMS } });
    expect(created.status, created.text).toBe(201);
    const ref = { kind: "QUOTE" as const, ownerId: s.ownerId, id: created.body.id as string };
    await sendQuote(depsFor(s.ownerId), s.ownerId, ref.id);

    const [row] = await deps().db.select().from(quotes).where(eq(quotes.id, ref.id));
    const logoKey = row!.parties!.studio.logoKey!;
    expect(logoKey).toMatch(new RegExp(`^${s.ownerId}/documents/logos/[0-9a-f]{64}$`));
    expect(row!.parties).toMatchObject({ studio: { name: "Studio Lumière", vatNumber: "FR12345678901" }, client: { firstName: "Jeanne", lastName: "Dupont" } });
    const sent = await ensureDocumentPdf(deps(), ref);

    // Everything printed changes after sending: the VAT number, the logo, the client's name, then the client.
    expect((await api("/api/users/me", { method: "PATCH", token, json: { vatNumber: "FR99999999999", companyName: "Other Studio" } })).status).toBe(200);
    const otherLogo = PNG.slice();
    otherLogo[otherLogo.length - 5]! ^= 1;
    expect((await api("/api/users/me/logo", { method: "PUT", token, body: logoForm(otherLogo) })).status).toBe(200);
    expect((await api(`/api/contacts/${s.contactId}`, { method: "PATCH", token, json: { lastName: "Martin" } })).status).toBe(200);
    const twin = await api("/api/contacts", { token, json: { firstName: "Jeanne", lastName: "Renamed", email: "jeanne@dupont.example" } });
    expect(twin.status, twin.text).toBe(201);
    const [pair] = await deps().db.select({ id: duplicatePairs.id }).from(duplicatePairs).where(eq(duplicatePairs.ownerId, s.ownerId));
    const merged = await api(`/api/duplicates/${pair!.id}/merge`, { token, json: { keepId: twin.body.id } });
    expect(merged.status, merged.text).toBe(200);

    const later = await ensureDocumentPdf(deps(), ref);
    expect(later.r2Key).toBe(sent.r2Key);
    const text = await pdfText(later.r2Key);
    for (const expected of ["Studio Lumière", "FR12345678901", "Jeanne Dupont"]) expect(text).toContain(expected);
    for (const unexpected of ["Other Studio", "FR99999999999", "Martin", "Renamed"]) expect(text).not.toContain(unexpected);
    expect(await env.FILES.head(logoKey)).not.toBeNull();

    // A draft still prints the live profile.
    const draft = await api("/api/quotes", { token, json: { contactId: twin.body.id, currency: "EUR", items: ITEMS } });
    const draftPdf = await ensureDocumentPdf(deps(), { ...ref, id: draft.body.id });
    expect(await pdfText(draftPdf.r2Key)).toContain("FR99999999999");
  });

  it("a sent invoice keeps the parties of its first send when it is sent again", async () => {
    const s = await studio();
    const token = s.account.accessToken;
    const created = await api("/api/invoices", { token, json: { contactId: s.contactId, currency: "EUR", items: ITEMS } });
    const id = created.body.id as string;
    await sendInvoice(depsFor(s.ownerId), s.ownerId, id);
    expect((await api("/api/users/me", { method: "PATCH", token, json: { vatNumber: "FR99999999999" } })).status).toBe(200);
    await sendInvoice(depsFor(s.ownerId), s.ownerId, id);
    const pdf = await ensureDocumentPdf(deps(), { kind: "INVOICE", ownerId: s.ownerId, id });
    const text = await pdfText(pdf.r2Key);
    expect(text).toContain("FR12345678901");
    expect(text).not.toContain("FR99999999999");
  });

  it("deleting a DRAFT quote or invoice removes its PDFs from R2", async () => {
    const s = await studio();
    const token = s.account.accessToken;
    for (const [kind, path] of [["QUOTE", "quotes"], ["INVOICE", "invoices"]] as const) {
      const created = await api(`/api/${path}`, { token, json: { contactId: s.contactId, currency: "EUR", items: ITEMS } });
      expect(created.status, created.text).toBe(201);
      const ref = { kind, ownerId: s.ownerId, id: created.body.id as string };
      await ensureDocumentPdf(deps(), ref);
      expect(await keysUnder(documentPdfPrefix(ref))).toHaveLength(1);
      expect((await api(`/api/${path}/${ref.id}`, { method: "DELETE", token })).status).toBe(204);
      expect(await keysUnder(documentPdfPrefix(ref))).toEqual([]);
    }
  });
});
