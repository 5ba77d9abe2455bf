import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { extractText, getDocumentProxy } from "unpdf";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { documentPdfs, quotes } from "@shared/db/billing-schema";
import { ApiError } from "@shared/lib/errors";
import { pdfRendererOf } from "../../durable-objects/pdf-renderer";
import { deleteDocumentPdfs, documentPdfPrefix, ensureDocumentPdf, pdfResponse } from "../../workers/modules/pdf/documents";
import { api } from "../support/http";
import { deps, insertInvoice, insertQuote, logoForm, PNG, studio } from "./helpers";

async function pdfText(bytes: ArrayBuffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text;
}

const stored = async (prefix: string) => (await env.FILES.list({ prefix })).objects.map((o) => o.key).sort();
const rowsOf = (quoteId: string) => deps().db.select().from(documentPdfs).where(eq(documentPdfs.quoteId, quoteId));

describe("ensureDocumentPdf", () => {
  it("prints a real PDF of the quote, with its number, the studio and the client as text, served inline", async () => {
    const s = await studio();
    const quote = await insertQuote(s);
    const pdf = await ensureDocumentPdf(deps(), { kind: "QUOTE", ownerId: s.ownerId, id: quote.id });
    expect(pdf.filename).toBe(`${quote.number}.pdf`);
    expect(pdf.version).toBe(1);
    expect(pdf.r2Key).toMatch(new RegExp(`^${s.ownerId}/documents/quotes/${quote.id}/v1-[0-9a-f]{12}\\.pdf$`));

    const res = await pdfResponse(env, pdf);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^inline; filename="${quote.number}\\.pdf"`));
    expect(res.headers.get("cache-control")).toContain("no-store");
    expect(res.headers.get("etag")).toBeTruthy();
    const bytes = await res.arrayBuffer();
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    expect(bytes.byteLength).toBe(pdf.size);
    expect(new TextDecoder("latin1").decode(bytes.slice(0, 5))).toBe("%PDF-");

    const text = await pdfText(bytes);
    for (const expected of [quote.number, "Studio Lumière", "Jeanne Dupont", "Wedding photography, full day", "FR12345678901"]) expect(text).toContain(expected);
    // 1 234,56 € + 20 % on the first line; the PDF keeps the narrow no-break space as a character.
    expect(text).toMatch(/1\s?234,56\s?€/);

    const download = await pdfResponse(env, pdf, { download: true });
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; /);
    await download.body?.cancel();
  });

  it("prints again only when what the PDF shows changed: a new version, the studio's profile, its logo", async () => {
    const s = await studio();
    const quote = await insertQuote(s);
    const ref = { kind: "QUOTE" as const, ownerId: s.ownerId, id: quote.id };
    const prefix = documentPdfPrefix(ref);
    const first = await ensureDocumentPdf(deps(), ref);

    const rendersBefore = (await pdfRendererOf(env).stats()).renders;
    const again = await ensureDocumentPdf(deps(), ref);
    expect(again).toEqual(first);
    expect((await pdfRendererOf(env).stats()).renders).toBe(rendersBefore);
    expect(await rowsOf(quote.id)).toHaveLength(1);
    expect(await stored(prefix)).toEqual([first.r2Key]);

    // The document changes: version 2.
    const db = deps().db;
    await auditedBatch(db, { type: "USER", id: s.ownerId, requestId: null }, [
      db.update(quotes).set({ notes: "Deposit of 30 % on signature.", version: 2, updatedAt: new Date() }).where(eq(quotes.id, quote.id)),
    ]);
    const second = await ensureDocumentPdf(deps(), ref);
    expect(second.version).toBe(2);
    expect(second.r2Key).toMatch(/\/v2-[0-9a-f]{12}\.pdf$/);
    expect(await pdfText(await (await env.FILES.get(second.r2Key))!.arrayBuffer())).toContain("Deposit of 30 % on signature.");

    // Same version, but the studio's VAT number changed, then its logo was set.
    const patched = await api("/api/users/me", { method: "PATCH", token: s.account.accessToken, json: { vatNumber: "FR99999999999" } });
    expect(patched.status, patched.text).toBe(200);
    const third = await ensureDocumentPdf(deps(), ref);
    expect(third.version).toBe(2);
    expect(third.r2Key).not.toBe(second.r2Key);
    const logo = await api("/api/users/me/logo", { method: "PUT", token: s.account.accessToken, body: logoForm(PNG) });
    expect(logo.status, logo.text).toBe(200);
    const fourth = await ensureDocumentPdf(deps(), ref);
    expect(fourth.r2Key).not.toBe(third.r2Key);

    expect(await rowsOf(quote.id)).toHaveLength(4);
    expect(await stored(prefix)).toEqual([first.r2Key, second.r2Key, third.r2Key, fourth.r2Key].sort());
    // An object lost from R2 is printed again under the same row.
    await env.FILES.delete(fourth.r2Key);
    expect(await ensureDocumentPdf(deps(), ref)).toEqual(fourth);
    expect(await env.FILES.head(fourth.r2Key)).not.toBeNull();
    expect(await rowsOf(quote.id)).toHaveLength(4);

    expect(await deleteDocumentPdfs(env, ref)).toBe(4);
    expect(await stored(prefix)).toEqual([]);
  });

  it("lets simultaneous first requests for the same version share one row", async () => {
    const s = await studio();
    const quote = await insertQuote(s);
    const ref = { kind: "QUOTE" as const, ownerId: s.ownerId, id: quote.id };
    const results = await Promise.all([ensureDocumentPdf(deps(), ref), ensureDocumentPdf(deps(), ref), ensureDocumentPdf(deps(), ref)]);
    expect(new Set(results.map((r) => r.r2Key)).size).toBe(1);
    expect(await rowsOf(quote.id)).toHaveLength(1);
  });

  it("prints an invoice with its payment details, amount paid and balance", async () => {
    const s = await studio();
    const set = await api("/api/users/me", { method: "PATCH", token: s.account.accessToken, json: { paymentDetails: "IBAN FR76 3000 6000 0112 3456 7890 189" } });
    expect(set.status, set.text).toBe(200);
    const invoice = await insertInvoice(s, { amountPaid: 50000 });
    const pdf = await ensureDocumentPdf(deps(), { kind: "INVOICE", ownerId: s.ownerId, id: invoice.id });
    expect(pdf.r2Key).toContain(`/documents/invoices/${invoice.id}/`);
    const text = await pdfText(await (await env.FILES.get(pdf.r2Key))!.arrayBuffer());
    for (const expected of [invoice.number, "IBAN FR76 3000 6000 0112 3456 7890 189", "Reste à payer", "Déjà réglé"]) expect(text).toContain(expected);
  });

  it("answers 404 for another owner's document and for a missing one", async () => {
    const s = await studio();
    const other = await studio();
    const quote = await insertQuote(s);
    for (const ref of [
      { kind: "QUOTE" as const, ownerId: other.ownerId, id: quote.id },
      { kind: "INVOICE" as const, ownerId: s.ownerId, id: quote.id },
      { kind: "QUOTE" as const, ownerId: s.ownerId, id: "0190c1d2-0000-7000-8000-000000000000" },
    ]) {
      const error = await ensureDocumentPdf(deps(), ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(404);
    }
    expect(await stored(`${other.ownerId}/`)).toEqual([]);
  });
});
