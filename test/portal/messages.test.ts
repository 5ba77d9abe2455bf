import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "@shared/db/schema";
import { mailsAfterJobs } from "../support/jobs";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { db, insertInvoice, insertQuote, newContact, newStudio, portal, quoteScenario } from "./helpers";

describe("client messages", () => {
  it("client → owner: stored, CLIENT_MESSAGE_RECEIVED with a reply link to the dashboard, listed for the owner and read when they open it", async () => {
    const { studio, contact, link } = await quoteScenario();
    const sent = await portal("/messages", link.token, { json: { body: "  Could we start at 10 instead?  " } });
    expect(sent.status, sent.text).toBe(201);
    expect(sent.body).toEqual({ id: expect.any(String), contactId: contact.id, direction: "CLIENT", body: "Could we start at 10 instead?", readAt: null, createdAt: expect.any(String) });

    // The owner is told by a job keyed by the message, so a failure is retried and a retry tells once.
    await mailsAfterJobs(studio.email, [`client-message:${sent.body.id}`]);
    const [note] = await db.select().from(notifications).where(and(eq(notifications.userId, studio.id), eq(notifications.type, "CLIENT_MESSAGE_RECEIVED")));
    expect(note).toMatchObject({ title: "New message from Camille Durand", body: "Could we start at 10 instead?", data: { contactId: contact.id, messageId: sent.body.id } });
    const mails = (await mailsAfterJobs(studio.email, [`notification:${studio.id}:client-message:${sent.body.id}`])).filter((m) => m.subject.startsWith("New message"));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(`http://app.lightbox.test/contacts/${contact.id}`);
    expect(mails[0]!.text).toContain("Could we start at 10 instead?");

    const thread = await api(`/api/contacts/${contact.id}/messages`, { token: studio.token });
    expect(thread.status, thread.text).toBe(200);
    expect(thread.body.items).toHaveLength(1);
    expect(thread.body.items[0]).toMatchObject({ id: sent.body.id, direction: "CLIENT", readAt: expect.any(String) });
    // The client sees their own message as read by the studio.
    expect((await portal("/messages", link.token)).body.items[0].readAt).not.toBeNull();
  });

  it("owner → client: stored, emailed to the client with a portal link and never a dashboard link, read when the client opens the thread", async () => {
    const { studio, contact, link } = await quoteScenario();
    await portal("/messages", link.token, { json: { body: "Hello!" } });
    const reply = await api(`/api/contacts/${contact.id}/messages`, { token: studio.token, json: { body: "Of course, 10 it is. <b>See you</b>" } });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toMatchObject({ direction: "OWNER", contactId: contact.id, body: "Of course, 10 it is. <b>See you</b>", readAt: null });

    const mails = await mailsAfterJobs(contact.email!, [`client-message-reply:${reply.body.id}`]);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.text).toContain("Of course, 10 it is.");
    expect(mail.html).not.toContain("<b>See you</b>");
    const urls = [...`${mail.text} ${mail.html}`.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    expect(urls.some((url) => url.startsWith("http://lightbox.test/portal?token="))).toBe(true);
    expect(urls.filter((url) => url.includes("app.lightbox.test"))).toEqual([]);
    // The link in the email is a contact-wide one (not the quote's), and it opens the thread.
    const token = new URL(urls.find((url) => url.startsWith("http://lightbox.test/portal?token="))!.replace(/&amp;/g, "&")).searchParams.get("token")!;
    expect(token).not.toBe(link.token);

    const seen = await portal("/messages", token);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body.items.map((m: { direction: string }) => m.direction)).toEqual(["OWNER", "CLIENT"]);
    expect(seen.body.items[0].readAt).not.toBeNull();
    const contactOnly = (await portal("", token)).body;
    expect(contactOnly.quote).toBeNull();
    expect(contactOnly.invoice).toBeNull();
    // A second answer reuses the same live link.
    const second = await api(`/api/contacts/${contact.id}/messages`, { token: studio.token, json: { body: "And bring the rings." } });
    const again = await mailsAfterJobs(contact.email!, [`client-message-reply:${second.body.id}`]);
    expect(again.filter((m) => m.text?.includes(token))).toHaveLength(2);
  });

  it("pages the thread newest first and refuses empty, oversized or unknown fields", async () => {
    const { studio, contact, link } = await quoteScenario();
    for (const body of ["one", "two", "three"]) expect((await portal("/messages", link.token, { json: { body } })).status).toBe(201);
    const first = await portal("/messages?limit=2", link.token);
    expect(first.body.items.map((m: { body: string }) => m.body)).toEqual(["three", "two"]);
    const rest = await portal(`/messages?limit=2&cursor=${first.body.nextCursor}`, link.token);
    expect(rest.body.items.map((m: { body: string }) => m.body)).toEqual(["one"]);
    expect(rest.body.nextCursor).toBeNull();
    const owner = await api(`/api/contacts/${contact.id}/messages?limit=1`, { token: studio.token });
    expect(owner.body.items.map((m: { body: string }) => m.body)).toEqual(["three"]);

    expect(errorPaths(await portal("/messages", link.token, { json: { body: "   " } }))).toEqual(["body.body"]);
    expect(errorPaths(await portal("/messages", link.token, { json: { body: "x".repeat(5001) } }))).toEqual(["body.body"]);
    expect((await portal("/messages", link.token, { json: { body: "x".repeat(5000) } })).status).toBe(201);
    expect(errorPaths(await portal("/messages", link.token, { json: { body: "hi", contactId: "x" } }))).toEqual(["body.contactId"]);
    expect(errorPaths(await api(`/api/contacts/${contact.id}/messages`, { token: studio.token, json: { body: "" } }))).toEqual(["body.body"]);
  });

  it("answers 409 when the contact has no email to answer to", async () => {
    const studio = await newStudio();
    const contact = await newContact(studio, { email: null });
    const res = expectProblem(await api(`/api/contacts/${contact.id}/messages`, { token: studio.token, json: { body: "Hi" } }), 409, "CONFLICT");
    expect(res.detail).toMatch(/no email/);
    expect((await api(`/api/contacts/${contact.id}/messages`, { token: studio.token })).body.items).toEqual([]);
  });
});

