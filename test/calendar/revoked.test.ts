import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { calendarConnections, devMail, jobRuns, notifications } from "@shared/db/schema";
import { randomToken, sealSecret } from "@shared/lib/crypto";
import { getBusyIntervals } from "../../workers/modules/calendar/busy";
import { api } from "../support/http";
import { bookingOf, connectedHost, connectionOf, db, deps, fake, newBooking, requestsOf, runSync, updateBooking } from "./helpers";

const disconnectedNotices = (userId: string) =>
  db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.type, "CALENDAR_DISCONNECTED")));

describe("a grant revoked at Google", () => {
  it("marks the connection REVOKED, tells the host once, and stops the jobs", async () => {
    const { account, identity } = await connectedHost();
    const first = await newBooking(account.user.id);
    const second = await newBooking(account.user.id);
    // The person removed Lightbox's access in their Google account: tokens and grant are dead.
    expect(await fake("/__fake/grants/revoke", { json: { email: identity.email } })).toEqual({ revoked: 1 });

    // Acknowledged, not retried: retrying cannot bring the grant back.
    expect(await runSync(first.id)).toEqual({ action: "ack" });
    const [run] = await db.select().from(jobRuns).where(eq(jobRuns.key, `calendar:${first.id}:0`));
    expect(run?.status).toBe("DONE");
    const row = (await connectionOf(account.user.id))!;
    expect(row.status).toBe("REVOKED");
    expect(row.lastError).toMatch(/^invalid_grant/);
    expect(row.accessTokenSealed).toBeNull();

    const status = await api("/api/calendar/google", { token: account.accessToken });
    expect(status.body).toMatchObject({ connected: false, status: "REVOKED", accountEmail: identity.email, lastError: expect.stringMatching(/^invalid_grant/) });

    // Later jobs and pages do not ask Google again, and nobody is told twice.
    const calls = (await requestsOf(identity.email)).length;
    expect(await runSync(second.id)).toEqual({ action: "ack" });
    expect(await runSync(first.id, 1)).toEqual({ action: "ack" });
    expect(await getBusyIntervals(deps, account.user.id, { from: first.startAt, to: second.endAt })).toEqual([]);
    expect(await requestsOf(identity.email)).toHaveLength(calls);

    const told = await disconnectedNotices(account.user.id);
    expect(told).toHaveLength(1);
    expect(told[0]!.title).toBe("Google Calendar disconnected");
    const mails = await vi.waitFor(
      async () => {
        const found = await db.select().from(devMail).where(eq(devMail.to, account.email));
        expect(found.map((mail) => mail.subject)).toContain("Your Google Calendar is no longer connected");
        return found;
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(mails.filter((mail) => mail.subject === "Your Google Calendar is no longer connected")).toHaveLength(1);
  });

  it("is what a grant sealed under another TOKEN_SEALING_KEY becomes", async () => {
    const { account } = await connectedHost();
    await db
      .update(calendarConnections)
      .set({ refreshTokenSealed: await sealSecret(randomToken(32), "1//0g-sealed-elsewhere"), accessTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(calendarConnections.userId, account.user.id));
    expect(await runSync((await newBooking(account.user.id)).id)).toEqual({ action: "ack" });
    expect(await connectionOf(account.user.id)).toMatchObject({ status: "REVOKED", lastError: expect.stringContaining("TOKEN_SEALING_KEY") });
  });

  it("is replaced by connecting again", async () => {
    const { account, identity } = await connectedHost();
    await fake("/__fake/grants/revoke", { json: { email: identity.email } });
    await runSync((await newBooking(account.user.id)).id);
    expect((await connectionOf(account.user.id))!.status).toBe("REVOKED");

    await connectedHost(account, identity);
    const status = await api("/api/calendar/google", { token: account.accessToken });
    expect(status.body).toMatchObject({ connected: true, status: "ACTIVE", lastError: null });
    expect(await runSync((await newBooking(account.user.id)).id)).toEqual({ action: "ack" });
  });

  it("is what a write Google refuses for lack of access becomes, not retried", async () => {
    const { account, identity } = await connectedHost();
    const booking = await newBooking(account.user.id);
    // The grant no longer carries the scope the write needs.
    await fake("/__fake/calendar/failures", { json: { email: identity.email, operation: "insert", status: 403, reason: "insufficientPermissions" } });
    expect(await runSync(booking.id)).toEqual({ action: "ack" });
    expect(await connectionOf(account.user.id)).toMatchObject({ status: "REVOKED", accessTokenSealed: null, lastError: expect.stringMatching(/^insufficientPermissions: .*403/) });
    expect(await disconnectedNotices(account.user.id)).toHaveLength(1);
    expect(await runSync(booking.id, 1)).toEqual({ action: "ack" });
    expect((await requestsOf(identity.email)).map((r) => `${r.operation} ${r.status}`)).toEqual(["insert 403"]);

    // Writer access to the calendar lost: a move refused as `forbidden`.
    const other = await connectedHost();
    const moved = await newBooking(other.account.user.id);
    await runSync(moved.id);
    const later = new Date(moved.startAt.getTime() + 86_400_000);
    await updateBooking(moved.id, { startAt: later, endAt: new Date(later.getTime() + 3_600_000), sequence: 1 });
    await fake("/__fake/calendar/failures", { json: { email: other.identity.email, operation: "patch", status: 403 } });
    expect(await runSync(moved.id, 1)).toEqual({ action: "ack" });
    expect(await connectionOf(other.account.user.id)).toMatchObject({ status: "REVOKED", lastError: expect.stringMatching(/^forbidden: /) });
    expect((await bookingOf(moved.id))!.googleEventId).not.toBeNull();
    expect(await disconnectedNotices(other.account.user.id)).toHaveLength(1);
  });

  it("is not what a throttling 403 makes: the job retries and the connection stays", async () => {
    const { account, identity } = await connectedHost();
    const booking = await newBooking(account.user.id);
    await fake("/__fake/calendar/failures", { json: { email: identity.email, operation: "insert", status: 403, reason: "rateLimitExceeded" } });
    expect((await runSync(booking.id)).action).toBe("retry");
    expect((await connectionOf(account.user.id))!.status).toBe("ACTIVE");
    expect(await runSync(booking.id, 0, 2)).toEqual({ action: "ack" });
    expect((await requestsOf(identity.email)).map((r) => `${r.operation} ${r.status}`)).toEqual(["insert 403", "insert 200"]);
    expect(await disconnectedNotices(account.user.id)).toEqual([]);
  });
});
