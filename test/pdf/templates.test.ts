import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DocumentLineJson } from "@shared/db/billing-schema";
import { computeTotals, type LineInput } from "../../workers/modules/documents/totals";
import { loadDocumentView } from "../../workers/modules/pdf/view";
import { renderBillingDocument, type BillingDocumentView } from "../../workers/templates/documents/billing";
import { formatMoney } from "../../workers/templates/documents/format";
import { api } from "../support/http";
import { deps, insertInvoice, insertQuote, logoForm, PNG, studio } from "./helpers";

const NNBSP = "\u202f";
const NBSP = "\u00a0";

function view(overrides: Partial<BillingDocumentView> & { lines?: LineInput[] } = {}): BillingDocumentView {
  const { lines, ...rest } = overrides;
  const totals = computeTotals(lines ?? [{ description: "Portrait session", quantity: 1, unitPrice: 123456, taxRate: 20 }]);
  return {
    kind: "QUOTE",
    number: "Q-2026-0001",
    status: "DRAFT",
    locale: "fr-FR",
    currency: "EUR",
    timeZone: "Europe/Paris",
    studio: { name: "Studio Lumière", addressLines: ["12 rue des Lilas", "69003 Lyon"], vatNumber: "FR123", email: "studio@example.com", phone: null, logoDataUri: null },
    client: { name: "Jeanne Dupont", company: null, addressLines: [], email: "jeanne@example.com" },
    issueDate: "2026-03-02",
    validUntil: "2026-04-01",
    dueDate: null,
    session: null,
    items: totals.items as DocumentLineJson[],
    subtotal: totals.subtotal,
    discountTotal: totals.discountTotal,
    taxTotal: totals.taxTotal,
    total: totals.total,
    amountPaid: null,
    notes: null,
    paymentDetails: null,
    ...rest,
  };
}

describe("money formatting", () => {
  it("follows the locale and the currency's minor unit", () => {
    expect(formatMoney(123456, "EUR", "fr-FR")).toBe(`1${NNBSP}234,56${NBSP}€`);
    expect(formatMoney(123456, "USD", "en-US")).toBe("$1,234.56");
    expect(formatMoney(123456, "JPY", "en-US")).toBe("¥123,456");
    expect(formatMoney(1234567, "KWD", "en-US")).toMatch(/^KWD\s1,234\.567$/);
    expect(formatMoney(-5, "EUR", "en-US")).toBe("-€0.05");
    // ISO 4217 minor units, not the locale data's (which prints IQD with 0 decimals and LAK/MGA with 0).
    expect(formatMoney(1234567, "IQD", "en-US")).toMatch(/^IQD\s1,234\.567$/);
    expect(formatMoney(123456, "LAK", "en-US")).toMatch(/^LAK\s1,234\.56$/);
    expect(formatMoney(123456, "MGA", "en-US")).toMatch(/^MGA\s1,234\.56$/);
    expect(formatMoney(1234567, "CLF", "en-US")).toMatch(/^CLF\s123\.4567$/);
    // Exact past 2^53 / 100: no float division.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, "USD", "en-US")).toBe("$90,071,992,547,409.91");
    expect(formatMoney(-Number.MAX_SAFE_INTEGER, "JPY", "en-US")).toBe("-¥9,007,199,254,740,991");
  });
});

