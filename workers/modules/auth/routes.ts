import { createRoute } from "@hono/zod-openapi";
import { enforce, clientIp } from "../../middleware/rate-limit";
import { jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf as deps } from "../../router";
import { toUserDto } from "../users/service";
import { AuthResultSchema, ForgotSchema, LoginSchema, RefreshSchema, RegisterSchema, ResetSchema, TokenPairSchema, VerifyEmailSchema } from "./schemas";
import * as auth from "./service";
import { revokeFamilyOfToken } from "./tokens";

const tags = ["Auth"];
export const authRoutes = createRouter();

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/register",
    tags,
    summary: "Create an account (emails a verification link)",
    request: { body: jsonBody(RegisterSchema) },
    responses: {
      201: jsonResponse(AuthResultSchema, "The new user and a session"),
      400: problems[400],
      409: problems[409],
      429: problems[429],
    },
  }),
  async (c) => {
    await enforce(c.env, "REGISTRATIONS_PER_IP", clientIp(c));
    const { user, tokens } = await auth.register(deps(c), c.req.valid("json"));
    c.set("userId", user.id);
    return c.json({ user: toUserDto(user), ...tokens }, 201);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/login",
    tags,
    summary: "Sign in with email and password",
    request: { body: jsonBody(LoginSchema) },
    responses: {
      200: jsonResponse(AuthResultSchema, "The user and a new session"),
      400: problems[400],
      401: problems[401],
      429: problems[429],
    },
  }),
  async (c) => {
    const { user, tokens } = await auth.login(deps(c), c.req.valid("json"), clientIp(c));
    c.set("userId", user.id);
    return c.json({ user: toUserDto(user), ...tokens }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/refresh",
    tags,
    summary: "Exchange a refresh token for a new pair (the old one is spent; replaying it ends the login)",
    request: { body: jsonBody(RefreshSchema) },
    responses: { 200: jsonResponse(TokenPairSchema, "A new token pair"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await auth.refresh(deps(c), c.req.valid("json").refreshToken), 200),
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/logout",
    tags,
    summary: "End the login this refresh token belongs to",
    request: { body: jsonBody(RefreshSchema) },
    responses: { 204: { description: "Logged out (also when the token was already invalid)" }, 400: problems[400] },
  }),
  async (c) => {
    await revokeFamilyOfToken(c.get("db"), c.req.valid("json").refreshToken);
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/password/forgot",
    tags,
    summary: "Email a password reset link (always 202, whether or not the address has an account)",
    request: { body: jsonBody(ForgotSchema) },
    responses: { 202: { description: "Accepted" }, 400: problems[400], 429: problems[429] },
  }),
  async (c) => {
    await enforce(c.env, "PASSWORD_FORGOT_PER_IP", clientIp(c));
    const { email } = c.req.valid("json");
    // Finished after the answer, so a known address takes no longer to answer than an unknown one.
    c.executionCtx.waitUntil(
      auth.forgotPassword(deps(c), email).catch((error: unknown) =>
        console.error(JSON.stringify({ level: "error", msg: "password reset email not queued", requestId: c.get("requestId"), error: String(error) })),
      ),
    );
    return c.body(null, 202);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/password/reset",
    tags,
    summary: "Set a new password with the emailed token (works once; ends every login)",
    request: { body: jsonBody(ResetSchema) },
    responses: { 204: { description: "Password changed" }, 400: problems[400] },
  }),
  async (c) => {
    const { token, password } = c.req.valid("json");
    await auth.resetPassword(deps(c), token, password);
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/email/verify",
    tags,
    summary: "Confirm the account's email address with the emailed token",
    request: { body: jsonBody(VerifyEmailSchema) },
    responses: { 204: { description: "Email verified" }, 400: problems[400] },
  }),
  async (c) => {
    await auth.verifyEmail(deps(c), c.req.valid("json").token);
    return c.body(null, 204);
  },
);
