import type { Child } from "hono/jsx";
import { formatDay, formatMoney } from "../../email-templates/values";
import type { ClientMessageView } from "../messages";
import type { InvoiceView, PortalView, QuoteView, SessionSummary, StudioProfile } from "../views";
import { Page } from "./layout";

function formatInstant(at: string, timeZone: string, locale = "en"): string {
  try {
    return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "long", timeStyle: "short" }).format(new Date(at));
  } catch {
    return new Date(at).toUTCString();
  }
}

/** What the page says after a form posted and redirected back (`?done=`), or when a post failed. */
export type Notice = { kind: "good" | "bad"; text: string } | null;

export interface PortalPageProps {
  view: PortalView;
  thread: ClientMessageView[];
  token: string;
  timeZone: string;
  notice: Notice;
  /** A message the client wrote that could not be sent, given back to them. */
  draft?: string;
}

const STATUS_LABELS: Record<string, string> = {
  DRAFT: "Draft",
  SENT: "Awaiting your answer",
  ACCEPTED: "Accepted",
  REJECTED: "Declined",
  EXPIRED: "Expired",
  PAID: "Paid",
  OVERDUE: "Overdue",
  CANCELLED: "Cancelled",
};

/** A same-origin link carrying the token (the page is the client's key; links keep them in it). */
export const withToken = (path: string, token: string) => `${path}?token=${encodeURIComponent(token)}`;

function StudioHeader(props: { studio: StudioProfile }) {
  const { studio } = props;
  const place = [studio.address.postalCode, studio.address.city].filter(Boolean).join(" ");
  const lines = [studio.address.line1, studio.address.line2, place, studio.address.region, studio.address.country].filter(Boolean);
  return (
    <header class="studio">
      <h1>{studio.company ?? studio.name}</h1>
      {studio.company && <p class="muted">{studio.name}</p>}
      <address class="small muted">
        {lines.map((line) => (
          <span>
            {line}
            <br />
          </span>
        ))}
        {studio.email}
        {studio.phone && ` · ${studio.phone}`}
        {studio.vatNumber && (
          <span>
            <br />
            VAT {studio.vatNumber}
          </span>
        )}
      </address>
    </header>
  );
}

function SessionLine(props: { session: SessionSummary; timeZone: string; locale: string }) {
  const { session } = props;
  const when = session.startsAt ? formatInstant(session.startsAt, props.timeZone, props.locale) : null;
  return (
    <p>
      For: <strong>{session.title}</strong>
      {when && `, ${when}`}
      {session.location && ` · ${session.location}`}
    </p>
  );
}