describe("the quote and invoice template", () => {
  it("prints fr-FR money with narrow no-break spaces, long dates, and the number as the title", () => {
    const { html, footerTemplate } = renderBillingDocument(view());
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>Q-2026-0001</title>");
    expect(html).toContain(`1${NNBSP}234,56${NBSP}€`);
    expect(html).toContain("2 mars 2026");
    expect(html).toContain("1 avril 2026");
    expect(html).toContain("Devis");
    expect(footerTemplate).toContain("Q-2026-0001");
    expect(footerTemplate).toContain('class="pageNumber"');
  });

  it("prints en-US dollars and JPY without decimals", () => {
    expect(renderBillingDocument(view({ locale: "en-US", currency: "USD" })).html).toContain("$1,234.56");
    const yen = renderBillingDocument(view({ locale: "en-US", currency: "JPY" })).html;
    expect(yen).toContain("¥123,456");
    expect(yen).not.toMatch(/¥123,456\.\d/);
    expect(yen).toContain("March 2, 2026");
  });

  it("escapes whatever the owner or the client typed", () => {
    const { html } = renderBillingDocument(
      view({
        lines: [{ description: '<script>alert("x")</script>', quantity: 1, unitPrice: 100, taxRate: 0 }],
        notes: "<img src=x onerror=alert(1)>",
        client: { name: "<b>Eve</b>", company: null, addressLines: [], email: null },
      }),
    );
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<b>Eve");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;b&gt;Eve&lt;/b&gt;");
  });

  it("lists taxes by rate, discounts, and on invoices the payments, the balance, the payment details and a stamp", () => {
    const lines: LineInput[] = [
      { description: "Shoot", quantity: 1, unitPrice: 100000, taxRate: 20 },
      { description: "Album", quantity: 2, unitPrice: 5000, taxRate: 5.5, discount: { type: "PERCENT", value: 10 } },
    ];
    const quote = renderBillingDocument(view({ lines, locale: "en-US", paymentDetails: "IBAN FR76 0000" })).html;
    expect(quote).toContain("20%");
    expect(quote).toContain("5.5%");
    // 2 × €50 − 10 % = €90 at 5.5 % → €4.95 of tax; €1,000 at 20 % → €200.
    expect(quote).toContain("€90.00");
    expect(quote).toContain("€4.95");
    expect(quote).toContain("€200.00");
    expect(quote).toContain("−€10.00");
    expect(quote).toContain("€1,294.95");
    expect(quote).not.toContain("IBAN FR76");
    expect(quote).not.toContain('class="stamp');

    const invoice = renderBillingDocument(
      view({ lines, locale: "en-US", kind: "INVOICE", number: "F-2026-0001", status: "PAID", dueDate: "2026-04-01", amountPaid: 129495, paymentDetails: "IBAN FR76 0000" }),
    ).html;
    expect(invoice).toContain("Invoice");
    expect(invoice).toContain("Balance due");
    expect(invoice).toContain("€0.00");
    expect(invoice).toContain("IBAN FR76 0000");
    expect(invoice).toContain('class="stamp stamp-PAID"');
    expect(renderBillingDocument(view({ kind: "INVOICE", status: "CANCELLED" })).html).toContain("Annulée");
  });

  it("is deterministic: the same document gives the same HTML", () => {
    expect(renderBillingDocument(view()).html).toBe(renderBillingDocument(view()).html);
  });

  it("embeds the studio's logo from R2 as a data: URI, with the client, the session and the studio's details", async () => {
    const s = await studio();
    const upload = await api("/api/users/me/logo", { method: "PUT", token: s.account.accessToken, body: logoForm(PNG) });
    expect(upload.status, upload.text).toBe(200);
    const quote = await insertQuote(s);
    const { view: loaded } = await loadDocumentView(deps().db, env.FILES, "QUOTE", s.ownerId, quote.id);
    const { html } = renderBillingDocument(loaded);
    expect(html).toContain(`src="data:image/png;base64,${btoa(String.fromCharCode(...PNG))}"`);
    expect(html).not.toMatch(/src="https?:/);
    for (const text of ["Studio Lumière", "12 rue des Lilas", "69003 Lyon", "France", "FR12345678901", "Jeanne Dupont", "Maison Dupont", "3 place Bellecour", "jeanne@dupont.example", "Wedding at the château", "13 juin 2026"]) {
      expect(html, text).toContain(text);
    }

    const invoice = await insertInvoice(s, { sessionId: null });
    const { view: invoiceView } = await loadDocumentView(deps().db, env.FILES, "INVOICE", s.ownerId, invoice.id);
    expect(invoiceView.session).toBeNull();
    expect(invoiceView.dueDate).toBe("2026-04-01");
  });
});
