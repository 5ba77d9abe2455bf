import type { Conversion, Money, Revenue, SessionsStats } from "../../modules/analytics/schemas";
import { formatDate, formatMoney, formatNumber } from "./format";
import { labelsFor } from "./labels";
import { DocumentLayout, documentFooter, documentHtml, type StudioView } from "./layout";

export interface AnalyticsReportView {
  locale: string;
  timeZone: string;
  studio: StudioView;
  generatedOn: string;
  revenue: Revenue;
  conversion: Conversion;
  sessions: SessionsStats;
}

const words = {
  en: {
    report: "Report",
    period: "Period",
    timeZone: "Time zone",
    generated: "Generated",
    summary: "Summary",
    received: "Received",
    invoiced: "Invoiced",
    revenue: "Revenue by period",
    revenueNote: "Received: payments by payment date. Invoiced: invoices by issue date, drafts and cancelled ones excluded.",
    byStatus: "Invoices issued, by status",
    quotes: "Quotes sent in the period",
    conversionRate: "Conversion rate",
    sessions: "Sessions by period (start date)",
    sessionsCount: "Sessions",
    total: "Total",
    none: "–",
    page: "Page",
    quoteRows: { sent: "Sent", accepted: "Accepted", rejected: "Rejected", expired: "Expired", pending: "Awaiting an answer", convertedToInvoices: "Converted to invoices" },
    medianDays: "Median days to acceptance",
    averageDays: "Average days to acceptance",
    invoiceStatus: { DRAFT: "Draft", SENT: "Sent", PAID: "Paid", OVERDUE: "Overdue", CANCELLED: "Cancelled" },
    sessionStatus: { LEAD: "Lead", CONFIRMED: "Confirmed", COMPLETED: "Completed", CANCELLED: "Cancelled" },
  },
  fr: {
    report: "Rapport",
    period: "Période",
    timeZone: "Fuseau horaire",
    generated: "Édité le",
    summary: "Synthèse",
    received: "Encaissé",
    invoiced: "Facturé",
    revenue: "Chiffre d’affaires par période",
    revenueNote: "Encaissé : paiements à leur date. Facturé : factures à leur date d’émission, hors brouillons et factures annulées.",
    byStatus: "Factures émises, par statut",
    quotes: "Devis envoyés sur la période",
    conversionRate: "Taux de conversion",
    sessions: "Séances par période (date de début)",
    sessionsCount: "Séances",
    total: "Total",
    none: "–",
    page: "Page",
    quoteRows: { sent: "Envoyés", accepted: "Acceptés", rejected: "Refusés", expired: "Expirés", pending: "Sans réponse", convertedToInvoices: "Convertis en factures" },
    medianDays: "Délai médian d’acceptation (jours)",
    averageDays: "Délai moyen d’acceptation (jours)",
    invoiceStatus: { DRAFT: "Brouillon", SENT: "Envoyée", PAID: "Payée", OVERDUE: "En retard", CANCELLED: "Annulée" },
    sessionStatus: { LEAD: "Prospect", CONFIRMED: "Confirmée", COMPLETED: "Réalisée", CANCELLED: "Annulée" },
  },
} as const;

const wordsFor = (locale: string) => (locale.toLowerCase().startsWith("fr") ? words.fr : words.en);

const SESSION_COLORS = { LEAD: "#9a6700", CONFIRMED: "#0b3d62", COMPLETED: "#1a7f37", CANCELLED: "#cf222e" } as const;

// Kept free of quotes and angle brackets: JSX escapes text children, and this is one.
const CSS = `
h2.section { font-size: 11pt; color: #0b3d62; margin: 18pt 0 6pt; border-bottom: 1pt solid #0b3d62; padding-bottom: 2pt; }
p.note { font-size: 8pt; color: #57606a; margin: 0 0 6pt; }
table.grid { width: 100%; border-collapse: collapse; font-size: 9pt; }
table.grid th { text-align: left; font-size: 8pt; color: #57606a; font-weight: normal; border-bottom: 0.5pt solid #d0d7de; padding: 3pt 4pt; }
table.grid td { border-bottom: 0.5pt solid #eaeef2; padding: 3pt 4pt; vertical-align: middle; }
table.grid tr { break-inside: avoid; }
table.grid tr.sum td { font-weight: bold; border-top: 1pt solid #0b3d62; }
.bar { height: 7pt; background: #0b3d62; border-radius: 1pt; }
.stack { display: flex; height: 7pt; width: 100%; }
.chart { width: 38%; }
.cards { display: flex; gap: 10pt; margin-bottom: 6pt; }
.card { flex: 1; border: 0.5pt solid #d0d7de; border-radius: 4pt; padding: 6pt 8pt; }
.card .label { font-size: 8pt; color: #57606a; text-transform: uppercase; letter-spacing: 0.5pt; }
.card .value { font-size: 12pt; font-weight: bold; }
.legend span { display: inline-block; margin-right: 10pt; font-size: 8pt; }
.swatch { display: inline-block; width: 7pt; height: 7pt; margin-right: 3pt; vertical-align: middle; }
`;

