// The PDF of a quote or invoice: printed once per distinct HTML, kept in R2, recorded in document_pdfs.
// The HTML is deterministic (no "printed at"), so its SHA-256 says whether anything printed changed: the
// document (its version) and, while it is a draft, the studio's profile or logo and the client's details (a sent
// document prints the parties frozen at its first send: workers/modules/documents/issued.ts). Same hash, same PDF.
import { and, eq } from "drizzle-orm";
import { auditedBatch, systemActor, type Actor } from "@shared/db/audited";
import { documentPdfs, type DocumentPdf } from "@shared/db/billing-schema";
import type { Env } from "@shared/env";
import { sha256Hex } from "@shared/lib/crypto";
import { notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { renderBillingDocument } from "../../templates/documents/billing";
import { contentDisposition } from "../files/download";
import type { NotificationDeps } from "../notifications/service";
import { renderPdf } from "./service";
import { loadDocumentView, type DocumentKind } from "./view";

export type { DocumentKind } from "./view";

export interface DocumentRef {
  kind: DocumentKind;
  ownerId: string;
  id: string;
}
export interface StoredPdf {
  r2Key: string;
  /** `Q-2026-0001.pdf` */
  filename: string;
  size: number;
  /** The document version it shows. */
  version: number;
}

const folder = (kind: DocumentKind) => (kind === "QUOTE" ? "quotes" : "invoices");

/** Every PDF of one document lives under this prefix (the orphan sweep leaves `<owner>/documents/` alone). */
export const documentPdfPrefix = (ref: DocumentRef) => `${ref.ownerId}/documents/${folder(ref.kind)}/${ref.id}/`;

const pdfKey = (ref: DocumentRef, version: number, hash: string) => `${documentPdfPrefix(ref)}v${version}-${hash.slice(0, 12)}.pdf`;

async function findPdf(deps: NotificationDeps, ref: DocumentRef, hash: string): Promise<DocumentPdf | undefined> {
  const document = ref.kind === "QUOTE" ? eq(documentPdfs.quoteId, ref.id) : eq(documentPdfs.invoiceId, ref.id);
  const [row] = await deps.db
    .select()
    .from(documentPdfs)
    .where(and(eq(documentPdfs.ownerId, ref.ownerId), document, eq(documentPdfs.contentHash, hash)))
    .limit(1);
  return row;
}

/**
 * The PDF of the document as it is now: the stored one when nothing printed changed, else rendered and stored.
 * 404 (ApiError) when the document is not the owner's. Writes are audited as `deps.actor` when given (an owner's
 * request), as SYSTEM otherwise (a job). Two first renders of the same HTML at once both succeed: the second
 * insert is a no-op and both answer the row that won.
 */
export async function ensureDocumentPdf(deps: NotificationDeps & { actor?: Actor }, ref: DocumentRef): Promise<StoredPdf> {
  const { version, view } = await loadDocumentView(deps.db, deps.env.FILES, ref.kind, ref.ownerId, ref.id);
  const { html, footerTemplate } = renderBillingDocument(view);
  const hash = await sha256Hex(html);
  const filename = `${view.number}.pdf`;

  const existing = await findPdf(deps, ref, hash);
  if (existing && (await deps.env.FILES.head(existing.r2Key))) return { r2Key: existing.r2Key, filename, size: existing.size, version: existing.version };

  const pdf = await renderPdf(deps.env, html, { displayHeaderFooter: true, headerTemplate: "<span></span>", footerTemplate });
  const r2Key = existing?.r2Key ?? pdfKey(ref, version, hash);
  await deps.env.FILES.put(r2Key, pdf, {
    httpMetadata: { contentType: "application/pdf" },
    customMetadata: { ownerId: ref.ownerId, document: `${ref.kind}:${ref.id}`, version: String(version) },
  });
  if (!existing) {
    await auditedBatch(deps.db, deps.actor ?? systemActor(`pdf:${ref.kind}:${ref.id}`), [
      deps.db
        .insert(documentPdfs)
        .values({
          id: newId(),
          ownerId: ref.ownerId,
          quoteId: ref.kind === "QUOTE" ? ref.id : null,
          invoiceId: ref.kind === "INVOICE" ? ref.id : null,
          version,
          contentHash: hash,
          r2Key,
          size: pdf.byteLength,
          createdAt: new Date(),
        })
        .onConflictDoNothing(),
    ]);
  }
  const row = existing ?? (await findPdf(deps, ref, hash));
  if (!row) throw notFound(ref.kind === "QUOTE" ? "Quote" : "Invoice");
  return { r2Key: row.r2Key, filename, size: row.size, version: row.version };
}

/** An `application/pdf` response streaming the stored object (inline unless `download`). Never cached: the same
 *  URL shows the next version once the document changes. */
export async function pdfResponse(env: Env, pdf: StoredPdf, options: { download?: boolean } = {}): Promise<Response> {
  const object = await env.FILES.get(pdf.r2Key);
  if (!object) throw notFound("PDF");
  const disposition = contentDisposition(pdf.filename);
  return new Response(object.body, {
    headers: {
      "content-type": "application/pdf",
      "content-length": String(object.size),
      "content-disposition": options.download ? disposition : disposition.replace(/^attachment/, "inline"),
      etag: object.httpEtag,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * Removes every stored PDF of a document from R2; call it after the document's row is deleted (its
 * document_pdfs rows go with it by cascade). Returns how many objects were removed. The logo copies of sent
 * documents (`<owner>/documents/logos/<sha256>`) are outside this prefix and stay: content-addressed, one copy
 * may be printed by several documents.
 */
export async function deleteDocumentPdfs(env: Env, ref: DocumentRef): Promise<number> {
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ prefix: documentPdfPrefix(ref), ...(cursor ? { cursor } : {}) });
    if (page.objects.length > 0) await env.FILES.delete(page.objects.map((o) => o.key));
    removed += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return removed;
}
