// The words printed on documents, in the document's language (its locale's language subtag; English otherwise).

const en = {
  quote: "Quote",
  invoice: "Invoice",
  number: "Number",
  issueDate: "Date",
  validUntil: "Valid until",
  dueDate: "Due date",
  billTo: "Bill to",
  quoteFor: "Prepared for",
  session: "Session",
  vat: "VAT",
  description: "Description",
  quantity: "Qty",
  unitPrice: "Unit price",
  discount: "Discount",
  taxRate: "Tax",
  lineTotal: "Amount",
  taxBase: "Taxable amount",
  taxAmount: "Tax",
  taxesByRate: "Taxes by rate",
  grossTotal: "Total before discount",
  discountTotal: "Discount",
  subtotal: "Subtotal excl. tax",
  taxAt: (rate: string) => `Tax ${rate}`,
  total: "Total",
  amountPaid: "Amount paid",
  balanceDue: "Balance due",
  notes: "Notes",
  paymentDetails: "Payment details",
  page: "Page",
  stamps: { PAID: "Paid", CANCELLED: "Cancelled" },
};

export type DocumentLabels = typeof en;

const fr: DocumentLabels = {
  quote: "Devis",
  invoice: "Facture",
  number: "Numéro",
  issueDate: "Date",
  validUntil: "Valable jusqu’au",
  dueDate: "Échéance",
  billTo: "Facturé à",
  quoteFor: "Établi pour",
  session: "Séance",
  vat: "N° TVA",
  description: "Désignation",
  quantity: "Qté",
  unitPrice: "Prix unitaire",
  discount: "Remise",
  taxRate: "TVA",
  lineTotal: "Montant HT",
  taxBase: "Base HT",
  taxAmount: "TVA",
  taxesByRate: "TVA par taux",
  grossTotal: "Total avant remise",
  discountTotal: "Remise",
  subtotal: "Total HT",
  taxAt: (rate: string) => `TVA ${rate}`,
  total: "Total TTC",
  amountPaid: "Déjà réglé",
  balanceDue: "Reste à payer",
  notes: "Notes",
  paymentDetails: "Modalités de paiement",
  page: "Page",
  stamps: { PAID: "Payée", CANCELLED: "Annulée" },
};

const byLanguage: Record<string, DocumentLabels> = { en, fr };

export function labelsFor(locale: string): DocumentLabels {
  const language = locale.split("-")[0]?.toLowerCase() ?? "en";
  return byLanguage[language] ?? en;
}
