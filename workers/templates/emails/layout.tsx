import type { Child } from "hono/jsx";

/** The frame of every HTML email: inline styles only, since mail clients drop <style> blocks and scripts. */
export function EmailLayout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
      </head>
      <body style="margin:0;padding:24px;background:#f4f4f5;font-family:Helvetica,Arial,sans-serif;color:#18181b">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
          <tr>
            <td align="center">
              <table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;padding:32px">
                <tr>
                  <td>
                    <p style="margin:0 0 24px;font-size:14px;letter-spacing:2px;text-transform:uppercase;color:#71717a">Lightbox</p>
                    {props.children}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

export function EmailButton(props: { href: string; label: string }) {
  return (
    <p style="margin:24px 0">
      <a href={props.href} style="display:inline-block;background:#18181b;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">
        {props.label}
      </a>
    </p>
  );
}
