import { describe, expect, inject, it } from "vitest";
import { api, expectProblem, login, refresh, register, tokenFromLink, uniqueEmail, waitForMail } from "../support/node/api";

const RESET_SUBJECT = "Reset your Lightbox password";

describe("password reset through the queue and the dev mailbox", () => {
  it("forgot → email (queue consumer) → reset → the new password works once", async () => {
    const appUrl = inject("appUrl");
    const account = await register({ firstName: "Mary" });

    const forgot = await api("/api/auth/password/forgot", { json: { email: account.email.toUpperCase() } });
    expect(forgot.status).toBe(202);
    expect(forgot.text).toBe("");

    const mail = await waitForMail(account.email, (m) => m.subject === RESET_SUBJECT);
    expect(mail).toMatchObject({ to: account.email, from: expect.stringContaining("@"), attachments: [] });
    expect(mail.text).toContain("Hello Mary");
    expect(mail.html).toContain("<a href=");
    const token = tokenFromLink(mail.text ?? "", `${appUrl}/reset-password?token=`);
    // The HTML part carries the same link.
    expect(mail.html).toContain(`${appUrl}/reset-password?token=${token}`);

    const newPassword = "a brand new passphrase";
    const reset = await api("/api/auth/password/reset", { json: { token, password: newPassword } });
    expect(reset.status, reset.text).toBe(204);

    const withNew = await login(account.email, newPassword);
    expect(withNew.status, withNew.text).toBe(200);
    expect(withNew.body.user).toMatchObject({ id: account.user.id, emailVerified: true });
    expectProblem(await login(account.email, account.password), 401, "UNAUTHORIZED");

    // The token works once; the reset ended the logins that existed before it.
    const reused = expectProblem(await api("/api/auth/password/reset", { json: { token, password: "yet another passphrase" } }), 400, "VALIDATION_FAILED");
    expect(reused.errors?.map((e) => e.path)).toContain("body.token");
    expectProblem(await refresh(account.refreshToken), 401, "UNAUTHORIZED");
    expect((await login(account.email, newPassword)).status).toBe(200);
  });

  it("answers 202 for an unknown address and refuses a made-up token", async () => {
    const unknown = await api("/api/auth/password/forgot", { json: { email: uniqueEmail("ghost") } });
    expect(unknown.status).toBe(202);
    expectProblem(await api("/api/auth/password/reset", { json: { token: "not-a-real-token", password: "whatever passphrase" } }), 400, "VALIDATION_FAILED");
  });
});
