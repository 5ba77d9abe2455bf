// INTERFACE STUB (owned by the PDF work): replaced by the real implementation.
import type { NotificationDeps } from "../notifications/service";

export type DocumentKind = "QUOTE" | "INVOICE";
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

/** The PDF of the document as it is now: the stored one when nothing changed, else rendered and stored. 404 (ApiError) when
 *  the document is not the owner's. */
export async function ensureDocumentPdf(_deps: NotificationDeps, _ref: DocumentRef): Promise<StoredPdf> {
  throw new Error("not implemented");
}

/** An `application/pdf` response streaming the stored object (inline unless `download`). */
export async function pdfResponse(_env: NotificationDeps["env"], _pdf: StoredPdf, _options: { download?: boolean } = {}): Promise<Response> {
  throw new Error("not implemented");
}
