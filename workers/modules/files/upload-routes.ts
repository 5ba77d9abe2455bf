import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { abortUpload, completeUpload, createUpload, uploadPart } from "./multipart";
import {
  CompleteUploadSchema,
  CreateUploadSchema,
  FileSchema,
  fileParents,
  IdParams,
  lengthOf,
  partBody,
  PartParams,
  PartSchema,
  toFileDto,
  UploadParams,
  UploadSchema,
} from "./schemas";

const tags = ["Files"];
const gone = { ...problems[404], description: "The upload has expired (GONE)" };
const unsupported = { ...problems[415], description: "Part 1's content is of a type not accepted: the upload is aborted" };

/** R2 multipart uploads through the API, for files larger than one request body. Mounted with fileRoutes. */
export const uploadRoutes = createRouter();

for (const { segment, what, parent } of fileParents) {
  uploadRoutes.openapi(
    createRoute({
      method: "post",
      path: `/${segment}/{id}/uploads`,
      tags,
      security: bearerAuth,
      middleware: [requireAuth] as const,
      summary: `Start a multipart upload of a large file to a ${what}`,
      description:
        "Then PUT each part's bytes to /api/uploads/{uploadId}/parts/{n} (every part but the last of the same size, " +
        "at least minPartSize), and POST /api/uploads/{uploadId}/complete. The upload id becomes the file's id.",
      request: { params: IdParams, body: jsonBody(CreateUploadSchema) },
      responses: {
        201: jsonResponse(UploadSchema, "The upload"),
        400: problems[400],
        401: problems[401],
        404: problems[404],
        413: { ...problems[413], description: "The announced size exceeds MAX_MULTIPART_UPLOAD_BYTES (PAYLOAD_TOO_LARGE)" },
      },
    }),
    async (c) => c.json(await createUpload(depsOf(c), c.get("auth").sub, parent(c.req.valid("param").id), c.req.valid("json")), 201),
  );
}

uploadRoutes.openapi(
  createRoute({
    method: "put",
    path: "/uploads/{uploadId}/parts/{partNumber}",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    // The body guard (middleware/body.ts) admits application/octet-stream on this path only.
    summary: "Upload one part (raw bytes, application/octet-stream, Content-Length required)",
    description: "Uploading a part number again replaces it. Part 1's first bytes decide the file's type.",
    request: { params: PartParams, body: partBody },
    responses: {
      200: jsonResponse(PartSchema, "The part, with the etag to pass to complete"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      410: gone,
      413: { ...problems[413], description: "The part exceeds R2's part size, or part n of this size would make the file exceed MAX_MULTIPART_UPLOAD_BYTES" },
      415: unsupported,
    },
  }),
  async (c) => {
    const { uploadId, partNumber } = c.req.valid("param");
    const part = await uploadPart(depsOf(c), c.get("auth").sub, uploadId, partNumber, {
      contentLength: lengthOf(c.req.header("content-length")),
      stream: c.req.raw.body,
    });
    return c.json({ partNumber: part.partNumber, etag: part.etag }, 200);
  },
);

uploadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/uploads/{uploadId}/complete",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Complete a multipart upload: the parts become the file",
    description: "Safe to retry with the same parts: a retry after a failure, or after a lost answer, gets the file.",
    request: { params: UploadParams, body: jsonBody(CompleteUploadSchema) },
    responses: {
      201: jsonResponse(FileSchema, "The stored file"),
      400: problems[400],
      401: problems[401],
      404: problems[404],
      410: gone,
      413: { ...problems[413], description: "The assembled file exceeds MAX_MULTIPART_UPLOAD_BYTES: the upload is discarded" },
      415: { ...problems[415], description: "The assembled file's type is not accepted" },
    },
  }),
  async (c) => {
    const row = await completeUpload(depsOf(c), c.get("auth").sub, c.req.valid("param").uploadId, c.req.valid("json"));
    return c.json(toFileDto(row), 201);
  },
);

uploadRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/uploads/{uploadId}",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Abort a multipart upload (its parts are dropped)",
    request: { params: UploadParams },
    responses: { 204: { description: "Aborted" }, 401: problems[401], 404: problems[404] },
  }),
  async (c) => {
    await abortUpload(depsOf(c), c.get("auth").sub, c.req.valid("param").uploadId);
    return c.body(null, 204);
  },
);
