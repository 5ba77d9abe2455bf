import { describe, expect, it } from "vitest";
import { api, register, waitForMail, type DevMail } from "../support/node/api";

// Attachment bytes and their download are covered in the workers pool (test/mail): nothing reachable over
// HTTP sends an attachment yet. Here: what a person sees in the running Worker.
describe("development mailbox", () => {
  it("lists a sent email by recipient (any case) and serves the raw message as sent", async () => {
    const account = await register();
    const mail = await waitForMail(account.email, (m) => m.subject.startsWith("Confirm your email"));
    const list = await api<{ items: DevMail[] }>(`/api/dev/mailbox?to=${encodeURIComponent(account.email.toUpperCase())}`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((m) => m.id)).toContain(mail.id);
    expect(mail.attachments).toEqual([]);

    const raw = await fetch(mail.rawUrl);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toBe("message/rfc822");
    const text = await raw.text();
    expect(text).toMatch(/^Subject: \S/m);
    expect(text).toMatch(/^Message-ID: <[^>]+@lightbox\.example>/m);
    expect(text).toMatch(/^Content-Type: multipart\/alternative/m);
    expect((await api(`/api/dev/mailbox/${mail.id}/attachments/0`)).status).toBe(404);
  });

  it("DELETE empties it", async () => {
    const before = await api<{ items: DevMail[] }>("/api/dev/mailbox?limit=100");
    expect(before.body.items.length).toBeGreaterThan(0);
    const cleared = await api("/api/dev/mailbox", { method: "DELETE" });
    expect(cleared.status).toBe(204);

    // Mail the queue delivers after the DELETE may appear; nothing from before it may remain.
    const after = await api<{ items: DevMail[] }>("/api/dev/mailbox?limit=100");
    const previous = new Set(before.body.items.map((m) => m.id));
    expect(after.body.items.filter((m) => previous.has(m.id))).toEqual([]);
    expect((await api(before.body.items[0]!.rawUrl)).status).toBe(404);
  });
});
