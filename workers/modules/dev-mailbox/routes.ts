import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { ApiError, notFound } from "@shared/lib/errors";
import { jsonResponse, problems } from "../../openapi";
import { createRouter, type AppEnv } from "../../router";
import { clearDevMail, getDevMailAttachment, getDevMailRaw, listDevMail } from "./service";

const tags = ["Development"];
const devOnly = "Only when ENVIRONMENT=development; 404 everywhere else.";

export const devMailboxRoutes = createRouter();

/** Outside development these routes do not exist: the same 404 as any unknown path. */
devMailboxRoutes.use(
  "*",
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.get("config").environment !== "development") throw new ApiError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`);
    await next();
  }),
);

const MailSchema = z
  .object({
    id: z.string(),
    to: z.string(),
    from: z.string(),
    subject: z.string(),
    text: z.string().nullable(),
    html: z.string().nullable(),
    attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int(), url: z.string() })),
    rawUrl: z.string(),
    createdAt: z.string(),
  })
  .openapi("DevMail");

devMailboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/mailbox",
    tags,
    summary: "Captured outgoing email, newest first",
    description: devOnly,
    request: {
      query: z.object({
        to: z.string().max(254).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
    },
    responses: { 200: jsonResponse(z.object({ items: z.array(MailSchema) }), "Captured messages"), 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { to, limit } = c.req.valid("query");
    const origin = new URL(c.req.url).origin;
    const rows = await listDevMail(c.get("db"), to, limit);
    return c.json(
      {
        items: rows.map((row) => ({
          id: row.id,
          to: row.to,
          from: row.from,
          subject: row.subject,
          text: row.text,
          html: row.html,
          attachments: row.attachments.map(({ filename, contentType, size }, index) => ({
            filename,
            contentType,
            size,
            url: `${origin}/api/dev/mailbox/${row.id}/attachments/${index}`,
          })),
          rawUrl: `${origin}/api/dev/mailbox/${row.id}/raw`,
          createdAt: row.createdAt.toISOString(),
        })),
      },
      200,
    );
  },
);

devMailboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/mailbox/{id}/attachments/{index}",
    tags,
    summary: "Download one attachment of a captured message",
    description: devOnly,
    request: { params: z.object({ id: z.string().max(64), index: z.coerce.number().int().min(0).max(1000) }) },
    responses: { 200: { description: "The attachment's bytes" }, 400: problems[400], 404: problems[404] },
  }),
  async (c) => {
    const { id, index } = c.req.valid("param");
    const attachment = await getDevMailAttachment(c.env, c.get("db"), id, index);
    if (!attachment) throw notFound("Attachment");
    return c.body(attachment.content, 200, {
      "content-type": attachment.contentType,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
    });
  },
);

devMailboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/mailbox/{id}/raw",
    tags,
    summary: "The captured message as sent (message/rfc822)",
    description: devOnly,
    request: { params: z.object({ id: z.string().max(64) }) },
    responses: { 200: { description: "The raw MIME message" }, 404: problems[404] },
  }),
  async (c) => {
    const object = await getDevMailRaw(c.env, c.get("db"), c.req.valid("param").id);
    if (!object) throw notFound("Message");
    return c.body(object.body, 200, { "content-type": "message/rfc822" });
  },
);

devMailboxRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/mailbox",
    tags,
    summary: "Empty the development mailbox",
    description: devOnly,
    responses: { 204: { description: "Emptied" }, 404: problems[404] },
  }),
  async (c) => {
    await clearDevMail(c.env, c.get("db"));
    return c.body(null, 204);
  },
);