const DAY_MS = 86_400_000;

/** Whether [start, end] is the whole calendar month or year it begins in (the range clips the first and last). */
function isWhole(groupBy: "month" | "year", start: string, end: string): boolean {
  const s = new Date(`${start}T00:00:00Z`);
  const [year, month] = [s.getUTCFullYear(), groupBy === "month" ? s.getUTCMonth() : 0];
  const first = Date.UTC(year, month, 1);
  const next = groupBy === "month" ? Date.UTC(year, month + 1, 1) : Date.UTC(year + 1, 0, 1);
  return s.getTime() === first && Date.parse(`${end}T00:00:00Z`) === next - DAY_MS;
}

/** A period's label: a month or a year when whole, otherwise its first and last days (a day: the date). */
function periodLabel(groupBy: Revenue["groupBy"], start: string, end: string, locale: string): string {
  const date = new Date(`${start}T00:00:00Z`);
  if (groupBy === "month" && isWhole("month", start, end)) return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(date);
  if (groupBy === "year" && isWhole("year", start, end)) return new Intl.DateTimeFormat(locale, { year: "numeric", timeZone: "UTC" }).format(date);
  const short = (d: string) => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${d}T00:00:00Z`));
  return start === end ? short(start) : `${short(start)} – ${short(end)}`;
}

/**
 * The currency the revenue bars are drawn in: the one received in the most periods. Amounts in different
 * currencies cannot be compared (100 JPY is not 100 EUR, and minor units differ), so a tie goes to the first
 * currency code in order, as every money list is sorted.
 */
export function chartCurrency(periods: readonly { received: Money }[]): string | undefined {
  const periodsWith = new Map<string, number>();
  for (const period of periods) {
    for (const m of period.received) if (m.amount > 0) periodsWith.set(m.currency, (periodsWith.get(m.currency) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [currency, n] of [...periodsWith].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (best === undefined || n > periodsWith.get(best)!) best = currency;
  }
  return best;
}

const amountOf = (money: Money, currency: string) => money.find((m) => m.currency === currency)?.amount ?? 0;

function MoneyLines({ money, locale, none }: { money: Money; locale: string; none: string }) {
  if (money.length === 0) return <>{none}</>;
  return (
    <>
      {money.map((m, i) => (
        <>
          {i > 0 ? <br /> : null}
          {formatMoney(m.amount, m.currency, locale)}
        </>
      ))}
    </>
  );
}

function AnalyticsReport({ view }: { view: AnalyticsReportView }) {
  const t = wordsFor(view.locale);
  const { revenue, conversion, sessions, locale } = view;
  const money = (m: Money) => <MoneyLines money={m} locale={locale} none={t.none} />;
  // The bars show one currency; amounts in the others are listed, not drawn.
  const main = chartCurrency(revenue.periods);
  const peak = main ? Math.max(1, ...revenue.periods.map((p) => amountOf(p.received, main))) : 1;
  const busiest = Math.max(1, ...sessions.periods.map((p) => p.total));
  const rate = conversion.conversionRate === null ? t.none : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(conversion.conversionRate);
  const range = `${formatDate(revenue.from, locale)} – ${formatDate(revenue.to, locale)}`;

  return (
    <DocumentLayout
      title={`${t.report} ${revenue.from} – ${revenue.to}`}
      locale={locale}
      studio={view.studio}
      vatLabel={labelsFor(locale).vat}
      heading={t.report}
      reference={range}
      meta={[
        { label: t.timeZone, value: view.timeZone },
        { label: t.generated, value: formatDate(view.generatedOn, locale) },
      ]}
    >
      <style>{CSS}</style>
      <h2 class="section">{t.summary}</h2>
      <div class="cards">
        <div class="card">
          <div class="label">{t.received}</div>
          <div class="value">{money(revenue.totals.received)}</div>
        </div>
        <div class="card">
          <div class="label">{t.invoiced}</div>
          <div class="value">{money(revenue.totals.invoiced)}</div>
        </div>
        <div class="card">
          <div class="label">{t.conversionRate}</div>
          <div class="value">{rate}</div>
        </div>
        <div class="card">
          <div class="label">{t.sessionsCount}</div>
          <div class="value">{formatNumber(sessions.totals.total, locale)}</div>
        </div>
      </div>

      <h2 class="section">{t.revenue}</h2>
      <p class="note">{t.revenueNote}</p>
      <table class="grid">
        <tr>
          <th>{t.period}</th>
          <th class="num">{t.received}</th>
          <th class="chart"></th>
          <th class="num">{t.invoiced}</th>
        </tr>
        {revenue.periods.map((p) => (
          <tr>
            <td>{periodLabel(revenue.groupBy, p.start, p.end, locale)}</td>
            <td class="num">{money(p.received)}</td>
            <td class="chart">{main ? <div class="bar" style={`width:${((100 * amountOf(p.received, main)) / peak).toFixed(1)}%`}></div> : null}</td>
            <td class="num">{money(p.invoiced)}</td>
          </tr>
        ))}
        <tr class="sum">
          <td>{t.total}</td>
          <td class="num">{money(revenue.totals.received)}</td>
          <td></td>
          <td class="num">{money(revenue.totals.invoiced)}</td>
        </tr>
      </table>

      <h2 class="section">{t.byStatus}</h2>
      <table class="grid">
        {(Object.keys(t.invoiceStatus) as (keyof typeof t.invoiceStatus)[]).map((status) => (
          <tr>
            <td>{t.invoiceStatus[status]}</td>
            <td class="num">{money(revenue.totals.byStatus[status])}</td>
          </tr>
        ))}
      </table>

      <h2 class="section">{t.quotes}</h2>
      <table class="grid">
        {(Object.keys(t.quoteRows) as (keyof typeof t.quoteRows)[]).map((key) => (
          <tr>
            <td>{t.quoteRows[key]}</td>
            <td class="num">{formatNumber(conversion[key], locale)}</td>
          </tr>
        ))}
        <tr>
          <td>{t.conversionRate}</td>
          <td class="num">{rate}</td>
        </tr>
        <tr>
          <td>{t.medianDays}</td>
          <td class="num">{conversion.daysToAccept.median === null ? t.none : formatNumber(conversion.daysToAccept.median, locale)}</td>
        </tr>
        <tr>
          <td>{t.averageDays}</td>
          <td class="num">{conversion.daysToAccept.average === null ? t.none : formatNumber(conversion.daysToAccept.average, locale)}</td>
        </tr>
      </table>

      <h2 class="section">{t.sessions}</h2>
      <p class="legend">
        {(Object.keys(SESSION_COLORS) as (keyof typeof SESSION_COLORS)[]).map((status) => (
          <span>
            <i class="swatch" style={`background:${SESSION_COLORS[status]}`}></i>
            {t.sessionStatus[status]}
          </span>
        ))}
      </p>
      <table class="grid">
        <tr>
          <th>{t.period}</th>
          {(Object.keys(SESSION_COLORS) as (keyof typeof SESSION_COLORS)[]).map((status) => (
            <th class="num">{t.sessionStatus[status]}</th>
          ))}
          <th class="num">{t.total}</th>
          <th class="chart"></th>
        </tr>
        {sessions.periods.map((p) => (
          <tr>
            <td>{periodLabel(sessions.groupBy, p.start, p.end, locale)}</td>
            {(Object.keys(SESSION_COLORS) as (keyof typeof SESSION_COLORS)[]).map((status) => (
              <td class="num">{formatNumber(p.byStatus[status], locale)}</td>
            ))}
            <td class="num">{formatNumber(p.total, locale)}</td>
            <td class="chart">
              <div class="stack" style={`width:${((100 * p.total) / busiest).toFixed(1)}%`}>
                {(Object.keys(SESSION_COLORS) as (keyof typeof SESSION_COLORS)[]).map((status) =>
                  p.byStatus[status] ? <div style={`flex:${p.byStatus[status]};background:${SESSION_COLORS[status]}`}></div> : null,
                )}
              </div>
            </td>
          </tr>
        ))}
      </table>
    </DocumentLayout>
  );
}

/** The report's HTML and its print footer. */
export function renderAnalyticsReport(view: AnalyticsReportView): { html: string; footerTemplate: string } {
  const t = wordsFor(view.locale);
  return {
    html: documentHtml(<AnalyticsReport view={view} />),
    footerTemplate: documentFooter(`${view.studio.name} · ${view.revenue.from} – ${view.revenue.to}`, t.page),
  };
}
