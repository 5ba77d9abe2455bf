// What each kind of email may say: its variables (with what they hold and a sample for previews), and the
// wording a studio gets until it writes its own. Emails built from these go to clients, so the only link a
// variable can carry is a portal link, never one into the dashboard.
import type { EmailTemplateKind } from "@shared/db/schema";

/** The longest message a studio or a client writes in the portal thread. */
export const MESSAGE_MAX_LENGTH = 5000;

export interface VariableSpec {
  description: string;
  /** Shown by the preview. */
  sample: string;
  /** The longest value it can hold: saved templates are rendered with values this long to bound the email. */
  maxLength: number;
  /** A link: the HTML part makes it a button when it stands alone in a paragraph, a link otherwise. */
  url?: boolean;
}

const client = {
  "client.firstName": { description: "The client's first name", sample: "Camille", maxLength: 200 },
  "client.lastName": { description: "The client's last name (may be empty)", sample: "Durand", maxLength: 200 },
  "client.fullName": { description: "The client's first and last name", sample: "Camille Durand", maxLength: 400 },
} satisfies Record<string, VariableSpec>;

const studio = {
  "studio.name": { description: "The studio's name (the company name, else the owner's name)", sample: "Studio Lumière", maxLength: 300 },
} satisfies Record<string, VariableSpec>;

const portal = (what: string) => ({
  "portal.url": { description: `The client's private link to ${what} in the client portal`, sample: "https://portal.example/?token=preview", maxLength: 500, url: true },
});

const quote = {
  "quote.number": { description: "The quote's number", sample: "Q-2026-0042", maxLength: 64 },
  "quote.total": { description: "The quote's total, formatted in its currency", sample: "€1,250.00", maxLength: 64 },
  "quote.validUntil": { description: "The last day the quote can be accepted, formatted", sample: "June 30, 2026", maxLength: 64 },
} satisfies Record<string, VariableSpec>;

const invoice = {
  "invoice.number": { description: "The invoice's number", sample: "F-2026-0017", maxLength: 64 },
  "invoice.total": { description: "The invoice's total, formatted in its currency", sample: "€1,250.00", maxLength: 64 },
  "invoice.balanceDue": { description: "What is left to pay (total minus payments), formatted", sample: "€750.00", maxLength: 64 },
  "invoice.dueDate": { description: "The day payment is due, formatted", sample: "July 15, 2026", maxLength: 64 },
} satisfies Record<string, VariableSpec>;

export interface KindSpec {
  variables: Record<string, VariableSpec>;
  subject: string;
  body: string;
  /** The label of the button a lone `{{portal.url}}` paragraph becomes. */
  buttonLabel: string;
}

export const kinds: Record<EmailTemplateKind, KindSpec> = {
  QUOTE_SENT: {
    variables: { ...client, ...studio, ...quote, ...portal("the quote") },
    subject: "Quote {{quote.number}} from {{studio.name}}",
    body: [
      "Hello {{client.firstName}},",
      "Please find attached our quote {{quote.number}} for {{quote.total}}. It is valid until {{quote.validUntil}}.",
      "You can review it, accept it or ask us a question here:",
      "{{portal.url}}",
      "Kind regards,\n{{studio.name}}",
    ].join("\n\n"),
    buttonLabel: "View the quote",
  },
  INVOICE_SENT: {
    variables: { ...client, ...studio, ...invoice, ...portal("the invoice") },
    subject: "Invoice {{invoice.number}} from {{studio.name}}",
    body: [
      "Hello {{client.firstName}},",
      "Please find attached invoice {{invoice.number}} for {{invoice.total}}, due on {{invoice.dueDate}}.",
      "You can view it and see how to pay here:",
      "{{portal.url}}",
      "Thank you,\n{{studio.name}}",
    ].join("\n\n"),
    buttonLabel: "View the invoice",
  },
  PAYMENT_REMINDER: {
    variables: { ...client, ...studio, ...invoice, ...portal("the invoice") },
    subject: "Reminder: invoice {{invoice.number}} from {{studio.name}}",
    body: [
      "Hello {{client.firstName}},",
      "This is a friendly reminder that invoice {{invoice.number}}, due on {{invoice.dueDate}}, still has {{invoice.balanceDue}} to pay. If you have paid it already, thank you, and please disregard this email.",
      "The invoice is attached, and you can view it here:",
      "{{portal.url}}",
      "Thank you,\n{{studio.name}}",
    ].join("\n\n"),
    buttonLabel: "View the invoice",
  },
  BOOKING_CONFIRMED: {
    variables: {
      ...client,
      ...studio,
      "booking.title": { description: "The booking page's title, else “Your booking”", sample: "Portrait session", maxLength: 200 },
      "booking.summary": { description: "What was booked with whom (“Portrait session with Studio Lumière”)", sample: "Portrait session with Studio Lumière", maxLength: 700 },
      "booking.start": { description: "The booking's date and time in the client's time zone", sample: "Saturday, June 6, 2026, 10:00 – 11:00 AM (Europe/Paris, GMT+02:00)", maxLength: 200 },
    },
    subject: "Booking confirmed: {{booking.summary}}",
    body: ["Hello {{client.firstName}},", "{{booking.title}} with {{studio.name}} is confirmed for {{booking.start}}."].join("\n\n"),
    buttonLabel: "Open",
  },
  CLIENT_MESSAGE_REPLY: {
    variables: {
      ...client,
      ...studio,
      "message.body": { description: "The studio's reply, as written", sample: "Thank you! Saturday at 10 works for us.", maxLength: MESSAGE_MAX_LENGTH },
      ...portal("the conversation"),
    },
    subject: "New message from {{studio.name}}",
    body: ["Hello {{client.firstName}},", "{{studio.name}} answered your message:", "{{message.body}}", "Read it and reply in your client space:", "{{portal.url}}"].join("\n\n"),
    buttonLabel: "Reply",
  },
  SCHEDULED_EMAIL: {
    variables: { ...client, ...studio },
    subject: "A note from {{studio.name}}",
    body: ["Hello {{client.firstName}},", "We were thinking of you today and wanted to say hello.", "Warm regards,\n{{studio.name}}"].join("\n\n"),
    buttonLabel: "Open",
  },
};

export const variableList = (kind: EmailTemplateKind) => Object.entries(kinds[kind].variables).map(([name, spec]) => ({ name, description: spec.description }));
