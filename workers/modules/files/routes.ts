import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { downloadAccess, tokenUnlessSigned } from "../../middleware/signed-link";
import { bearerAuth, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { downloadResponse } from "./download";
import { DownloadQuery, fileParents, FileListSchema, FileSchema, IdParams, lengthOf, ListQuery, SignedUrlSchema, toFileDto, uploadBody } from "./schemas";
import { deleteFile, getFile, getFileForSignedLink, listFiles, uploadFile } from "./service";
import { downloadUrl, signDownload } from "./signed-url";
import { uploadRoutes } from "./upload-routes";

const tags = ["Files"];

/** Mounted at /api: its paths span /contacts, /sessions, /files and /uploads, so auth is declared per route. */
export const fileRoutes = createRouter();

const unsupported = { ...problems[415], description: "The content's type is not accepted, or the body is not multipart/form-data" };

for (const { segment, what, parent } of fileParents) {
  fileRoutes.openapi(
    createRoute({
      method: "post",
      path: `/${segment}/{id}/files`,
      tags,
      security: bearerAuth,
      middleware: [requireAuth] as const,
      summary: `Upload a file to a ${what} (multipart/form-data, field \`file\`)`,
      description:
        "Up to MAX_UPLOAD_BYTES; larger files go through the multipart upload routes. The type is detected from the " +
        "file's first bytes (the declared type and the extension are ignored) and must be one of UPLOAD_ALLOWED_TYPES.",
      request: { params: IdParams, body: uploadBody },
      responses: {
        201: jsonResponse(FileSchema, "The stored file"),
        400: problems[400],
        401: problems[401],
        404: problems[404],
        413: problems[413],
        415: unsupported,
      },
    }),
    async (c) => {
      const row = await uploadFile(depsOf(c), c.get("auth").sub, parent(c.req.valid("param").id), {
        contentType: c.req.header("content-type"),
        contentLength: lengthOf(c.req.header("content-length")),
        stream: c.req.raw.body,
      });
      return c.json(toFileDto(row), 201);
    },
  );

  fileRoutes.openapi(
    createRoute({
      method: "get",
      path: `/${segment}/{id}/files`,
      tags,
      security: bearerAuth,
      middleware: [requireAuth] as const,
      summary: `The files of a ${what}, newest first`,
      request: { params: IdParams, query: ListQuery },
      responses: { 200: jsonResponse(FileListSchema, "One page of files"), 400: problems[400], 401: problems[401], 404: problems[404] },
    }),
    async (c) => c.json(await listFiles(c.get("db"), c.get("auth").sub, parent(c.req.valid("param").id), c.req.valid("query")), 200),
  );
}

fileRoutes.openapi(
  createRoute({
    method: "get",
    path: "/files/{id}",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "A file's metadata",
    request: { params: IdParams },
    responses: { 200: jsonResponse(FileSchema, "The file"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toFileDto(await getFile(c.get("db"), c.get("auth").sub, c.req.valid("param").id)), 200),
);

fileRoutes.openapi(
  createRoute({
    method: "get",
    path: "/files/{id}/download",
    tags,
    security: [...bearerAuth, {}],
    middleware: [tokenUnlessSigned] as const,
    summary: "The file's bytes (bearer token, or a signed link's expires + signature)",
    description:
      "Answers with Content-Type, Content-Length, ETag and `Content-Disposition: attachment` (RFC 6266, UTF-8 " +
      "`filename*`). One `Range: bytes=` range is served as 206; other ranges are ignored. A signed link that " +
      "has expired or does not verify answers 403.",
    request: { params: IdParams, query: DownloadQuery },
    responses: {
      200: { description: "The bytes", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
      206: { description: "The requested range" },
      304: { description: "Not modified (If-None-Match)" },
      400: problems[400],
      401: problems[401],
      403: { ...problems[403], description: "The signed link has expired or its signature is not valid (FORBIDDEN)" },
      404: problems[404],
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const access = await downloadAccess(c, id, c.req.valid("query"));
    const file = access.signedLink ? await getFileForSignedLink(c.get("db"), id) : await getFile(c.get("db"), access.userId, id);
    return downloadResponse(c.env.FILES, file, c.req.raw.headers);
  },
);

fileRoutes.openapi(
  createRoute({
    method: "post",
    path: "/files/{id}/signed-url",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "A download link that works without a token until it expires (SIGNED_URL_TTL_SECONDS)",
    request: { params: IdParams },
    responses: { 200: jsonResponse(SignedUrlSchema, "The link"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    const file = await getFile(c.get("db"), c.get("auth").sub, c.req.valid("param").id);
    const config = c.get("config");
    const expires = Math.floor(Date.now() / 1000) + config.signedUrlTtlSeconds;
    const signature = await signDownload(config.jwt, file.id, expires);
    // The request's own origin: the link must reach this API, which APP_URL (the dashboard) may not serve.
    const url = downloadUrl(new URL(c.req.url).origin, file.id, expires, signature);
    return c.json({ url, expiresAt: new Date(expires * 1000).toISOString() }, 200);
  },
);

fileRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/files/{id}",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Delete a file (its row, then its object in R2)",
    request: { params: IdParams },
    responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await deleteFile(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

fileRoutes.route("/", uploadRoutes);
