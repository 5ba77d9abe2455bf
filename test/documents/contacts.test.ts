import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { clientAccessTokens, clientMessages, duplicatePairs, invoices, quotes, scheduledEmails } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { api, expectProblem } from "../support/http";
import { actorOf, db, newContact, newInvoice, newOwner, newQuote } from "./helpers";

describe("contacts with documents", () => {
  it("a contact with quotes or invoices cannot be deleted (409); without, it can", async () => {
    const owner = await newOwner();
    await newQuote(owner);
    expectProblem(await api(`/api/contacts/${owner.contactId}`, { method: "DELETE", token: owner.token }), 409, "CONFLICT");
    const billed = await newContact(owner.token, { firstName: "Billed" });
    await newInvoice(owner, { contactId: billed });
    expectProblem(await api(`/api/contacts/${billed}`, { method: "DELETE", token: owner.token }), 409, "CONFLICT");
    const free = await newContact(owner.token, { firstName: "Free" });
    expect((await api(`/api/contacts/${free}`, { method: "DELETE", token: owner.token })).status).toBe(204);
  });

  it("merging moves quotes, invoices, portal links, messages and scheduled emails to the kept contact", async () => {
    const owner = await newOwner();
    const kept = owner.contactId;
    const removed = await newContact(owner.token, { firstName: "Claire", lastName: "Dubois", email: "claire@client.example" });
    const quote = await newQuote(owner, { contactId: removed });
    const invoice = await newInvoice(owner, { contactId: removed });
    const now = new Date();
    await auditedBatch(db, actorOf(owner.id), [
      db.insert(clientAccessTokens).values({ id: newId(), ownerId: owner.id, contactId: removed, quoteId: quote.id, tokenHash: newId(), tokenSealed: "x", expiresAt: now, updatedAt: now }),
      db.insert(clientMessages).values({ id: newId(), ownerId: owner.id, contactId: removed, direction: "CLIENT", body: "Hello" }),
      db.insert(scheduledEmails).values({ id: newId(), ownerId: owner.id, contactId: removed, subject: "Happy anniversary", body: "…", sendAt: now, timezone: "UTC", updatedAt: now }),
    ]);
    // The same email made the two a duplicate pair when the second was created.
    const [pair] = await db.select({ id: duplicatePairs.id }).from(duplicatePairs).where(eq(duplicatePairs.ownerId, owner.id));
    const pairId = pair!.id;
    const res = await api(`/api/duplicates/${pairId}/merge`, { token: owner.token, json: { keepId: kept } });
    expect(res.status, res.text).toBe(200);
    for (const table of [quotes, invoices, clientAccessTokens, clientMessages, scheduledEmails]) {
      const rows = await db.select({ contactId: table.contactId }).from(table).where(eq(table.ownerId, owner.id));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.contactId === kept)).toBe(true);
    }
    expect((await api(`/api/invoices/${invoice.id}`, { token: owner.token })).body.contactId).toBe(kept);
  });
});
