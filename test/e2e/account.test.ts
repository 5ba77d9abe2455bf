import { describe, expect, it } from "vitest";
import { api, expectProblem, login, PASSWORD, refresh, register, uniqueEmail, type Session } from "../support/node/api";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("account lifecycle through the real Worker", () => {
  it("register → me → update → refresh (rotation and replay) → logout", async () => {
    // Register: 201 with the user and a session; the address is stored trimmed and lower-cased.
    const email = uniqueEmail("Lifecycle").replace("@", "@Studio.");
    const registered = await api<Session>("/api/auth/register", {
      json: { email: `  ${email.toUpperCase()} `, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" },
    });
    expect(registered.status, registered.text).toBe(201);
    const { user, accessToken, refreshToken, expiresIn } = registered.body;
    expect(user).toMatchObject({
      id: expect.any(String),
      email: email.toLowerCase(),
      firstName: "Ada",
      lastName: "Lovelace",
      emailVerified: false,
      plan: expect.any(String),
      hasPassword: true,
      googleLinked: false,
    });
    expect(user.createdAt).toMatch(ISO);
    expect(registered.text).not.toMatch(/password_?hash|pbkdf2/i);
    expect(accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(refreshToken).toEqual(expect.any(String));
    expect(expiresIn).toBeGreaterThan(0);

    // The same address again, in another case: 409.
    const again = await api("/api/auth/register", { json: { email, password: PASSWORD, firstName: "B", lastName: "C" } });
    expectProblem(again, 409, "CONFLICT");

    // GET /api/users/me with the access token; without one, 401.
    const me = await api("/api/users/me", { token: accessToken });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toEqual(user);
    expectProblem(await api("/api/users/me"), 401, "UNAUTHORIZED");
    expectProblem(await api("/api/users/me", { token: "not.a.jwt" }), 401, "UNAUTHORIZED");

    // PATCH profile and company fields.
    const patched = await api("/api/users/me", {
      method: "PATCH",
      token: accessToken,
      json: { firstName: "Augusta", companyName: "Analytical Studio", companyAddress: { city: "London", country: "gb" }, timezone: "Europe/London" },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      id: user.id,
      firstName: "Augusta",
      lastName: "Lovelace",
      companyName: "Analytical Studio",
      companyAddress: { city: "London", country: "GB" },
      timezone: "Europe/London",
    });
    expect((await api("/api/users/me", { token: accessToken })).body).toMatchObject({ firstName: "Augusta", companyName: "Analytical Studio" });
    const invalid = expectProblem(await api("/api/users/me", { method: "PATCH", token: accessToken, json: { timezone: "Mars/Olympus" } }), 400, "VALIDATION_FAILED");
    expect(invalid.errors?.map((e) => e.path)).toContain("body.timezone");

    // Refresh: a new pair; the old refresh token is spent.
    const rotated = await refresh(refreshToken);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: expect.any(Number) });
    expect(rotated.body.refreshToken).not.toBe(refreshToken);
    expect((await api("/api/users/me", { token: rotated.body.accessToken })).status).toBe(200);

    // Replaying the spent token: 401, and the whole login is revoked (the new token stops working too).
    expectProblem(await refresh(refreshToken), 401, "UNAUTHORIZED");
    expectProblem(await refresh(rotated.body.refreshToken), 401, "UNAUTHORIZED");

    // A new login, then logout: its refresh token no longer works. Another login is unaffected.
    const first = await login(email, PASSWORD);
    expect(first.status, first.text).toBe(200);
    expect(first.body.user.id).toBe(user.id);
    const second = await login(email.toUpperCase(), PASSWORD);
    expect(second.status, second.text).toBe(200);
    const logout = await api("/api/auth/logout", { json: { refreshToken: first.body.refreshToken } });
    expect(logout.status).toBe(204);
    expect(logout.text).toBe("");
    expectProblem(await refresh(first.body.refreshToken), 401, "UNAUTHORIZED");
    expect((await refresh(second.body.refreshToken)).status).toBe(200);
    // Logging out twice is still 204.
    expect((await api("/api/auth/logout", { json: { refreshToken: first.body.refreshToken } })).status).toBe(204);
  });

  it("answers a wrong password and an unknown address identically", async () => {
    const account = await register();
    const wrongPassword = expectProblem(await login(account.email, "not the password at all"), 401, "UNAUTHORIZED");
    const unknownEmail = expectProblem(await login(uniqueEmail("nobody"), "not the password at all"), 401, "UNAUTHORIZED");
    const { requestId: _a, instance: _i1, ...a } = wrongPassword;
    const { requestId: _b, instance: _i2, ...b } = unknownEmail;
    expect(a).toEqual(b);
  });
});
