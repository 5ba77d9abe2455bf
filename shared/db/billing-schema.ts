// Getting paid: quotes and invoices with their payments, number counters, PDFs and the emails that send them
// (deliveries). What else reaches the client (templates, scheduled emails, the portal) is in client-schema.ts.
// Every table with owner_id is the studio's own data and is audited (shared/db/audit-spec.ts); the number
// counters are bookkeeping keyed by user_id, like the booking holds.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, timestamp } from "./columns";
import { contacts, sessions } from "./crm-schema";
import { users } from "./schema";

const ownerId = () =>
  text("owner_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });
const updatedAt = () => timestamp("updated_at").notNull();

/** One line of a quote or invoice as stored: what the owner wrote plus the amounts the server computed for it
 *  (workers/modules/documents/totals.ts). Amounts are integer minor units of the document's currency. */
export interface DocumentLineJson {
  description: string;
  /** Up to 3 decimals (1.5 hours), as a number. */
  quantity: number;
  unitPrice: number;
  /** Percent, up to 3 decimals (5.5, 8.875). */
  taxRate: number;
  discount: { type: "PERCENT" | "AMOUNT"; value: number } | null;
  /** quantity × unitPrice, rounded. */
  gross: number;
  discountAmount: number;
  /** gross − discountAmount: the line's taxable amount. */
  net: number;
  tax: number;
  /** net + tax. */
  total: number;
}

/** A postal address as users and contacts store it. */
export interface PostalAddress {
  addressLine1: string | null;
  addressLine2: string | null;
  postalCode: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
}

/** The parties of a sent document, frozen at its first send (see `parties` below). */
export interface DocumentPartiesJson {
  studio: PostalAddress & {
    name: string;
    companyName: string | null;
    firstName: string;
    lastName: string;
    email: string;
    phone: string | null;
    vatNumber: string | null;
    paymentDetails: string | null;
    /** The R2 key of the logo copy kept for this document (`<owner>/documents/logos/<sha256>`), if any. */
    logoKey: string | null;
    logoContentType: string | null;
  };
  client: PostalAddress & {
    firstName: string;
    lastName: string | null;
    company: string | null;
    email: string | null;
    phone: string | null;
  };
}

export const quoteStatuses = ["DRAFT", "SENT", "ACCEPTED", "REJECTED", "EXPIRED"] as const;
export type QuoteStatus = (typeof quoteStatuses)[number];
export const invoiceStatuses = ["DRAFT", "SENT", "PAID", "OVERDUE", "CANCELLED"] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];
export const paymentMethods = ["CARD", "TRANSFER", "CASH", "CHECK", "STRIPE", "OTHER"] as const;

// The columns quotes and invoices share. contact_id has no ON DELETE action: a contact with documents cannot be
// deleted (the contacts service answers 409 first), and documents never vanish with their client.
const documentColumns = () => ({
  id: text("id").primaryKey(),
  ownerId: ownerId(),
  /** `Q-2026-0001` / `F-2026-0001`: (year, sequence) formatted. Unique per owner, never reused. */
  number: text("number").notNull(),
  year: integer("year").notNull(),
  sequence: integer("sequence").notNull(),
  contactId: text("contact_id")
    .notNull()
    .references(() => contacts.id),
  sessionId: text("session_id").references(() => sessions.id, { onDelete: "set null" }),
  /** ISO 4217. */
  currency: text("currency").notNull(),
  /** BCP 47 locale the PDF and emails format money and dates in (the owner's at creation unless given). */
  locale: text("locale").notNull().default("en"),
  notes: text("notes"),
  items: text("items", { mode: "json" }).$type<DocumentLineJson[]>().notNull(),
  subtotal: integer("subtotal").notNull(),
  discountTotal: integer("discount_total").notNull().default(0),
  taxTotal: integer("tax_total").notNull(),
  total: integer("total").notNull(),
  /** The studio's and the client's details as they were when the document was first sent (DocumentPartiesJson):
   *  from then on its PDF shows these, so a later profile or contact edit never changes an issued document. */
  parties: text("parties", { mode: "json" }).$type<DocumentPartiesJson>(),
  /** Bumped by every change of what the document says: the PDF of a version is rendered once. */
  version: integer("version").notNull().default(1),
  sentAt: timestamp("sent_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const quotes = sqliteTable(
  "quotes",
  {
    ...documentColumns(),
    status: text("status", { enum: quoteStatuses }).notNull().default("DRAFT"),
    /** `YYYY-MM-DD`: the last day the quote can be accepted, in the owner's time zone. */
    validUntil: text("valid_until"),
    acceptedAt: timestamp("accepted_at"),
    rejectedAt: timestamp("rejected_at"),
    rejectionReason: text("rejection_reason"),
    expiredAt: timestamp("expired_at"),
  },
  (t) => [
    uniqueIndex("quotes_owner_number_unique").on(t.ownerId, t.number),
    index("quotes_owner_created_idx").on(t.ownerId, t.createdAt, t.id),
    index("quotes_owner_sent_idx").on(t.ownerId, t.sentAt),
    // The expiry cron: SENT quotes whose last valid day has passed.
    index("quotes_expiry_idx").on(t.validUntil).where(sql`${t.status} = 'SENT'`),
    index("quotes_contact_idx").on(t.contactId),
    index("quotes_session_idx").on(t.sessionId),
  ],
);

export const invoices = sqliteTable(
  "invoices",
  {
    ...documentColumns(),
    status: text("status", { enum: invoiceStatuses }).notNull().default("DRAFT"),
    /** The quote this invoice was converted from: unique, so a quote converts once. */
    quoteId: text("quote_id").references(() => quotes.id, { onDelete: "set null" }),
    /** `YYYY-MM-DD` in the owner's time zone. */
    issueDate: text("issue_date").notNull(),
    dueDate: text("due_date"),
    amountPaid: integer("amount_paid").notNull().default(0),
    paidAt: timestamp("paid_at"),
    overdueAt: timestamp("overdue_at"),
    cancelledAt: timestamp("cancelled_at"),
    lastReminderAt: timestamp("last_reminder_at"),
    reminderCount: integer("reminder_count").notNull().default(0),
  },
  (t) => [
    uniqueIndex("invoices_owner_number_unique").on(t.ownerId, t.number),
    uniqueIndex("invoices_quote_unique").on(t.quoteId),
    index("invoices_owner_created_idx").on(t.ownerId, t.createdAt, t.id),
    index("invoices_owner_status_issue_idx").on(t.ownerId, t.status, t.issueDate),
    index("invoices_owner_issue_idx").on(t.ownerId, t.issueDate),
    // The overdue cron: SENT/OVERDUE invoices by due date.
    index("invoices_due_idx").on(t.dueDate).where(sql`${t.status} IN ('SENT', 'OVERDUE')`),
    index("invoices_contact_idx").on(t.contactId),
    index("invoices_session_idx").on(t.sessionId),
  ],
);

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    invoiceId: text("invoice_id")
      .notNull()
      .references(() => invoices.id, { onDelete: "cascade" }),
    /** Minor units of the invoice's currency. */
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    method: text("method", { enum: paymentMethods }).notNull(),
    paidAt: timestamp("paid_at").notNull(),
    note: text("note"),
    /** The request's Idempotency-Key: a retried POST returns the payment it already recorded. */
    idempotencyKey: text("idempotency_key"),
    createdAt: createdAt(),
  },
  (t) => [
    index("payments_owner_paid_idx").on(t.ownerId, t.paidAt),
    index("payments_invoice_idx").on(t.invoiceId, t.paidAt),
    uniqueIndex("payments_idempotency_unique").on(t.invoiceId, t.idempotencyKey),
  ],
);

