import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError, validationFailed } from "@shared/lib/errors";
import { requireAuth } from "../../middleware/auth";
import { downloadAccess, tokenUnlessSigned } from "../../middleware/signed-link";
import { bearerAuth, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf, type AppEnv } from "../../router";
import { contentDisposition } from "../files/download";
import { boundaryOf, findFilePart } from "../files/form-data";
import { uploadBody } from "../files/schemas";
import { contentTypes, countRows, exportFileName, exportLinkSubject, exportForDownload, getExport, listExports, renderExport, startExport, type ExportEntity } from "./export";
import { importContacts } from "./import";
import { ExportDownloadQuery, ExportIdParams, ExportListQuery, ExportListSchema, ExportQuery, ExportSchema, ImportQuery, ImportResultSchema, toExportDto } from "./schemas";

const tags = ["Import and export"];

/** Mounted at /api before the contacts and sessions routes (so /contacts/export is not read as a contact id);
 *  auth is declared per route because the paths span several trees. */
export const importExportRoutes = createRouter();

/** The uploaded CSV's text: at most importMaxBytes, counted while streaming; UTF-8, or Windows-1252 as Excel writes it. */
async function uploadedText(c: Context<AppEnv>): Promise<string> {
  const boundary = boundaryOf(c.req.header("content-type"));
  if (!boundary || !c.req.raw.body) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the CSV as multipart/form-data in the field `file`");
  const part = await findFilePart(c.req.raw.body, boundary, "file", 64 * 1024);
  if (!part) throw validationFailed([{ path: "body.file", message: "is required: the CSV file" }]);
  const max = c.get("config").importMaxBytes;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of part.chunks) {
    size += chunk.length;
    if (size > max) throw new ApiError("PAYLOAD_TOO_LARGE", `The file exceeds ${max} bytes`);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) bytes.set(chunk, offset), (offset += chunk.length);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

importExportRoutes.openapi(
  createRoute({
    method: "post",
    path: "/contacts/import",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Import contacts from a CSV file (multipart/form-data, field `file`)",
    description:
      "Columns are mapped by header (the headers of Google Contacts, Outlook and common CRMs, in English and French). " +
      "Every row is validated like a contact created through the API; all rows are imported in one transaction, or none. " +
      "Any invalid row refuses the file with the errors of every row (`rows[<line>].<field>`), unless `skipInvalid=true`. " +
      "Duplicate detection runs on the imported contacts.",
    request: { query: ImportQuery, body: uploadBody },
    responses: {
      201: jsonResponse(ImportResultSchema, "What was imported"),
      400: problems[400],
      401: problems[401],
      413: problems[413],
      415: problems[415],
    },
  }),
  async (c) => {
    const { skipInvalid } = c.req.valid("query");
    const text = await uploadedText(c);
    return c.json(await importContacts(depsOf(c), c.get("auth").sub, text, { skipInvalid }), 201);
  },
);

for (const entity of ["contacts", "sessions"] as const satisfies ExportEntity[]) {
  importExportRoutes.openapi(
    createRoute({
      method: "get",
      path: `/${entity}/export`,
      tags,
      security: bearerAuth,
      middleware: [requireAuth] as const,
      summary: `Export all your ${entity} as CSV, JSON or XLSX`,
      description:
        "Up to EXPORT_INLINE_MAX_ROWS rows the file is the answer (200, as an attachment). Larger exports (or `async=true`) " +
        "answer 202 with an export to poll at /api/exports/{id}; when it is READY you also get an email with a download link.",
      request: { query: ExportQuery },
      responses: {
        200: { description: "The file", content: { "text/csv": { schema: { type: "string" } }, "application/json": { schema: { type: "string" } }, [contentTypes.xlsx]: { schema: { type: "string", format: "binary" } } } },
        202: jsonResponse(ExportSchema, "Queued: poll the export"),
        400: problems[400],
        401: problems[401],
      },
    }),
    async (c) => {
      const deps = depsOf(c);
      const ownerId = c.get("auth").sub;
      const { format, async } = c.req.valid("query");
      if (async || (await countRows(deps.db, ownerId, entity)) > deps.config.exportInlineMaxRows) {
        const row = await startExport(deps, ownerId, entity, format);
        c.header("Location", `/api/exports/${row.id}`);
        return c.json(toExportDto(row), 202);
      }
      const { body } = await renderExport(deps.db, ownerId, entity, format);
      return c.body(body as string | ArrayBuffer, 200, {
        "Content-Type": contentTypes[format],
        "Content-Disposition": contentDisposition(exportFileName(entity, format, new Date())),
        "Cache-Control": "private, no-store",
      });
    },
  );
}

importExportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/exports",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "Your queued exports, newest first",
    request: { query: ExportListQuery },
    responses: { 200: jsonResponse(ExportListSchema, "A page of exports"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await listExports(c.get("db"), c.get("auth").sub, limit, cursor);
    return c.json({ items: page.items.map(toExportDto), nextCursor: page.nextCursor }, 200);
  },
);

importExportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/exports/{id}",
    tags,
    security: bearerAuth,
    middleware: [requireAuth] as const,
    summary: "One export and its status",
    request: { params: ExportIdParams },
    responses: { 200: jsonResponse(ExportSchema, "The export"), 401: problems[401], 404: problems[404] },
  }),
  async (c) => c.json(toExportDto(await getExport(c.get("db"), c.get("auth").sub, c.req.valid("param").id)), 200),
);

importExportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/exports/{id}/download",
    tags,
    security: [...bearerAuth, {}],
    middleware: [tokenUnlessSigned] as const,
    summary: "Download a READY export (bearer token, or the signed link from the email)",
    request: { params: ExportIdParams, query: ExportDownloadQuery },
    responses: {
      200: { description: "The file", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
      409: problems[409],
      410: { ...problems[404], description: "The export has expired or its file is gone (GONE)" },
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    const access = await downloadAccess(c, exportLinkSubject(id), c.req.valid("query"), {
      invalid: "The link's signature is not valid",
      expired: "The link has expired: start a new export",
    });
    const row = await exportForDownload(db, id, access.signedLink ? null : access.userId);
    if (row.status !== "READY" || !row.r2Key) throw new ApiError("CONFLICT", `The export is ${row.status}, not READY`);
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new ApiError("GONE", "The export has expired: start a new one");
    const object = await c.env.FILES.get(row.r2Key);
    if (!object) throw new ApiError("GONE", "The export's file is gone: start a new export");
    return new Response(object.body, {
      headers: {
        "Content-Type": contentTypes[row.format],
        "Content-Length": String(object.size),
        "Content-Disposition": contentDisposition(exportFileName(row.entity, row.format, row.createdAt)),
        "Cache-Control": "private, no-store",
      },
    });
  },
);
