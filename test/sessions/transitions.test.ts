import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessions } from "@shared/db/schema";
import { expectProblem, register } from "../support/http";
import { auditOf, createSession, db, patchSession } from "./helpers";

const STATUSES = ["LEAD", "CONFIRMED", "COMPLETED", "CANCELLED"] as const;
const LEGAL = new Set(["LEAD>CONFIRMED", "LEAD>CANCELLED", "CONFIRMED>COMPLETED", "CONFIRMED>CANCELLED", "CANCELLED>LEAD"]);
const pairs = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));

describe("status transitions", () => {
  let token: string;
  const account = () => (token ? Promise.resolve(token) : register().then((a) => (token = a.accessToken)));

  it.each(pairs.filter(([from, to]) => LEGAL.has(`${from}>${to}`)))("%s → %s is allowed (200)", async (from, to) => {
    const t = await account();
    const session = await createSession(t, { title: `${from} to ${to}`, status: from });
    const res = await patchSession(t, session.id, { status: to });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe(to);
    const trail = await auditOf("session", session.id);
    expect(trail.at(-1)!.changes).toEqual({ status: { before: from, after: to } });
  });

  it.each(pairs.filter(([from, to]) => !LEGAL.has(`${from}>${to}`)))("%s → %s is refused (409 naming both)", async (from, to) => {
    const t = await account();
    const session = await createSession(t, { title: `${from} to ${to}`, status: from, notes: "before" });
    // Other fields of the same request are not applied either.
    const problem = expectProblem(await patchSession(t, session.id, { status: to, notes: "after" }), 409, "CONFLICT");
    expect(problem.detail).toContain(from);
    expect(problem.detail).toContain(to);
    const [row] = await db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row).toMatchObject({ status: from, notes: "before" });
    expect((await auditOf("session", session.id)).map((t) => t.action)).toEqual(["CREATE"]);
  });

  it.each(STATUSES)("keeping %s is not a transition: 200, nothing recorded", async (status) => {
    const t = await account();
    const session = await createSession(t, { title: "Same", status });
    const res = await patchSession(t, session.id, { status });
    expect(res.status, res.text).toBe(200);
    expect((await auditOf("session", session.id)).map((t) => t.action)).toEqual(["CREATE"]);
  });

  it("a full life: lead, confirmed, cancelled, reopened, confirmed, completed, then final", async () => {
    const t = await account();
    const session = await createSession(t, { title: "Saga" });
    for (const status of ["CONFIRMED", "CANCELLED", "LEAD", "CONFIRMED", "COMPLETED"]) {
      const res = await patchSession(t, session.id, { status });
      expect(res.status, `${status}: ${res.text}`).toBe(200);
    }
    for (const status of ["LEAD", "CONFIRMED", "CANCELLED"]) expectProblem(await patchSession(t, session.id, { status }), 409, "CONFLICT");
    // A completed shoot's other fields stay editable.
    expect((await patchSession(t, session.id, { notes: "Delivered" })).status).toBe(200);
  });
});
