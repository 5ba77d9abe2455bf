import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { toBase64 } from "@shared/lib/crypto";

// One HTML response per page, nothing else to fetch: the style and the script are inline, fonts are the
// system's, there are no images. The whole page stays a few kilobytes, which is what makes it quick on a phone.

const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#18181b;background:#fafafa}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.muted{color:#52525b}.desc{white-space:pre-line}
.note{padding:.75rem 1rem;border-radius:.5rem;background:#eef2ff;margin:1rem 0}.note.bad{background:#fef2f2;color:#991b1b}.note.good{background:#ecfdf5;color:#065f46}
ul.days,ul.slots{list-style:none;padding:0;margin:0;display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(7.5rem,1fr))}
a.day,button.slot,.btn{display:block;width:100%;padding:.6rem .5rem;border:1px solid #d4d4d8;border-radius:.5rem;background:#fff;color:inherit;text-decoration:none;text-align:center;font:inherit;cursor:pointer}
a.day[aria-current]{border-color:#18181b;background:#18181b;color:#fff}
a.day small{display:block;opacity:.75}
.btn{background:#18181b;color:#fff;border-color:#18181b;margin-top:1rem}
.btn.quiet{background:#fff;color:#18181b}
.pager{display:flex;justify-content:space-between;margin:.75rem 0}
label{display:block;margin-top:1rem;font-weight:600}
input,textarea{display:block;width:100%;padding:.6rem;border:1px solid #a1a1aa;border-radius:.5rem;font:inherit;margin-top:.25rem}
.err{color:#b91c1c;font-weight:400}
[aria-invalid=true]{border-color:#b91c1c}
details{margin-top:2rem}code{word-break:break-all}
`;

// Progressive enhancement, nothing more: without it every step is a link or a form.
// 1. A page showing the host's zone because the guest's was unknown reloads once in the browser's zone.
// 2. Day links load that day's times in place instead of a full navigation.
const SCRIPT = `(function(){var d=document,z=d.documentElement.getAttribute("data-detect-tz");
try{var tz=Intl.DateTimeFormat().resolvedOptions().timeZone;if(z&&tz&&tz!==z){var u=new URL(location.href);u.searchParams.set("tz",tz);location.replace(u.href);return}}catch(e){}
if(!window.fetch||!window.DOMParser)return;
d.addEventListener("click",function(e){var a=e.target.closest&&e.target.closest("a[data-swap]");
if(!a||e.button||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey)return;e.preventDefault();
fetch(a.href).then(function(r){if(!r.ok)throw 0;return r.text()}).then(function(t){var n=new DOMParser().parseFromString(t,"text/html");
["days","slots"].forEach(function(id){var o=d.getElementById(id),m=n.getElementById(id);if(o&&m)o.replaceWith(m)});
history.pushState(null,"",a.href);var s=d.getElementById("slots");if(s)s.focus()}).catch(function(){location.href=a.href})});
addEventListener("popstate",function(){location.reload()})})();`;

const sha256 = async (text: string) => `'sha256-${toBase64(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))}'`;
let csp: Promise<string> | undefined;

/**
 * The pages' Content-Security-Policy: only our own inline style and script (by hash, so the HTML is the same
 * for the same data and ETags work), forms only to this origin, no framing.
 */
export function contentSecurityPolicy(): Promise<string> {
  csp ??= Promise.all([sha256(CSS), sha256(SCRIPT)]).then(
    ([style, script]) =>
      `default-src 'none'; style-src ${style}; script-src ${script}; connect-src 'self'; img-src 'self'; ` +
      `form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  );
  return csp;
}

export interface PageProps {
  title: string;
  /** The zone the page shows times in when the guest did not choose one: the script may replace it. */
  detectTimeZoneFrom?: string;
  children: Child;
}

export function Page(props: PageProps) {
  return (
    <html lang="en" data-detect-tz={props.detectTimeZoneFrom}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <main>{props.children}</main>
        <script>{raw(SCRIPT)}</script>
      </body>
    </html>
  );
}

export function ErrorPage(props: { title: string; message: string; link?: { href: string; label: string } }) {
  return (
    <Page title={props.title}>
      <h1>{props.title}</h1>
      <p class="muted">{props.message}</p>
      {props.link && (
        <p>
          <a href={props.link.href}>{props.link.label}</a>
        </p>
      )}
    </Page>
  );
}
