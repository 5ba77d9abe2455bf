import { describe, expect, it } from "vitest";
import { ApiError } from "@shared/lib/errors";
import { isCurrency, minorUnitDigits } from "../../workers/modules/documents/currency";
import { computeTotals, roundDiv, scaled, type LineInput } from "../../workers/modules/documents/totals";

const line = (quantity: number, unitPrice: number, taxRate = 0, discount: LineInput["discount"] = null): LineInput => ({ description: "x", quantity, unitPrice, taxRate, discount });
const one = (input: LineInput) => computeTotals([input]).items[0]!;

function pathsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return ((error as ApiError).extras.errors ?? []).map((e) => e.path);
  }
  throw new Error("expected a 400");
}

describe("rounding: half away from zero, exact", () => {
  it("rounds ties away from zero on both signs", () => {
    expect([5n, 15n, 25n, -5n, -15n, 14n, -14n, 16n].map((n) => roundDiv(n, 10n))).toEqual([1n, 2n, 3n, -1n, -2n, 1n, -1n, 2n]);
  });

  it("reads quantities and rates as exact decimals (1.005 is not 1.00499...)", () => {
    expect(scaled(1.005)).toBe(1005n);
    expect(scaled(33.333)).toBe(33333n);
    expect(scaled(-0.5)).toBe(-500n);
    expect([0.1 + 0.2, 1.0005, 1e-7, 1e21, Number.NaN].map(scaled)).toEqual([null, null, null, null, null]);
  });

  it("gross: 0.5-cent ties, 1.005, 33.333 × 3", () => {
    expect(one(line(0.5, 1)).gross).toBe(1);
    expect(one(line(0.5, 3)).gross).toBe(2);
    expect(computeTotals([line(1, 10), line(0.5, -3)]).items[1]!.gross).toBe(-2);
    expect(one(line(1.005, 100)).gross).toBe(101); // 100.5: float arithmetic says 100.49999999999999
    expect(one(line(33.333, 3)).gross).toBe(100); // 99.999
    const thirds = computeTotals([line(33.333, 100), line(33.333, 100), line(33.333, 100)]);
    expect(thirds.items.map((i) => i.gross)).toEqual([3333, 3333, 3333]);
    expect(thirds.subtotal).toBe(9999);
  });

  it("tax at 19.6 %, 5.5 % and 8.875 %, per line", () => {
    expect([1000, 1234, 25, 125].map((net) => one(line(1, net, 19.6)).tax)).toEqual([196, 242, 5, 25]); // 24.5 → 25
    expect([10, 90, 9].map((net) => one(line(1, net, 5.5)).tax)).toEqual([1, 5, 0]); // 0.55, 4.95, 0.495
    expect([1000, 400, 200].map((net) => one(line(1, net, 8.875)).tax)).toEqual([89, 36, 18]); // 88.75, 35.5, 17.75
  });

  it("discounts: a percentage rounded the same way, an amount as given, never beyond the line", () => {
    expect(one(line(1, 999, 20, { type: "PERCENT", value: 10 }))).toMatchObject({ gross: 999, discountAmount: 100, net: 899, tax: 180, total: 1079 });
    expect(one(line(1, 100, 0, { type: "PERCENT", value: 12.5 })).discountAmount).toBe(13);
    expect(one(line(1, 100, 0, { type: "PERCENT", value: 33.333 })).discountAmount).toBe(33);
    expect(one(line(2, 1500, 5.5, { type: "AMOUNT", value: 500 }))).toMatchObject({ gross: 3000, discountAmount: 500, net: 2500, tax: 138, total: 2638 });
    expect(one(line(1, 100, 0, { type: "AMOUNT", value: 100 })).net).toBe(0);
    expect(pathsOf(() => computeTotals([line(1, 10), line(1, 100, 0, { type: "AMOUNT", value: 101 })]))).toEqual(["body.items.1.discount.value"]);
  });

  it("credit lines: negative amounts round symmetrically, carry no discount, and never take the total below zero", () => {
    const doc = computeTotals([line(1, 10000, 19.6), line(1, -125, 19.6)]);
    expect(doc.items[1]).toMatchObject({ gross: -125, net: -125, tax: -25, total: -150 });
    expect(doc).toMatchObject({ subtotal: 9875, taxTotal: 1935, total: 11810 });
    expect(pathsOf(() => computeTotals([line(1, -100, 0, { type: "PERCENT", value: 10 })]))).toEqual(["body.items.0.discount"]);
    expect(pathsOf(() => computeTotals([line(1, 100), line(1, -101)]))).toEqual(["body.items"]);
    // A credit at a lower rate than what it offsets: total 50 ≥ 0, but the subtotal would be −50.
    expect(pathsOf(() => computeTotals([line(1, 100, 100), line(1, -150, 0)]))).toEqual(["body.items"]);
  });

  it("document totals add the per-line amounts; taxes are grouped by rate and add up to taxTotal", () => {
    const doc = computeTotals([line(1.5, 12345, 20), line(3, 999, 5.5, { type: "PERCENT", value: 15 }), line(1, 5000, 20, { type: "AMOUNT", value: 250 }), line(2, 2000, 0)]);
    const nets = doc.items.map((i) => i.net);
    expect(doc.subtotal).toBe(nets.reduce((a, b) => a + b));
    expect(doc.discountTotal).toBe(doc.items.reduce((a, i) => a + i.discountAmount, 0));
    expect(doc.taxTotal).toBe(doc.items.reduce((a, i) => a + i.tax, 0));
    expect(doc.total).toBe(doc.subtotal + doc.taxTotal);
    expect(doc.taxesByRate).toEqual([
      { rate: 0, base: 4000, tax: 0 },
      { rate: 5.5, base: 2547, tax: 140 },
      { rate: 20, base: 18518 + 4750, tax: 3704 + 950 },
    ]);
    expect(doc.taxesByRate.reduce((a, r) => a + r.tax, 0)).toBe(doc.taxTotal);
  });

  it("amounts up to the largest safe integer; beyond that a 400 naming the field", () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(computeTotals([line(1, max)]).total).toBe(max);
    expect(pathsOf(() => computeTotals([line(2, max)]))).toEqual(["body.items.0.unitPrice"]);
    expect(pathsOf(() => computeTotals([line(1, 10), line(1, max, 20)]))).toEqual(["body.items.1.unitPrice"]);
    expect(pathsOf(() => computeTotals([line(1, max), line(1, 1)]))).toEqual(["body.items"]);
  });
});

describe("currencies", () => {
  it("knows ISO 4217 codes and their minor units", () => {
    expect(["EUR", "USD", "JPY", "KWD", "BHD", "CHF"].every(isCurrency)).toBe(true);
    expect(["XYZ", "eur", "EURO", "", "E1R"].some(isCurrency)).toBe(false);
    expect(["JPY", "EUR", "USD", "KWD", "BHD"].map(minorUnitDigits)).toEqual([0, 2, 2, 3, 3]);
    // ISO 4217, where the locale data disagrees (Intl formats these with 0 digits).
    expect(["IQD", "LAK", "MGA", "CLF", "UYW", "ISK"].map(minorUnitDigits)).toEqual([3, 2, 2, 4, 4, 0]);
  });
});
