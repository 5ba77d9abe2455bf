import { describe, expect, it } from "vitest";
import { quoteStatuses, type QuoteStatus } from "@shared/db/schema";
import { QUOTE_TRANSITIONS } from "../../workers/modules/documents/transitions";
import { sendQuote } from "../../workers/modules/quotes/actions";
import { api, expectProblem } from "../support/http";
import { depsFor, forceQuote, newOwner, newQuote, type Owner } from "../documents/helpers";

async function quoteIn(owner: Owner, status: QuoteStatus) {
  const quote = await newQuote(owner);
  await forceQuote(quote.id, { status });
  return quote;
}

const LEGAL_PATCH = new Set(["SENT→ACCEPTED", "SENT→REJECTED"]);

describe("quote status transitions", () => {
  it("the table: DRAFT → SENT (send) → ACCEPTED | REJECTED | EXPIRED, nothing out of a final status", () => {
    for (const status of ["ACCEPTED", "REJECTED", "EXPIRED"] as const) expect(QUOTE_TRANSITIONS[status]).toEqual({});
    expect(QUOTE_TRANSITIONS.DRAFT).toEqual({ SENT: ["send"] });
  });

  for (const from of quoteStatuses) {
    it(`from ${from}: PATCH status, send, convert and delete answer as the table says`, async () => {
      const owner = await newOwner();
      for (const to of quoteStatuses) {
        const quote = await quoteIn(owner, from);
        const res = await api(`/api/quotes/${quote.id}`, { method: "PATCH", token: owner.token, json: { status: to } });
        if (LEGAL_PATCH.has(`${from}→${to}`)) {
          expect(res.status, `${from}→${to}`).toBe(200);
          expect(res.body.status).toBe(to);
        } else {
          expectProblem(res, 409, "CONFLICT");
        }
      }

      const sendable = from === "DRAFT" || from === "SENT";
      const toSend = await quoteIn(owner, from);
      if (sendable) expect((await sendQuote(depsFor(owner.id), owner.id, toSend.id)).status).toBe("SENT");
      else expectProblem(await api(`/api/quotes/${toSend.id}/send`, { method: "POST", token: owner.token }), 409, "CONFLICT");

      const toConvert = await quoteIn(owner, from);
      const converted = await api(`/api/quotes/${toConvert.id}/convert`, { method: "POST", token: owner.token });
      if (from === "SENT" || from === "ACCEPTED") expect(converted.status, converted.text).toBe(201);
      else expectProblem(converted, 409, "CONFLICT");

      const toDelete = await quoteIn(owner, from);
      const deleted = await api(`/api/quotes/${toDelete.id}`, { method: "DELETE", token: owner.token });
      if (from === "DRAFT") {
        expect(deleted.status).toBe(204);
        expectProblem(await api(`/api/quotes/${toDelete.id}`, { token: owner.token }), 404, "NOT_FOUND");
      } else {
        expectProblem(deleted, 409, "CONFLICT");
      }
    });
  }
});