function Lines(props: { doc: QuoteView | InvoiceView }) {
  const { doc } = props;
  const money = (minor: number) => formatMoney(minor, doc.currency, doc.locale);
  return (
    <table>
      <thead>
        <tr>
          <th>Description</th>
          <th class="num">Qty</th>
          <th class="num">Unit price</th>
          <th class="num">Tax</th>
          <th class="num">Amount</th>
        </tr>
      </thead>
      <tbody>
        {doc.lines.map((line) => (
          <tr>
            <td class="pre">{line.description}</td>
            <td class="num">{line.quantity}</td>
            <td class="num">{money(line.unitPrice)}</td>
            <td class="num">{line.taxRate}%</td>
            <td class="num">{money(line.net)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colspan={4}>Before tax</td>
          <td class="num">{money(doc.lines.reduce((sum, line) => sum + line.net, 0))}</td>
        </tr>
        {doc.taxes.map((tax) => (
          <tr>
            <td colspan={4}>
              Tax {tax.rate}% on {money(tax.base)}
            </td>
            <td class="num">{money(tax.tax)}</td>
          </tr>
        ))}
        <tr class="total">
          <td colspan={4}>Total</td>
          <td class="num">{money(doc.total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function QuoteSection(props: { quote: QuoteView; token: string }) {
  const { quote, token } = props;
  const base = `/portal/quotes/${encodeURIComponent(quote.id)}`;
  return (
    <section aria-labelledby="doc-title">
      <h2 id="doc-title">
        Quote {quote.number} <span class="status">{STATUS_LABELS[quote.status] ?? quote.status}</span>
      </h2>
      {quote.validUntil && <p class="muted">Valid until {formatDay(quote.validUntil, quote.locale)}</p>}
      <Lines doc={quote} />
      {quote.notes && <p class="pre">{quote.notes}</p>}
      {quote.rejectionReason && quote.status === "REJECTED" && <p class="muted pre">Your reason: {quote.rejectionReason}</p>}
      <p>
        <a class="btn quiet" href={withToken(`/api/client-access/quotes/${encodeURIComponent(quote.id)}/pdf`, token)}>
          Download the PDF
        </a>
      </p>
      {quote.canRespond && (
        <div class="actions">
          <form method="post" action={`${base}/accept`}>
            <input type="hidden" name="token" value={token} />
            <p>Happy with this quote? Accepting tells the studio to go ahead.</p>
            <button class="btn" type="submit">
              Accept the quote
            </button>
          </form>
          <form method="post" action={`${base}/reject`}>
            <input type="hidden" name="token" value={token} />
            <label for="reason">Decline, with a reason (optional)</label>
            <textarea id="reason" name="reason" rows={3} maxlength={1000} />
            <button class="btn quiet" type="submit">
              Decline the quote
            </button>
          </form>
        </div>
      )}
    </section>
  );
}

function InvoiceSection(props: { invoice: InvoiceView; token: string }) {
  const { invoice, token } = props;
  const money = (minor: number) => formatMoney(minor, invoice.currency, invoice.locale);
  return (
    <section aria-labelledby="doc-title">
      <h2 id="doc-title">
        Invoice {invoice.number} <span class="status">{STATUS_LABELS[invoice.status] ?? invoice.status}</span>
      </h2>
      <p class="muted">
        Issued {formatDay(invoice.issueDate, invoice.locale)}
        {invoice.dueDate && `, due ${formatDay(invoice.dueDate, invoice.locale)}`}
      </p>
      <Lines doc={invoice} />
      {invoice.amountPaid > 0 && (
        <p>
          Paid {money(invoice.amountPaid)}, <strong>{money(invoice.amountDue)}</strong> left to pay.
        </p>
      )}
      {invoice.notes && <p class="pre">{invoice.notes}</p>}
      {invoice.paymentDetails && invoice.amountDue > 0 && <p class="pre small">{invoice.paymentDetails}</p>}
      <p>
        <a class="btn quiet" href={withToken(`/api/client-access/invoices/${encodeURIComponent(invoice.id)}/pdf`, token)}>
          Download the PDF
        </a>
      </p>
    </section>
  );
}

function Thread(props: { messages: ClientMessageView[]; studioName: string; timeZone: string; token: string; draft?: string }) {
  // Newest first from the service; a conversation reads top to bottom.
  const messages = [...props.messages].reverse();
  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      {messages.length === 0 ? (
        <p class="muted">No messages yet. Questions about this document? Write to {props.studioName} below.</p>
      ) : (
        <ol class="thread">
          {messages.map((message) => (
            <li class={message.direction === "CLIENT" ? "mine" : undefined}>
              <p class="small muted">
                {message.direction === "CLIENT" ? "You" : props.studioName}, {formatInstant(message.createdAt, props.timeZone)}
              </p>
              <p class="pre">{message.body}</p>
            </li>
          ))}
        </ol>
      )}
      <form method="post" action="/portal/messages">
        <input type="hidden" name="token" value={props.token} />
        <label for="body">Write to {props.studioName}</label>
        <textarea id="body" name="body" rows={4} maxlength={5000} required>
          {props.draft ?? ""}
        </textarea>
        <button class="btn" type="submit">
          Send
        </button>
      </form>
    </section>
  );
}

function NoticeLine(props: { notice: Notice }): Child {
  if (!props.notice) return null;
  return (
    <p class={`note ${props.notice.kind}`} role={props.notice.kind === "bad" ? "alert" : "status"}>
      {props.notice.text}
    </p>
  );
}

export function PortalPage(props: PortalPageProps) {
  const { view, token } = props;
  const studioName = view.studio.company ?? view.studio.name;
  const doc = view.quote ?? view.invoice;
  return (
    <Page title={doc ? `${view.quote ? "Quote" : "Invoice"} ${doc.number} · ${studioName}` : studioName}>
      <StudioHeader studio={view.studio} />
      <p>Hello {view.client.firstName},</p>
      <NoticeLine notice={props.notice} />
      {view.session && <SessionLine session={view.session} timeZone={props.timeZone} locale={doc?.locale ?? "en"} />}
      {view.quote && <QuoteSection quote={view.quote} token={token} />}
      {view.invoice && <InvoiceSection invoice={view.invoice} token={token} />}
      <Thread messages={props.thread} studioName={studioName} timeZone={props.timeZone} token={token} draft={props.draft} />
      <p class="small muted">This private link works until {formatInstant(view.link.expiresAt, props.timeZone)}. Please do not share it.</p>
    </Page>
  );
}
