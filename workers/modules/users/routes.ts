import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter } from "../../router";
import { lengthOf, uploadBody } from "../files/schemas";
import { LOGO_MAX_BYTES, logoResponse, removeLogo, setLogo } from "./branding";
import { ChangePasswordSchema, UpdateMeSchema, UserSchema } from "./schemas";
import { changePassword, getMe, toUserDto, updateMe } from "./service";

const tags = ["Users"];
export const userRoutes = createRouter();
userRoutes.use("*", requireAuth);

userRoutes.openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags,
    security: bearerAuth,
    summary: "The signed-in user",
    responses: { 200: jsonResponse(UserSchema, "The user"), 401: problems[401] },
  }),
  async (c) => c.json(toUserDto(await getMe(c.get("db"), c.get("auth").sub)), 200),
);

userRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/me",
    tags,
    security: bearerAuth,
    summary: "Update profile and company fields",
    request: { body: jsonBody(UpdateMeSchema) },
    responses: { 200: jsonResponse(UserSchema, "The updated user"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(toUserDto(await updateMe(c.get("db"), c.get("auth").sub, c.req.valid("json"))), 200),
);

userRoutes.openapi(
  createRoute({
    method: "post",
    path: "/me/password",
    tags,
    security: bearerAuth,
    summary: "Change the password (ends every login of the account)",
    request: { body: jsonBody(ChangePasswordSchema) },
    responses: { 204: { description: "Password changed" }, 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    await changePassword(c.get("db"), c.get("config"), c.get("auth").sub, currentPassword, newPassword);
    return c.body(null, 204);
  },
);

userRoutes.openapi(
  createRoute({
    method: "put",
    path: "/me/logo",
    tags,
    security: bearerAuth,
    summary: "Set the studio logo printed on quotes and invoices (multipart/form-data, field `file`)",
    description: `PNG, JPEG or WebP, detected from the file's first bytes; at most ${LOGO_MAX_BYTES} bytes. Replaces any previous logo.`,
    request: { body: uploadBody },
    responses: {
      200: jsonResponse(UserSchema, "The user, with hasLogo true"),
      400: problems[400],
      401: problems[401],
      413: problems[413],
      415: { ...problems[415], description: "The body is not multipart/form-data" },
    },
  }),
  async (c) => {
    const user = await setLogo(c.env, c.get("db"), c.get("config"), c.get("auth").sub, {
      contentType: c.req.header("content-type"),
      contentLength: lengthOf(c.req.header("content-length")),
      stream: c.req.raw.body,
    });
    return c.json(toUserDto(user), 200);
  },
);

userRoutes.openapi(
  createRoute({
    method: "get",
    path: "/me/logo",
    tags,
    security: bearerAuth,
    summary: "The studio logo's bytes",
    responses: {
      200: { description: "The image", content: { "image/png": { schema: { type: "string", format: "binary" } } } },
      401: problems[401],
      404: problems[404],
    },
  }),
  async (c) => logoResponse(c.env, await getMe(c.get("db"), c.get("auth").sub)),
);

userRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/me/logo",
    tags,
    security: bearerAuth,
    summary: "Remove the studio logo",
    responses: { 204: { description: "No logo any more" }, 401: problems[401] },
  }),
  async (c) => {
    await removeLogo(c.env, c.get("db"), c.get("auth").sub);
    return c.body(null, 204);
  },
);
