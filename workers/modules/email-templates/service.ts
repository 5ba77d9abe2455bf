// INTERFACE STUB (owned by the email templates work): replaced by the real implementation.
import type { Db } from "@shared/db/client";
import type { EmailTemplateKind } from "@shared/db/schema";

/** Values for `{{variables}}`: nested objects (`client.firstName`). Missing values render as "". */
export type TemplateValues = Record<string, Record<string, string | number | null | undefined>>;
export interface RenderedTemplate {
  subject: string;
  text: string;
  html: string;
}

/** The owner's template of this kind (or the default) filled in: values HTML-escaped in the HTML part. */
export async function renderTemplate(_db: Db, _ownerId: string, _kind: EmailTemplateKind, _values: TemplateValues): Promise<RenderedTemplate> {
  throw new Error("not implemented");
}
