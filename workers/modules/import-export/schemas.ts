import { z } from "@hono/zod-openapi";
import { exportFormats } from "@shared/db/schema";
import { limitParam } from "@shared/lib/pagination";
import type { ExportRow } from "./export";

export const ImportQuery = z
  .object({
    skipInvalid: z
      .enum(["true", "false"])
      .default("false")
      .transform((value) => value === "true")
      .openapi({ description: "Import the valid rows and list the others, instead of refusing the whole file" }),
  })
  .strict();

export const ImportResultSchema = z
  .object({
    imported: z.number().int(),
    skipped: z.array(z.object({ row: z.number().int(), errors: z.array(z.object({ field: z.string(), message: z.string() })) })),
    ignoredColumns: z.array(z.string()),
    tagsCreated: z.number().int(),
    duplicatesFound: z.number().int(),
  })
  .openapi("ContactImportResult");

export const ExportQuery = z
  .object({
    format: z.enum(exportFormats).default("csv"),
    /** Queue it even when it is small enough to answer directly. */
    async: z
      .enum(["true", "false"])
      .default("false")
      .transform((value) => value === "true"),
  })
  .strict();

export const ExportSchema = z
  .object({
    id: z.string(),
    entity: z.enum(["contacts", "sessions"]),
    format: z.enum(exportFormats),
    status: z.enum(["PENDING", "READY", "FAILED"]),
    rowCount: z.number().int().nullable(),
    size: z.number().int().nullable(),
    error: z.string().nullable(),
    downloadPath: z.string().nullable().openapi({ description: "GET it with your bearer token once READY" }),
    expiresAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Export");

export const ExportListQuery = z.object({ limit: limitParam, cursor: z.string().max(512).optional() }).strict();
export const ExportListSchema = z.object({ items: z.array(ExportSchema), nextCursor: z.string().nullable() }).openapi("ExportList");
export const ExportIdParams = z.object({ id: z.string().min(1).max(64) });
export const ExportDownloadQuery = z
  .object({ expires: z.coerce.number().int().positive().optional(), signature: z.string().max(128).optional() })
  .strict();

export const toExportDto = (row: ExportRow): z.infer<typeof ExportSchema> => ({
  id: row.id,
  entity: row.entity,
  format: row.format,
  status: row.status,
  rowCount: row.rowCount,
  size: row.size,
  error: row.error,
  downloadPath: row.status === "READY" ? `/api/exports/${row.id}/download` : null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});
