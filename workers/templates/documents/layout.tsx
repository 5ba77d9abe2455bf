import type { JSX } from "hono/jsx/jsx-runtime";
import type { Child } from "hono/jsx";

/** Who issues the document: the studio's letterhead. */
export interface StudioView {
  name: string;
  addressLines: string[];
  vatNumber: string | null;
  email: string;
  phone: string | null;
  /** The logo as a `data:` URI: documents are printed without network access. */
  logoDataUri: string | null;
}

export interface LayoutProps {
  /** `<title>`: the document number, which Chromium also records as the PDF's title. */
  title: string;
  locale: string;
  studio: StudioView;
  vatLabel: string;
  /** "Quote", "Invoice", "Report". */
  heading: string;
  reference: string;
  meta: { label: string; value: string }[];
  /** A word printed across the top of the first page: `kind` (PAID, CANCELLED) picks its colour. */
  stamp?: { kind: string; label: string } | null;
  children: Child;
}

// Kept free of quotes and angle brackets: JSX escapes text children, and this is one.
const CSS = `
@page { size: A4; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: Helvetica, Arial, DejaVu Sans, sans-serif; font-size: 10pt; line-height: 1.4; color: #1f2328; position: relative; }
.top { display: flex; justify-content: space-between; align-items: flex-start; gap: 24pt; margin-bottom: 24pt; }
.logo { display: block; max-width: 56mm; max-height: 24mm; margin-bottom: 8pt; object-fit: contain; }
.studio-name { font-size: 13pt; font-weight: bold; margin-bottom: 2pt; }
.muted { color: #57606a; }
.doc { text-align: right; min-width: 60mm; }
.doc-kind { font-size: 20pt; font-weight: bold; letter-spacing: 1pt; text-transform: uppercase; color: #0b3d62; }
.doc-ref { font-size: 11pt; margin-bottom: 8pt; }
.meta { margin-left: auto; border-collapse: collapse; }
.meta td { padding: 1pt 0 1pt 10pt; white-space: nowrap; }
.meta td.label { color: #57606a; }
.parties { display: flex; gap: 24pt; margin-bottom: 18pt; }
.party { flex: 1; }
.party h2, .block h2 { font-size: 8pt; text-transform: uppercase; letter-spacing: 1pt; color: #57606a; margin: 0 0 4pt; font-weight: bold; }
.strong { font-weight: bold; }
table.lines { width: 100%; border-collapse: collapse; margin-bottom: 12pt; }
table.lines th { text-align: left; font-size: 8pt; text-transform: uppercase; letter-spacing: 0.5pt; color: #57606a; border-bottom: 1.5pt solid #0b3d62; padding: 4pt 6pt; }
table.lines td { border-bottom: 0.5pt solid #d0d7de; padding: 5pt 6pt; vertical-align: top; }
table.lines tr { break-inside: avoid; }
.num { text-align: right !important; white-space: nowrap; }
.description { white-space: pre-line; }
.summary { display: flex; justify-content: space-between; gap: 24pt; align-items: flex-start; break-inside: avoid; }
table.taxes { border-collapse: collapse; font-size: 9pt; }
table.taxes th { text-align: left; font-weight: normal; color: #57606a; padding: 2pt 8pt 2pt 0; border-bottom: 0.5pt solid #d0d7de; }
table.taxes td { padding: 2pt 8pt 2pt 0; }
table.totals { border-collapse: collapse; min-width: 70mm; margin-left: auto; }
table.totals td { padding: 3pt 0 3pt 12pt; }
table.totals tr.grand td { font-size: 12pt; font-weight: bold; border-top: 1.5pt solid #0b3d62; padding-top: 6pt; }
table.totals tr.due td { font-weight: bold; color: #0b3d62; }
.block { margin-top: 18pt; break-inside: avoid; }
.block p { margin: 0; white-space: pre-line; }
.stamp { position: absolute; top: 30mm; left: 50%; transform: translateX(-50%) rotate(-14deg); border: 3pt solid; border-radius: 6pt; padding: 4pt 18pt; font-size: 28pt; font-weight: bold; letter-spacing: 4pt; text-transform: uppercase; opacity: 0.35; }
.stamp-PAID { color: #1a7f37; }
.stamp-CANCELLED { color: #cf222e; }
`;

/** The page every printed document shares: the studio's letterhead and the document's heading, then its body. */
export function DocumentLayout(props: LayoutProps) {
  const { studio } = props;
  return (
    <html lang={props.locale}>
      <head>
        <meta charset="utf-8" />
        <title>{props.title}</title>
        <style>{CSS}</style>
      </head>
      <body>
        {props.stamp ? <div class={`stamp stamp-${props.stamp.kind}`}>{props.stamp.label}</div> : null}
        <header class="top">
          <div class="studio">
            {studio.logoDataUri ? <img class="logo" src={studio.logoDataUri} alt={studio.name} /> : null}
            <div class="studio-name">{studio.name}</div>
            {studio.addressLines.map((line) => (
              <div>{line}</div>
            ))}
            <div class="muted">{studio.email}</div>
            {studio.phone ? <div class="muted">{studio.phone}</div> : null}
            {studio.vatNumber ? (
              <div class="muted">
                {props.vatLabel} {studio.vatNumber}
              </div>
            ) : null}
          </div>
          <div class="doc">
            <div class="doc-kind">{props.heading}</div>
            <div class="doc-ref">{props.reference}</div>
            <table class="meta">
              {props.meta.map((row) => (
                <tr>
                  <td class="label">{row.label}</td>
                  <td>{row.value}</td>
                </tr>
              ))}
            </table>
          </div>
        </header>
        {props.children}
      </body>
    </html>
  );
}

/** Chromium's print footer (`footerTemplate`): a reference and the page count on every page. */
export function documentFooter(reference: string, pageLabel: string): string {
  return (
    <div style="width:100%;font-size:7pt;color:#57606a;padding:0 16mm;display:flex;justify-content:space-between;font-family:Helvetica,Arial,sans-serif">
      <span>{reference}</span>
      <span>
        {pageLabel} <span class="pageNumber"></span> / <span class="totalPages"></span>
      </span>
    </div>
  ).toString();
}

/** A document element (a DocumentLayout) to the HTML string the PDF is printed from. */
export const documentHtml = (element: JSX.Element): string => `<!doctype html>${element.toString()}`;
