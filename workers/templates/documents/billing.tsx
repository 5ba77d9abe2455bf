import type { DocumentLineJson } from "@shared/db/billing-schema";
import { taxesByRateOf } from "../../modules/documents/totals";
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from "./format";
import { labelsFor } from "./labels";
import { DocumentLayout, documentFooter, documentHtml, type StudioView } from "./layout";

export interface ClientView {
  name: string;
  company: string | null;
  addressLines: string[];
  email: string | null;
}

/** Everything a quote or an invoice prints, already resolved (no database, no R2: the same view, the same HTML). */
export interface BillingDocumentView {
  kind: "QUOTE" | "INVOICE";
  number: string;
  status: string;
  locale: string;
  currency: string;
  /** The studio's time zone, for the session's date and time. */
  timeZone: string;
  studio: StudioView;
  client: ClientView;
  /** `YYYY-MM-DD` dates. */
  issueDate: string;
  validUntil: string | null;
  dueDate: string | null;
  session: { title: string; startsAt: Date | null } | null;
  items: DocumentLineJson[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  /** Invoices only. */
  amountPaid: number | null;
  notes: string | null;
  /** Printed on invoices only. */
  paymentDetails: string | null;
}

const STAMPED = new Set(["PAID", "CANCELLED"]);

function BillingDocument({ view }: { view: BillingDocumentView }) {
  const t = labelsFor(view.locale);
  const money = (minor: number) => formatMoney(minor, view.currency, view.locale);
  const isInvoice = view.kind === "INVOICE";
  const meta = [
    { label: t.issueDate, value: formatDate(view.issueDate, view.locale) },
    ...(view.validUntil && !isInvoice ? [{ label: t.validUntil, value: formatDate(view.validUntil, view.locale) }] : []),
    ...(view.dueDate && isInvoice ? [{ label: t.dueDate, value: formatDate(view.dueDate, view.locale) }] : []),
  ];
  const stamp = isInvoice && STAMPED.has(view.status) ? { kind: view.status, label: t.stamps[view.status as keyof typeof t.stamps] } : null;
  const taxes = taxesByRateOf(view.items);
  const balance = view.total - (view.amountPaid ?? 0);
  const { client, session } = view;

  return (
    <DocumentLayout
      title={view.number}
      locale={view.locale}
      studio={view.studio}
      vatLabel={t.vat}
      heading={isInvoice ? t.invoice : t.quote}
      reference={view.number}
      meta={meta}
      stamp={stamp}
    >
      <section class="parties">
        <div class="party">
          <h2>{isInvoice ? t.billTo : t.quoteFor}</h2>
          <div class="strong">{client.name}</div>
          {client.company ? <div>{client.company}</div> : null}
          {client.addressLines.map((line) => (
            <div>{line}</div>
          ))}
          {client.email ? <div class="muted">{client.email}</div> : null}
        </div>
        {session ? (
          <div class="party">
            <h2>{t.session}</h2>
            <div class="strong">{session.title}</div>
            {session.startsAt ? <div>{formatDateTime(session.startsAt, view.locale, view.timeZone)}</div> : null}
          </div>
        ) : null}
      </section>

      <table class="lines">
        <thead>
          <tr>
            <th>{t.description}</th>
            <th class="num">{t.quantity}</th>
            <th class="num">{t.unitPrice}</th>
            <th class="num">{t.discount}</th>
            <th class="num">{t.taxRate}</th>
            <th class="num">{t.lineTotal}</th>
          </tr>
        </thead>
        <tbody>
          {view.items.map((line) => (
            <tr>
              <td class="description">{line.description}</td>
              <td class="num">{formatNumber(line.quantity, view.locale)}</td>
              <td class="num">{money(line.unitPrice)}</td>
              <td class="num">
                {line.discountAmount === 0
                  ? "–"
                  : line.discount?.type === "PERCENT"
                    ? `${formatPercent(line.discount.value, view.locale)} (−${money(line.discountAmount)})`
                    : `−${money(line.discountAmount)}`}
              </td>
              <td class="num">{formatPercent(line.taxRate, view.locale)}</td>
              <td class="num">{money(line.net)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <section class="summary">
        <table class="taxes">
          <thead>
            <tr>
              <th>{t.taxesByRate}</th>
              <th class="num">{t.taxBase}</th>
              <th class="num">{t.taxAmount}</th>
            </tr>
          </thead>
          <tbody>
            {taxes.map((row) => (
              <tr>
                <td>{formatPercent(row.rate, view.locale)}</td>
                <td class="num">{money(row.base)}</td>
                <td class="num">{money(row.tax)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table class="totals">
          {view.discountTotal !== 0 ? (
            <>
              <tr>
                <td>{t.grossTotal}</td>
                <td class="num">{money(view.subtotal + view.discountTotal)}</td>
              </tr>
              <tr>
                <td>{t.discountTotal}</td>
                <td class="num">−{money(view.discountTotal)}</td>
              </tr>
            </>
          ) : null}
          <tr>
            <td>{t.subtotal}</td>
            <td class="num">{money(view.subtotal)}</td>
          </tr>
          {taxes.map((row) => (
            <tr>
              <td>{t.taxAt(formatPercent(row.rate, view.locale))}</td>
              <td class="num">{money(row.tax)}</td>
            </tr>
          ))}
          <tr class="grand">
            <td>{t.total}</td>
            <td class="num">{money(view.total)}</td>
          </tr>
          {isInvoice && view.amountPaid !== null ? (
            <>
              <tr>
                <td>{t.amountPaid}</td>
                <td class="num">{money(view.amountPaid)}</td>
              </tr>
              <tr class="due">
                <td>{t.balanceDue}</td>
                <td class="num">{money(balance)}</td>
              </tr>
            </>
          ) : null}
        </table>
      </section>

      {view.notes ? (
        <section class="block">
          <h2>{t.notes}</h2>
          <p>{view.notes}</p>
        </section>
      ) : null}
      {isInvoice && view.paymentDetails ? (
        <section class="block">
          <h2>{t.paymentDetails}</h2>
          <p>{view.paymentDetails}</p>
        </section>
      ) : null}
    </DocumentLayout>
  );
}

/** The HTML of a quote or an invoice (deterministic: the same view gives the same bytes) and its print footer. */
export function renderBillingDocument(view: BillingDocumentView): { html: string; footerTemplate: string } {
  return {
    html: documentHtml(<BillingDocument view={view} />),
    footerTemplate: documentFooter(view.number, labelsFor(view.locale).page),
  };
}