describe("owner routes belong to their owner", () => {
  it("answers 404 to another user on every owner route, and 401 without a token", async () => {
    const { studio, contact, quote, link } = await quoteScenario();
    const invoice = await insertInvoice(studio.id, contact.id);
    await insertQuote(studio.id, contact.id);
    const intruder = await register();
    const calls: [string, string, unknown?][] = [
      ["POST", `/api/quotes/${quote.id}/client-link`],
      ["POST", `/api/invoices/${invoice.id}/client-link`],
      ["GET", `/api/contacts/${contact.id}/client-links`],
      ["DELETE", `/api/client-links/${link.id}`],
      ["GET", `/api/contacts/${contact.id}/messages`],
      ["POST", `/api/contacts/${contact.id}/messages`, { body: "Hi" }],
    ];
    for (const [method, path, json] of calls) {
      expectProblem(await api(path, { method, token: intruder.accessToken, json }), 404, "NOT_FOUND");
      expectProblem(await api(path, { method, json }), 401, "UNAUTHORIZED");
    }
    // Nothing happened: the link still works and no message was stored.
    expect((await portal("", link.token)).status).toBe(200);
    expect((await api(`/api/contacts/${contact.id}/messages`, { token: studio.token })).body.items).toEqual([]);
    for (const path of [`/api/quotes/${"0".repeat(8)}/client-link`, `/api/client-links/missing`]) {
      expectProblem(await api(path, { method: path.includes("client-links") ? "DELETE" : "POST", token: studio.token }), 404, "NOT_FOUND");
    }
  });
});
