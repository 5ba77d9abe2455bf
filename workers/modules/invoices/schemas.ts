import { z } from "@hono/zod-openapi";
import { invoiceStatuses, paymentMethods, type Invoice, type Payment } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import { CurrencySchema, DateSchema, documentFields, documentListQuery, ItemsSchema, iso, LocaleSchema, NotesSchema, documentFieldsOf } from "../documents/schemas";

export const InvoiceSchema = z
  .object({
    ...documentFields,
    number: z.string().openapi({ example: "F-2026-0001" }),
    status: z.enum(invoiceStatuses),
    quoteId: z.string().nullable().openapi({ description: "The quote it was converted from" }),
    issueDate: z.string().openapi({ example: "2026-12-05" }),
    dueDate: z.string().nullable(),
    amountPaid: z.number().int(),
    balance: z.number().int().openapi({ description: "total − amountPaid" }),
    paidAt: z.iso.datetime().nullable(),
    overdueAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    lastReminderAt: z.iso.datetime().nullable(),
    reminderCount: z.number().int(),
  })
  .openapi("Invoice");
export type InvoiceDto = z.infer<typeof InvoiceSchema>;

export const toInvoiceDto = (invoice: Invoice): InvoiceDto => ({
  ...documentFieldsOf(invoice),
  status: invoice.status,
  quoteId: invoice.quoteId,
  issueDate: invoice.issueDate,
  dueDate: invoice.dueDate,
  amountPaid: invoice.amountPaid,
  balance: invoice.total - invoice.amountPaid,
  paidAt: iso(invoice.paidAt),
  overdueAt: iso(invoice.overdueAt),
  cancelledAt: iso(invoice.cancelledAt),
  lastReminderAt: iso(invoice.lastReminderAt),
  reminderCount: invoice.reminderCount,
});

export const CreateInvoiceSchema = z
  .strictObject({
    contactId: z.string().min(1).max(64),
    sessionId: z.string().min(1).max(64).nullable().optional(),
    currency: CurrencySchema,
    locale: LocaleSchema.optional(),
    items: ItemsSchema,
    issueDate: DateSchema.optional(),
    dueDate: DateSchema.nullable().optional().openapi({ description: "Default: issueDate + INVOICE_DUE_DAYS; null for no due date" }),
    notes: NotesSchema.optional(),
  })
  .openapi("CreateInvoice");
export type CreateInvoiceInput = z.infer<typeof CreateInvoiceSchema>;

export const UpdateInvoiceSchema = z
  .strictObject({
    contactId: z.string().min(1).max(64),
    sessionId: z.string().min(1).max(64).nullable(),
    currency: CurrencySchema,
    locale: LocaleSchema,
    items: ItemsSchema,
    issueDate: DateSchema,
    dueDate: DateSchema.nullable(),
    notes: NotesSchema,
    status: z.enum(invoiceStatuses).openapi({ description: "CANCELLED only: sending, payments and the overdue cron make the others" }),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field is required")
  .openapi("UpdateInvoice");
export type UpdateInvoiceInput = z.infer<typeof UpdateInvoiceSchema>;

export const InvoiceListQuery = z.object({ limit: limitParam, status: z.enum(invoiceStatuses).optional(), ...documentListQuery });
export type InvoiceListQueryInput = z.infer<typeof InvoiceListQuery>;

export const InvoiceListSchema = z.object({ items: z.array(InvoiceSchema), nextCursor: z.string().nullable() }).openapi("InvoiceList");

export const PaymentSchema = z
  .object({
    id: z.string(),
    invoiceId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    method: z.enum(paymentMethods),
    paidAt: z.iso.datetime(),
    note: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Payment");

export const toPaymentDto = (payment: Payment): z.infer<typeof PaymentSchema> => ({
  id: payment.id,
  invoiceId: payment.invoiceId,
  amount: payment.amount,
  currency: payment.currency,
  method: payment.method,
  paidAt: payment.paidAt.toISOString(),
  note: payment.note,
  createdAt: payment.createdAt.toISOString(),
});

export const InvoiceBalanceSchema = InvoiceSchema.pick({ id: true, status: true, total: true, amountPaid: true, balance: true, paidAt: true }).openapi("InvoiceBalance");

export const RecordedPaymentSchema = PaymentSchema.extend({ invoice: InvoiceBalanceSchema }).openapi("RecordedPayment");

export const CreatePaymentSchema = z
  .strictObject({
    amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ description: "Minor units of the invoice's currency, at most its balance" }),
    method: z.enum(paymentMethods),
    paidAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
    note: NotesSchema.optional(),
  })
  .openapi("CreatePayment");
export type CreatePaymentInput = z.infer<typeof CreatePaymentSchema>;

export const PaymentListSchema = z.object({ items: z.array(PaymentSchema), nextCursor: z.string().nullable() }).openapi("PaymentList");

export const PaymentParams = z.object({ id: z.string().min(1).max(64), paymentId: z.string().min(1).max(64) });

export const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().trim().min(1).max(200).optional().openapi({ description: "A retried POST with the same key answers the payment it already recorded" }),
});
