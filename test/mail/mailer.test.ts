import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { createDb } from "@shared/db/client";
import { devMail } from "@shared/db/schema";
import { createApp } from "../../workers/app";
import { buildMime, parseMailbox } from "../../workers/modules/mail/mime";
import { deliverEmail } from "../../workers/modules/mail/service";
import { passwordResetEmail } from "../../workers/templates/emails/account";

const db = createDb(env.DB);
const pdfBytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff, 0x80]);

describe("MIME building", () => {
  it("produces a message with text, HTML and a binary attachment that a MIME parser reads back intact", async () => {
    const { raw, messageId, from } = buildMime({
      from: "Studio Lumière <no-reply@studio.test>",
      to: "élodie@client.test",
      subject: "Votre devis Q-2026-0001 — été",
      text: "Bonjour Élodie,\nvoici votre devis.",
      html: "<p>Bonjour <b>Élodie</b></p>",
      replyTo: "hello@studio.test",
      attachments: [{ filename: "Q-2026-0001.pdf", contentType: "application/pdf", data: pdfBytes }],
    });
    expect(from).toBe("no-reply@studio.test");
    expect(raw).toMatch(/^MIME-Version: 1\.0/m);
    const parsed = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.from).toMatchObject({ address: "no-reply@studio.test", name: "Studio Lumière" });
    expect(parsed.to?.[0]?.address).toBe("élodie@client.test");
    expect(parsed.subject).toBe("Votre devis Q-2026-0001 — été");
    expect(parsed.text?.trim()).toBe("Bonjour Élodie,\nvoici votre devis.");
    expect(parsed.html).toContain("<b>Élodie</b>");
    expect(parsed.replyTo?.[0]?.address).toBe("hello@studio.test");
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: "Q-2026-0001.pdf", mimeType: "application/pdf" });
    expect(new Uint8Array(parsed.attachments[0]!.content as ArrayBuffer)).toEqual(pdfBytes);
  });

  it("parses mailboxes with and without a display name", () => {
    expect(parseMailbox("Lightbox <no-reply@lightbox.test>")).toEqual({ name: "Lightbox", address: "no-reply@lightbox.test" });
    expect(parseMailbox('"Studio, Paris" <a@b.test>')).toEqual({ name: "Studio, Paris", address: "a@b.test" });
    expect(parseMailbox("  a@b.test ")).toEqual({ address: "a@b.test" });
  });
});

describe("deliverEmail through the EMAIL binding", () => {
  it("captures what was sent in development, with its attachments downloadable from the mailbox", async () => {
    await deliverEmail(env, db, {
      to: "capture@client.test",
      subject: "Captured",
      text: "Plain body",
      html: "<p>HTML body</p>",
      attachments: [{ filename: "invite.ics", contentType: "text/calendar", data: new TextEncoder().encode("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") }],
    });
    const app = createApp();
    const ctx = createExecutionContext();
    const res = await app.request("http://lightbox.test/api/dev/mailbox?to=capture@client.test", {}, env, ctx);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { subject: string; text: string; html: string; from: string; attachments: { filename: string; size: number; url: string; contentType: string }[] }[] };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: "Captured", from: "no-reply@lightbox.example" });
    expect(items[0]!.html.trim()).toBe("<p>HTML body</p>");
    expect(items[0]!.text.trim()).toBe("Plain body");
    expect(items[0]!.attachments).toEqual([expect.objectContaining({ filename: "invite.ics", contentType: "text/calendar", size: 32 })]);
    const download = await app.request(items[0]!.attachments[0]!.url, {}, env, ctx);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("text/calendar");
    expect(await download.text()).toBe("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    await waitOnExecutionContext(ctx);
  });

  it("sends without capturing outside development, where the mailbox routes do not exist", async () => {
    const production = { ...env, ENVIRONMENT: "production" };
    const before = (await db.select().from(devMail)).length;
    await deliverEmail(production, db, { to: "prod@client.test", subject: "Live", text: "x" });
    expect((await db.select().from(devMail)).length).toBe(before);
    const res = await createApp().request("http://lightbox.test/api/dev/mailbox", {}, production, createExecutionContext());
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "NOT_FOUND" });
    const del = await createApp().request("http://lightbox.test/api/dev/mailbox", { method: "DELETE" }, production, createExecutionContext());
    expect(del.status).toBe(404);
    await del.arrayBuffer();
  });

  it("empties the mailbox on DELETE", async () => {
    await deliverEmail(env, db, { to: "gone@client.test", subject: "Soon gone", text: "x" });
    const app = createApp();
    const del = await app.request("http://lightbox.test/api/dev/mailbox", { method: "DELETE" }, env, createExecutionContext());
    expect(del.status).toBe(204);
    expect(await db.select().from(devMail)).toHaveLength(0);
    const listed = await app.request("http://lightbox.test/api/dev/mailbox", {}, env, createExecutionContext());
    expect(await listed.json()).toEqual({ items: [] });
  });
});

describe("email templates", () => {
  it("escapes values in the HTML part and keeps the link in both parts", () => {
    const email = passwordResetEmail({ firstName: "<script>alert(1)</script>", link: "https://app.test/reset-password?token=abc&x=1", ttlMinutes: 30 });
    expect(email.html).not.toContain("<script>alert(1)</script>");
    expect(email.html).toContain("&lt;script&gt;");
    expect(email.html).toContain('href="https://app.test/reset-password?token=abc&amp;x=1"');
    expect(email.text).toContain("https://app.test/reset-password?token=abc&x=1");
    expect(email.text).toContain("30 minutes");
  });
});
