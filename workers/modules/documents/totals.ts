// The one rounding rule of quotes and invoices, computed by the server only. Amounts are integer minor units;
// quantities, tax rates and discount percentages carry up to 3 decimals. Everything is exact BigInt arithmetic
// on scaled integers (1.005 is 1005 thousandths, never 1.00499999...), and each rounding is half away from zero:
//
//   per line   gross    = round(quantity × unitPrice)
//              discount = round(gross × percent / 100)      (PERCENT)   or the value as given (AMOUNT, ≤ gross)
//              net      = gross − discount
//              tax      = round(net × taxRate / 100)
//              total    = net + tax
//   document   subtotal = Σ net, discountTotal = Σ discount, taxTotal = Σ tax, total = subtotal + taxTotal
//              taxesByRate = per distinct rate: base = Σ net, tax = Σ tax (so the rows add up to taxTotal)
//
// A line with a negative unit price is a credit (a deposit already paid, a goodwill gesture): it cannot carry a
// discount, and the document as a whole (its subtotal and its total) cannot go below zero.
import type { DocumentLineJson } from "@shared/db/billing-schema";
import { validationFailed, type FieldError } from "@shared/lib/errors";

export interface LineInput {
  description: string;
  quantity: number;
  unitPrice: number;
  taxRate: number;
  discount?: { type: "PERCENT" | "AMOUNT"; value: number } | null;
}

export interface TaxByRate {
  rate: number;
  /** Σ net of the lines at this rate. */
  base: number;
  tax: number;
}

export interface DocumentTotals {
  items: DocumentLineJson[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  taxesByRate: TaxByRate[];
}

/** Decimal places allowed in quantities, tax rates and discount percentages. */
export const DECIMALS = 3;
const SCALE = 1000n;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `value` × 1000 as an exact integer, read from the number's shortest decimal form (what JSON carried), or null
 * when it has more than 3 decimals or is not a plain finite decimal.
 */
export function scaled(value: number): bigint | null {
  if (!Number.isFinite(value)) return null;
  const match = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(String(value));
  if (!match) return null;
  const magnitude = BigInt(match[2]!) * SCALE + BigInt((match[3] ?? "").padEnd(DECIMALS, "0"));
  return match[1] ? -magnitude : magnitude;
}

/** n / d rounded half away from zero (d > 0). */
export function roundDiv(n: bigint, d: bigint): bigint {
  const quotient = n / d;
  const remainder = n % d;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice < d) return quotient;
  return n < 0n ? quotient - 1n : quotient + 1n;
}

const fits = (value: bigint) => value <= MAX && value >= -MAX;

/** The computed lines and totals; a 400 naming the field when an amount leaves the safe integer range. */
export function computeTotals(lines: readonly LineInput[], path = "body.items"): DocumentTotals {
  const errors: FieldError[] = [];
  const items: DocumentLineJson[] = [];
  const byRate = new Map<bigint, { base: bigint; tax: bigint }>();
  let subtotal = 0n;
  let discountTotal = 0n;
  let taxTotal = 0n;

  lines.forEach((line, i) => {
    const at = (field: string) => `${path}.${i}.${field}`;
    const quantity = scaled(line.quantity);
    const rate = scaled(line.taxRate);
    if (quantity === null || rate === null) {
      errors.push({ path: at(quantity === null ? "quantity" : "taxRate"), message: `must have at most ${DECIMALS} decimals` });
      return;
    }
    const gross = roundDiv(quantity * BigInt(line.unitPrice), SCALE);
    if (!fits(gross)) {
      errors.push({ path: at("unitPrice"), message: "quantity × unitPrice is beyond the largest amount supported" });
      return;
    }
    let discount = 0n;
    if (line.discount) {
      if (gross < 0n) {
        errors.push({ path: at("discount"), message: "a credit line (negative unitPrice) cannot carry a discount" });
        return;
      }
      if (line.discount.type === "PERCENT") {
        const percent = scaled(line.discount.value);
        if (percent === null) {
          errors.push({ path: at("discount.value"), message: `must have at most ${DECIMALS} decimals` });
          return;
        }
        discount = roundDiv(gross * percent, 100n * SCALE);
      } else {
        discount = BigInt(line.discount.value);
        if (discount > gross) {
          errors.push({ path: at("discount.value"), message: `must not exceed the line's amount before discount (${gross})` });
          return;
        }
      }
    }
    const net = gross - discount;
    const tax = roundDiv(net * rate, 100n * SCALE);
    const total = net + tax;
    if (!fits(total)) {
      errors.push({ path: at("unitPrice"), message: "the line's total is beyond the largest amount supported" });
      return;
    }
    subtotal += net;
    discountTotal += discount;
    taxTotal += tax;
    const group = byRate.get(rate) ?? { base: 0n, tax: 0n };
    byRate.set(rate, { base: group.base + net, tax: group.tax + tax });
    items.push({
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      taxRate: line.taxRate,
      discount: line.discount ?? null,
      gross: Number(gross),
      discountAmount: Number(discount),
      net: Number(net),
      tax: Number(tax),
      total: Number(total),
    });
  });
  if (errors.length > 0) throw validationFailed(errors);

  const total = subtotal + taxTotal;
  // Both, not the total alone: a credit at a lower tax rate than the lines it offsets can leave the total at or
  // above zero while the amount before tax is negative, which no invoice can state.
  if (subtotal < 0n) throw validationFailed([{ path, message: "credit lines cannot take the document's subtotal below zero" }]);
  if (total < 0n) throw validationFailed([{ path, message: "credit lines cannot take the document's total below zero" }]);
  for (const amount of [subtotal, discountTotal, taxTotal, total, ...[...byRate.values()].flatMap((g) => [g.base, g.tax])]) {
    if (!fits(amount)) throw validationFailed([{ path, message: "the document's total is beyond the largest amount supported" }]);
  }
  return {
    items,
    subtotal: Number(subtotal),
    discountTotal: Number(discountTotal),
    taxTotal: Number(taxTotal),
    total: Number(total),
    taxesByRate: [...byRate.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([rate, group]) => ({ rate: Number(rate) / 1000, base: Number(group.base), tax: Number(group.tax) })),
  };
}

/** The tax rows of stored lines, grouped exactly as `computeTotals` groups them (the PDF and the DTO read them). */
export function taxesByRateOf(items: readonly DocumentLineJson[]): TaxByRate[] {
  const byRate = new Map<number, TaxByRate>();
  for (const item of items) {
    const group = byRate.get(item.taxRate) ?? { rate: item.taxRate, base: 0, tax: 0 };
    byRate.set(item.taxRate, { rate: item.taxRate, base: group.base + item.net, tax: group.tax + item.tax });
  }
  return [...byRate.values()].sort((a, b) => a.rate - b.rate);
}
