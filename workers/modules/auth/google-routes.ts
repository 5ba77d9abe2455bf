import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "@shared/lib/crypto";
import { validationFailed } from "@shared/lib/errors";
import { jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf, type AppEnv } from "../../router";
import { toUserDto } from "../users/service";
import { completeGoogleSignIn, exchangeGoogleLoginCode, startGoogleSignIn } from "./google";
import { AuthResultSchema, GoogleCallbackQuery, GoogleExchangeSchema } from "./schemas";

const tags = ["Auth"];
const STATE_COOKIE = "lightbox_oauth_state";
const COOKIE_PATH = "/api/auth/google";

export const googleRoutes = createRouter();

const callbackUrl = (c: Context<AppEnv>) => `${new URL(c.req.url).origin}/api/auth/google/callback`;
const completeUrl = (c: Context<AppEnv>, params: Record<string, string>) =>
  `${c.get("config").appUrl}/auth/google/complete?${new URLSearchParams(params)}`;

googleRoutes.openapi(
  createRoute({
    method: "get",
    path: "/google",
    tags,
    summary: "Start Google sign-in (OAuth 2.0 authorization code flow with PKCE)",
    description: "Redirects the browser to Google with `state` and an S256 code challenge; `state` is also set in an HttpOnly cookie.",
    responses: { 302: { description: "Redirect to Google" }, 503: { description: "Google sign-in is not configured (SERVICE_UNAVAILABLE)" } },
  }),
  async (c) => {
    const { url, state } = await startGoogleSignIn(depsOf(c), callbackUrl(c));
    setCookie(c, STATE_COOKIE, state, {
      path: COOKIE_PATH,
      httpOnly: true,
      secure: new URL(c.req.url).protocol === "https:",
      sameSite: "Lax",
      maxAge: 600,
    });
    return c.redirect(url, 302);
  },
);

googleRoutes.openapi(
  createRoute({
    method: "get",
    path: "/google/callback",
    tags,
    summary: "Google redirects here; answers with a redirect to the dashboard carrying a single-use login code",
    description:
      "On success: 302 to `APP_URL/auth/google/complete?code=<login code>`, which the dashboard exchanges at " +
      "`POST /api/auth/google/exchange` within two minutes. When the person declined at Google: 302 with `error`.",
    request: { query: GoogleCallbackQuery },
    responses: { 302: { description: "Redirect to the dashboard" }, 400: problems[400], 409: problems[409] },
  }),
  async (c) => {
    const { code, state, error } = c.req.valid("query");
    if (error) return c.redirect(completeUrl(c, { error }), 302);
    if (!code || !state) {
      throw validationFailed([
        ...(code ? [] : [{ path: "query.code", message: "is required" }]),
        ...(state ? [] : [{ path: "query.state", message: "is required" }]),
      ]);
    }
    // The state must come back to the browser that started the flow (login CSRF).
    const cookie = getCookie(c, STATE_COOKIE) ?? "";
    const encoder = new TextEncoder();
    if (!timingSafeEqual(encoder.encode(cookie), encoder.encode(state))) {
      throw validationFailed([{ path: "query.state", message: "does not match this browser's sign-in" }], "Invalid OAuth state");
    }
    deleteCookie(c, STATE_COOKIE, { path: COOKIE_PATH });
    const { loginCode, user } = await completeGoogleSignIn(depsOf(c), { code, state, redirectUri: callbackUrl(c) });
    c.set("userId", user.id);
    return c.redirect(completeUrl(c, { code: loginCode }), 302);
  },
);

googleRoutes.openapi(
  createRoute({
    method: "post",
    path: "/google/exchange",
    tags,
    summary: "Trade the login code from the Google callback for a session (once)",
    request: { body: jsonBody(GoogleExchangeSchema) },
    responses: { 200: jsonResponse(AuthResultSchema, "The user and a new session"), 400: problems[400] },
  }),
  async (c) => {
    const { user, tokens } = await exchangeGoogleLoginCode(depsOf(c), c.req.valid("json").code);
    c.set("userId", user.id);
    return c.json({ user: toUserDto(user), ...tokens }, 200);
  },
);

