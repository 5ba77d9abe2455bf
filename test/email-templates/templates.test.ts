import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { emailTemplateKinds } from "@shared/db/schema";
import { getConfig } from "@shared/config";
import { previewTemplate, renderTemplate } from "../../workers/modules/email-templates/service";
import { api, errorPaths, expectProblem, register } from "../support/http";

const db = createDb(env.DB);
const APP_URL = "app.lightbox.test";

describe("email templates", () => {
  it("lists every kind with its default wording and documented variables", async () => {
    const owner = await register();
    const res = await api("/api/email-templates", { token: owner.accessToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((t: { kind: string }) => t.kind)).toEqual([...emailTemplateKinds]);
    for (const template of res.body.items) {
      expect(template).toMatchObject({ isDefault: true, updatedAt: null, subject: expect.any(String), body: expect.any(String) });
      const names = template.variables.map((v: { name: string }) => v.name);
      expect(names).toEqual(expect.arrayContaining(["client.firstName", "client.lastName", "client.fullName", "studio.name"]));
      for (const variable of template.variables) expect(variable.description.length).toBeGreaterThan(5);
      // Every default only uses its own variables.
      for (const used of `${template.subject} ${template.body}`.matchAll(/\{\{([^}]+)\}\}/g)) expect(names).toContain(used[1]);
    }
    const quote = res.body.items.find((t: { kind: string }) => t.kind === "QUOTE_SENT");
    expect(quote.variables.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(["quote.number", "quote.total", "quote.validUntil", "portal.url"]));
    const reminder = res.body.items.find((t: { kind: string }) => t.kind === "PAYMENT_REMINDER");
    expect(reminder.variables.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(["invoice.number", "invoice.balanceDue", "invoice.dueDate", "portal.url"]));
  });

  it("saves a studio's wording, keeps it to that studio, and resets it to the default", async () => {
    const owner = await register();
    const other = await register();
    const original = await api("/api/email-templates/QUOTE_SENT", { token: owner.accessToken });
    expect(original.status).toBe(200);

    const saved = await api("/api/email-templates/QUOTE_SENT", {
      method: "PUT",
      token: owner.accessToken,
      json: { subject: "Your quote {{ quote.number }}", body: "Hi {{client.firstName}},\n\nHere it is: {{portal.url}}" },
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ kind: "QUOTE_SENT", subject: "Your quote {{ quote.number }}", isDefault: false, updatedAt: expect.any(String) });
    expect((await api("/api/email-templates/QUOTE_SENT", { token: owner.accessToken })).body.isDefault).toBe(false);
    const again = await api("/api/email-templates/QUOTE_SENT", { method: "PUT", token: owner.accessToken, json: { subject: "Quote {{quote.number}}", body: "Hello {{portal.url}}" } });
    expect(again.body).toMatchObject({ subject: "Quote {{quote.number}}", body: "Hello {{portal.url}}", isDefault: false });

    // Another studio still has the default.
    expect((await api("/api/email-templates/QUOTE_SENT", { token: other.accessToken })).body).toMatchObject({ isDefault: true, subject: original.body.subject });
    const rendered = await renderTemplate(db, owner.user.id, "QUOTE_SENT", { quote: { number: "Q-2026-0001" } });
    expect(rendered.subject).toBe("Quote Q-2026-0001");

    const reset = await api("/api/email-templates/QUOTE_SENT", { method: "DELETE", token: owner.accessToken });
    expect(reset.status).toBe(204);
    expect((await api("/api/email-templates/QUOTE_SENT", { token: owner.accessToken })).body).toEqual(original.body);
    expect((await api("/api/email-templates/QUOTE_SENT", { method: "DELETE", token: owner.accessToken })).status).toBe(204);
  });

  it("refuses unknown variables and malformed braces with the field and the variable named", async () => {
    const owner = await register();
    const put = (kind: string, json: unknown) => api(`/api/email-templates/${kind}`, { method: "PUT", token: owner.accessToken, json });

    const unknown = expectProblem(await put("QUOTE_SENT", { subject: "Quote {{quote.number}}", body: "Hello {{client.nickname}}, {{invoice.number}}" }), 400, "VALIDATION_FAILED");
    expect(unknown.errors!.map((e) => e.path)).toEqual(["body.body", "body.body"]);
    expect(unknown.errors![0]!.message).toContain("{{client.nickname}}");
    expect(unknown.errors![1]!.message).toContain("{{invoice.number}}");

    const malformed = expectProblem(await put("INVOICE_SENT", { subject: "Invoice {{invoice.number", body: "ok" }), 400, "VALIDATION_FAILED");
    expect(malformed.errors).toEqual([{ path: "body.subject", message: expect.stringContaining("never closed") }]);
    const notAName = expectProblem(await put("INVOICE_SENT", { subject: "Invoice", body: "{{ invoice number }}" }), 400, "VALIDATION_FAILED");
    expect(notAName.errors).toEqual([{ path: "body.body", message: expect.stringContaining("{{ invoice number }}") }]);

    expect(errorPaths(await put("QUOTE_SENT", { subject: "", body: "x", extra: 1 }))).toEqual(expect.arrayContaining(["body.subject", "body.extra"]));
    expect(errorPaths(await put("QUOTE_SENT", { subject: "two\nlines", body: "x" }))).toEqual(["body.subject"]);
    expect(errorPaths(await put("QUOTE_SENT", { body: "x" }))).toEqual(["body.subject"]);

    for (const [method, path] of [
      ["GET", "/api/email-templates/NOPE"],
      ["PUT", "/api/email-templates/NOPE"],
      ["DELETE", "/api/email-templates/NOPE"],
      ["POST", "/api/email-templates/NOPE/preview"],
    ] as const) {
      expectProblem(await api(path, { method, token: owner.accessToken, ...(method === "PUT" ? { json: { subject: "a", body: "b" } } : {}) }), 404, "NOT_FOUND");
    }
    expect((await api("/api/email-templates")).status).toBe(401);
  });

  it("previews the saved template or a draft with sample values, portal links only", async () => {
    const owner = await register({ firstName: "Zoé", lastName: "Martin" });
    const preview = await api("/api/email-templates/QUOTE_SENT/preview", { method: "POST", token: owner.accessToken });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.subject).toBe("Quote Q-2026-0042 from Zoé Martin");
    expect(preview.body.text).toContain("Hello Camille,");
    expect(preview.body.text).toContain("€1,250.00");
    expect(preview.body.text).toContain("http://lightbox.test/portal?token=preview");
    expect(preview.body.html).toMatch(/^<!doctype html>/);
    // The lone link paragraph is a button.
    expect(preview.body.html).toContain('href="http://lightbox.test/portal?token=preview"');
    expect(preview.body.html).toContain("View the quote");
    expect(preview.body.text + preview.body.html).not.toContain(APP_URL);

    const draft = await api("/api/email-templates/INVOICE_SENT/preview", {
      method: "POST",
      token: owner.accessToken,
      json: { body: "Dear {{client.fullName}} <team>,\nline two\n\nPay at {{portal.url}} today." },
    });
    expect(draft.status, draft.text).toBe(200);
    expect(draft.body.subject).toBe("Invoice F-2026-0017 from Zoé Martin");
    expect(draft.body.text).toBe("Dear Camille Durand <team>,\nline two\n\nPay at http://lightbox.test/portal?token=preview today.");
    expect(draft.body.html).toContain("Dear Camille Durand &lt;team&gt;,<br/>line two</p>");
    // Inline, the link stays a link inside its sentence.
    expect(draft.body.html).toContain('Pay at <a href="http://lightbox.test/portal?token=preview">http://lightbox.test/portal?token=preview</a> today.</p>');
    expect(draft.body.html).not.toContain("View the invoice");

    const bad = expectProblem(await api("/api/email-templates/INVOICE_SENT/preview", { method: "POST", token: owner.accessToken, json: { subject: "{{quote.number}}" } }), 400, "VALIDATION_FAILED");
    expect(bad.errors).toEqual([{ path: "body.subject", message: expect.stringContaining("{{quote.number}}") }]);
  });

  it("escapes values in the HTML part and keeps them raw in the text part", async () => {
    const owner = await register();
    await api("/api/email-templates/CLIENT_MESSAGE_REPLY", {
      method: "PUT",
      token: owner.accessToken,
      json: { subject: "For {{client.fullName}}", body: "Hello {{client.firstName}},\n\n{{message.body}}\n\n{{portal.url}}" },
    });
    const rendered = await renderTemplate(db, owner.user.id, "CLIENT_MESSAGE_REPLY", {
      client: { firstName: "<b>Eve</b> & Co", fullName: "<b>Eve</b> & Co" },
      message: { body: 'First "part"\n\n<script>alert(1)</script>' },
      portal: { url: "https://portal.example/?token=a&b=<c>" },
    });
    expect(rendered.subject).toBe("For <b>Eve</b> & Co");
    expect(rendered.text).toBe('Hello <b>Eve</b> & Co,\n\nFirst "part"\n\n<script>alert(1)</script>\n\nhttps://portal.example/?token=a&b=<c>');
    expect(rendered.html).toContain("Hello &lt;b&gt;Eve&lt;/b&gt; &amp; Co,");
    expect(rendered.html).not.toContain("<b>Eve</b>");
    expect(rendered.html).not.toContain("<script>");
    expect(rendered.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(rendered.html).toContain('href="https://portal.example/?token=a&amp;b=&lt;c&gt;"');
    expect(rendered.html).toContain("<title>For &lt;b&gt;Eve&lt;/b&gt; &amp; Co</title>");
    // One paragraph per block, the value's own blank line included, and a button for the lone link.
    expect(rendered.html.match(/<p style="margin:0 0 16px/g)).toHaveLength(3);
    expect(rendered.html).toContain(">Reply</a>");
  });

  it("requires {{portal.url}} in the body of every kind that has one", async () => {
    const owner = await register();
    const put = (kind: string, body: string) => api(`/api/email-templates/${kind}`, { method: "PUT", token: owner.accessToken, json: { subject: "Hello", body } });
    for (const kind of ["QUOTE_SENT", "INVOICE_SENT", "PAYMENT_REMINDER", "CLIENT_MESSAGE_REPLY"]) {
      const refused = expectProblem(await put(kind, "Hello {{client.firstName}}, see you soon."), 400, "VALIDATION_FAILED");
      expect(refused.errors).toEqual([{ path: "body.body", message: expect.stringContaining("{{portal.url}}") }]);
      expect((await put(kind, "Hello {{client.firstName}}:\n\n{{portal.url}}")).status).toBe(200);
    }
    // In the subject it does not count; kinds without a portal link need none.
    expect(errorPaths(await api("/api/email-templates/QUOTE_SENT", { method: "PUT", token: owner.accessToken, json: { subject: "{{portal.url}}", body: "Hello" } }))).toEqual(["body.body"]);
    expect((await put("SCHEDULED_EMAIL", "Hello {{client.firstName}}")).status).toBe(200);
  });

  it("refuses a template whose email could outgrow a queue message with its variables at their longest", async () => {
    const owner = await register();
    const put = (body: string) => api("/api/email-templates/CLIENT_MESSAGE_REPLY", { method: "PUT", token: owner.accessToken, json: { subject: "Reply", body } });
    // One message body (5,000 characters at most) fits; a dozen copies of it cannot.
    expect((await put("{{message.body}}\n\n{{portal.url}}")).status).toBe(200);
    const refused = expectProblem(await put(`${"{{message.body}} ".repeat(12)}\n\n{{portal.url}}`), 400, "VALIDATION_FAILED");
    expect(refused.errors).toEqual([{ path: "body.body", message: expect.stringMatching(/over the 96 KB limit/) }]);
    // Plain text that escapes heavily counts too, even within the 20,000 characters a body may have.
    expect(errorPaths(await api("/api/email-templates/SCHEDULED_EMAIL", { method: "PUT", token: owner.accessToken, json: { subject: "x", body: '"'.repeat(19_000) } }))).toEqual(["body.body"]);
  });

  it("previews portal links through the portal's own URL builder, query string and all", async () => {
    const owner = await register();
    const deps = { env, db, config: { ...getConfig(env), portal: { ...getConfig(env).portal, url: "https://clients.example/space?studio=7" } }, actor: { type: "USER" as const, id: owner.user.id, requestId: null } };
    const preview = await previewTemplate(deps, owner.user.id, "QUOTE_SENT", {});
    expect(preview.text).toContain("https://clients.example/space?studio=7&token=preview");
    expect(preview.text).not.toContain("?studio=7?token");
  });
});
