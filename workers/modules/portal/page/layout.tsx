import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { toBase64 } from "@shared/lib/crypto";

// One HTML response per page and no script at all: every action is a plain form that posts and redirects back.
const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#18181b;background:#fafafa}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.muted{color:#52525b}.pre{white-space:pre-line}.small{font-size:.875rem}
header.studio{border-bottom:1px solid #e4e4e7;padding-bottom:.75rem}header.studio address{font-style:normal}
.note{padding:.75rem 1rem;border-radius:.5rem;background:#eef2ff;margin:1rem 0}.note.bad{background:#fef2f2;color:#991b1b}.note.good{background:#ecfdf5;color:#065f46}
.status{display:inline-block;padding:.1rem .5rem;border-radius:1rem;background:#e4e4e7;font-size:.8rem;font-weight:600;vertical-align:middle}
table{width:100%;border-collapse:collapse;margin:.5rem 0}th,td{padding:.4rem .3rem;border-bottom:1px solid #e4e4e7;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}tfoot td{border-bottom:0}tfoot tr.total td{font-weight:700;border-top:2px solid #18181b}
.actions{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));margin-top:1rem}
.btn{display:inline-block;padding:.6rem 1rem;border:1px solid #18181b;border-radius:.5rem;background:#18181b;color:#fff;text-decoration:none;font:inherit;cursor:pointer}
.btn.quiet{background:#fff;color:#18181b}
label{display:block;margin-top:.5rem;font-weight:600}
textarea{display:block;width:100%;padding:.6rem;border:1px solid #a1a1aa;border-radius:.5rem;font:inherit;margin:.25rem 0 .75rem}
ol.thread{list-style:none;padding:0;margin:0}ol.thread li{margin:.5rem 0;padding:.5rem .75rem;border-radius:.5rem;background:#fff;border:1px solid #e4e4e7}
ol.thread li.mine{background:#f4f4f5}
`;

let csp: Promise<string> | undefined;

/** Only our own inline style (by hash); no script, forms only to this origin, no framing, no referrer. */
export function contentSecurityPolicy(): Promise<string> {
  csp ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(CSS)).then(
    (digest) =>
      `default-src 'none'; style-src 'sha256-${toBase64(digest)}'; img-src 'self'; form-action 'self'; ` +
      `base-uri 'none'; frame-ancestors 'none'`,
  );
  return csp;
}

export function Page(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

export function ErrorPage(props: { title: string; message: string }) {
  return (
    <Page title={props.title}>
      <h1>{props.title}</h1>
      <p class="muted">{props.message}</p>
    </Page>
  );
}
