// The last step of connecting: the callback's code, redeemed by the signed-in dashboard. The callback runs in
// whichever browser Google sends back, so only the account that started may make the grant its connection.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { oneTimeTokens } from "@shared/db/schema";
import { sha256Hex } from "@shared/lib/crypto";
import { getBusyIntervals } from "../../workers/modules/calendar/busy";
import { api, errorPaths, expectProblem, register } from "../support/http";
import {
  atGoogle,
  callback,
  codeOf,
  complete,
  connectedHost,
  connectionOf,
  consentCode,
  db,
  deps,
  eventsOf,
  fake,
  googleCookie,
  googleIdentity,
  newBooking,
  requestsOf,
  runSync,
  startConnect,
} from "./helpers";

const statusOf = async (token: string) => (await api("/api/calendar/google", { token })).body;
const refusedCode = (res: Awaited<ReturnType<typeof complete>>) => {
  expectProblem(res, 400, "VALIDATION_FAILED");
  expect(errorPaths(res)).toEqual(["body.code"]);
};

describe("completing a Google Calendar connection", () => {
  it("refuses a consent link started on another account, even when the victim's own dashboard redeems it", async () => {
    // The victim already connected their calendar; the attacker starts a connection on their own account and
    // gets the victim to consent through the link.
    const { account: victim, identity } = await connectedHost();
    const attacker = await register();
    const link = await startConnect(attacker);
    const code = codeOf(await callback(await atGoogle(link.toString(), await googleCookie(identity))));
    expect(await statusOf(attacker.accessToken)).toEqual({ connected: false, status: "PENDING", accountEmail: null, lastError: null, calendarId: "primary" });

    // The victim's browser lands on their dashboard, which redeems the code as the victim: refused, and spent.
    refusedCode(await complete(victim, code));
    refusedCode(await complete(attacker, code));
    expect(await connectionOf(attacker.user.id)).toBeUndefined();
    expect(await statusOf(attacker.accessToken)).toEqual({ connected: false, status: null, accountEmail: null, lastError: null, calendarId: null });

    // The victim's own connection is untouched, at Google too: the dropped grant was not revoked there, and the
    // victim's refresh token still gets access tokens.
    expect(await statusOf(victim.accessToken)).toMatchObject({ connected: true, status: "ACTIVE", accountEmail: identity.email });
    await fake("/__fake/tokens/expire", { json: { email: identity.email } });
    const booking = await newBooking(victim.user.id);
    expect(await runSync(booking.id)).toEqual({ action: "ack" });
    expect((await eventsOf(identity.email)).map((event) => event.summary)).toEqual(["[MEETING] Grace Guest"]);
    expect((await requestsOf(identity.email)).map((r) => `${r.operation} ${r.status}`)).toEqual(["insert 401", "insert 200"]);
  });

  it("refuses another account's code and leaves nothing active for either", async () => {
    const starter = await register();
    const other = await register();
    const code = await consentCode(starter, googleIdentity());
    refusedCode(await complete(other, code));
    // Spent by the refused attempt: the account that started cannot use it either.
    refusedCode(await complete(starter, code));
    expect(await connectionOf(starter.user.id)).toBeUndefined();
    expect(await connectionOf(other.user.id)).toBeUndefined();
  });

  it("works once, within its lifetime, and refuses what is not a code", async () => {
    const account = await register();
    const code = await consentCode(account, googleIdentity());
    expect((await complete(account, code)).status).toBe(200);
    refusedCode(await complete(account, code));
    expect(await statusOf(account.accessToken)).toMatchObject({ connected: true, status: "ACTIVE" });

    const late = await consentCode(account, googleIdentity());
    await db.update(oneTimeTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oneTimeTokens.tokenHash, await sha256Hex(late)));
    refusedCode(await complete(account, late));
    refusedCode(await complete(account, "never-issued"));

    const post = (json: unknown) => api("/api/calendar/google/complete", { method: "POST", token: account.accessToken, json });
    expect(errorPaths(await post({}))).toEqual(["body.code"]);
    expectProblem(await post({ code: "x", connected: true }), 400, "VALIDATION_FAILED");
    expectProblem(await api("/api/calendar/google/complete", { method: "POST", json: { code } }), 401, "UNAUTHORIZED");
  });

  it("leaves an ACTIVE connection in use until the new grant is completed", async () => {
    const { account, identity: first } = await connectedHost();
    const second = googleIdentity();
    const code = await consentCode(account, second);
    // An abandoned reconnection too: its code is never redeemed.
    await consentCode(account, googleIdentity());

    expect(await statusOf(account.accessToken)).toMatchObject({ connected: true, status: "ACTIVE", accountEmail: first.email });
    expect(await runSync((await newBooking(account.user.id)).id)).toEqual({ action: "ack" });
    expect(await eventsOf(first.email)).toHaveLength(1);

    expect((await complete(account, code)).body).toMatchObject({ connected: true, status: "ACTIVE", accountEmail: second.email });
    expect(await runSync((await newBooking(account.user.id)).id)).toEqual({ action: "ack" });
    expect(await eventsOf(first.email)).toHaveLength(1);
    expect(await eventsOf(second.email)).toHaveLength(1);
  });

  it("counts a PENDING connection as none: no busy times, no events, nothing asked of Google", async () => {
    const account = await register();
    const identity = googleIdentity();
    await consentCode(account, identity);
    expect((await connectionOf(account.user.id))!.status).toBe("PENDING");

    const booking = await newBooking(account.user.id);
    expect(await getBusyIntervals(deps, account.user.id, { from: booking.startAt, to: booking.endAt })).toEqual([]);
    expect(await runSync(booking.id)).toEqual({ action: "ack" });
    expect(await eventsOf(identity.email)).toEqual([]);
    expect(await requestsOf(identity.email)).toEqual([]);

    // Disconnecting forgets it.
    expect((await api("/api/calendar/google", { method: "DELETE", token: account.accessToken })).status).toBe(204);
    expect(await connectionOf(account.user.id)).toBeUndefined();
  });
});
