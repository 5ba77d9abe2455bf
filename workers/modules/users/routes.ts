import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter } from "../../router";
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
