import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { EmailTemplateListSchema, EmailTemplateSchema, PreviewEmailTemplateSchema, RenderedEmailSchema, SaveEmailTemplateSchema, TemplateKindParams } from "./schemas";
import { getTemplate, listTemplates, previewTemplate, resetTemplate, saveTemplate, templateKind } from "./service";

const openapiTags = ["Email templates"];
export const emailTemplateRoutes = createRouter();
emailTemplateRoutes.use("*", requireAuth);

emailTemplateRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Every kind of email with the studio's wording (or the default) and the variables it can use",
    responses: { 200: jsonResponse(EmailTemplateListSchema, "One template per kind"), 401: problems[401] },
  }),
  async (c) => c.json({ items: await listTemplates(c.get("db"), c.get("auth").sub) }, 200),
);

emailTemplateRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{kind}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "One kind's template",
    request: { params: TemplateKindParams },
    responses: { 200: jsonResponse(EmailTemplateSchema, "The template"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(await getTemplate(c.get("db"), c.get("auth").sub, templateKind(c.req.valid("param").kind)), 200),
);

emailTemplateRoutes.openapi(
  createRoute({
    method: "put",
    path: "/{kind}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Save the studio's wording of one kind (every {{variable}} must be one of the kind's)",
    request: { params: TemplateKindParams, body: jsonBody(SaveEmailTemplateSchema) },
    responses: { 200: jsonResponse(EmailTemplateSchema, "The saved template"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const kind = templateKind(c.req.valid("param").kind);
    return c.json(await saveTemplate(depsOf(c), c.get("auth").sub, kind, c.req.valid("json")), 200);
  },
);

emailTemplateRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{kind}",
    tags: openapiTags,
    security: bearerAuth,
    summary: "Go back to the default wording",
    request: { params: TemplateKindParams },
    responses: { 204: { description: "Reset" }, 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await resetTemplate(depsOf(c), c.get("auth").sub, templateKind(c.req.valid("param").kind));
    return c.body(null, 204);
  },
);

emailTemplateRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{kind}/preview",
    tags: openapiTags,
    security: bearerAuth,
    summary: "The email as a client would get it, with sample values: the saved template, or a draft of it",
    request: { params: TemplateKindParams, body: { required: false, content: { "application/json": { schema: PreviewEmailTemplateSchema } } } },
    responses: { 200: jsonResponse(RenderedEmailSchema, "Subject, text and HTML parts"), 400: problems[400], 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const kind = templateKind(c.req.valid("param").kind);
    return c.json(await previewTemplate(depsOf(c), c.get("auth").sub, kind, c.req.valid("json") ?? {}), 200);
  },
);