export const documentSeries = ["QUOTE", "INVOICE"] as const;

/** The last number handed out per owner, series and year: incremented in the same batch as the insert it numbers. */
export const documentCounters = sqliteTable(
  "document_counters",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    series: text("series", { enum: documentSeries }).notNull(),
    year: integer("year").notNull(),
    lastNumber: integer("last_number").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.series, t.year] })],
);

/** A rendered PDF of one document version, kept in R2 (`<ownerId>/documents/...`). `content_hash` is the hash of
 *  the HTML it was printed from: the same HTML is never printed twice. */
export const documentPdfs = sqliteTable(
  "document_pdfs",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    quoteId: text("quote_id").references(() => quotes.id, { onDelete: "cascade" }),
    invoiceId: text("invoice_id").references(() => invoices.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    contentHash: text("content_hash").notNull(),
    r2Key: text("r2_key").notNull(),
    size: integer("size").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("document_pdfs_quote_hash_unique").on(t.quoteId, t.contentHash),
    uniqueIndex("document_pdfs_invoice_hash_unique").on(t.invoiceId, t.contentHash),
    uniqueIndex("document_pdfs_r2_key_unique").on(t.r2Key),
    check("document_pdfs_one_document", sql`(${t.quoteId} IS NULL) <> (${t.invoiceId} IS NULL)`),
  ],
);

export const deliveryKinds = ["SEND", "REMINDER"] as const;
export const deliveryStatuses = ["QUEUED", "SENT", "FAILED"] as const;

/** One email of a quote or invoice to its client: written with the status change, completed by the send job. */
export const documentDeliveries = sqliteTable(
  "document_deliveries",
  {
    id: text("id").primaryKey(),
    ownerId: ownerId(),
    quoteId: text("quote_id").references(() => quotes.id, { onDelete: "cascade" }),
    invoiceId: text("invoice_id").references(() => invoices.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: deliveryKinds }).notNull().default("SEND"),
    toEmail: text("to_email").notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull().default("QUEUED"),
    /** The document version the email carries. */
    version: integer("version").notNull(),
    pdfKey: text("pdf_key"),
    error: text("error"),
    queuedAt: timestamp("queued_at").notNull(),
    sentAt: timestamp("sent_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("document_deliveries_quote_idx").on(t.quoteId, t.createdAt),
    index("document_deliveries_invoice_idx").on(t.invoiceId, t.createdAt),
    // The sweep that re-enqueues deliveries whose job was lost.
    index("document_deliveries_queued_idx").on(t.queuedAt).where(sql`${t.status} = 'QUEUED'`),
    check("document_deliveries_one_document", sql`(${t.quoteId} IS NULL) <> (${t.invoiceId} IS NULL)`),
  ],
);

export type Quote = typeof quotes.$inferSelect;
export type Invoice = typeof invoices.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type DocumentPdf = typeof documentPdfs.$inferSelect;
export type DocumentDelivery = typeof documentDeliveries.$inferSelect;
