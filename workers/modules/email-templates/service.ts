import { and, eq } from "drizzle-orm";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { emailTemplateKinds, emailTemplates, users, type EmailTemplate, type EmailTemplateKind } from "@shared/db/schema";
import { notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import type { ServiceDeps } from "../../router";
import { kinds, variableList } from "./catalogue";
import { clientLinkUrl } from "../portal/tokens";
import { assertEmailFits, renderedErrors, renderParts, renderSource, templateErrors, type RenderedParts, type RenderedTemplate, type TemplateValues } from "./render";
import type { PreviewEmailTemplateInput, SaveEmailTemplateInput } from "./schemas";
import { studioName } from "./values";

export { EmailTooLargeError } from "./render";
export type { RenderedParts, RenderedTemplate, TemplateValues } from "./render";

export interface TemplateView {
  kind: EmailTemplateKind;
  subject: string;
  body: string;
  isDefault: boolean;
  variables: { name: string; description: string }[];
  updatedAt: string | null;
}

/** The kind named in a path, or 404 for a name that is not one. */
export function templateKind(name: string): EmailTemplateKind {
  if (!(emailTemplateKinds as readonly string[]).includes(name)) throw notFound("Email template");
  return name as EmailTemplateKind;
}

function view(kind: EmailTemplateKind, row: EmailTemplate | undefined): TemplateView {
  return {
    kind,
    subject: row?.subject ?? kinds[kind].subject,
    body: row?.body ?? kinds[kind].body,
    isDefault: !row,
    variables: variableList(kind),
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}

async function storedTemplate(db: Db, ownerId: string, kind: EmailTemplateKind): Promise<EmailTemplate | undefined> {
  const [row] = await db
    .select()
    .from(emailTemplates)
    .where(and(eq(emailTemplates.ownerId, ownerId), eq(emailTemplates.kind, kind)))
    .limit(1);
  return row;
}

/** Every kind, in the catalogue's order: the studio's own wording where it has one, else the default. */
export async function listTemplates(db: Db, ownerId: string): Promise<TemplateView[]> {
  const rows = await db.select().from(emailTemplates).where(eq(emailTemplates.ownerId, ownerId));
  return emailTemplateKinds.map((kind) => view(kind, rows.find((row) => row.kind === kind)));
}

export async function getTemplate(db: Db, ownerId: string, kind: EmailTemplateKind): Promise<TemplateView> {
  return view(kind, await storedTemplate(db, ownerId, kind));
}

/** Both fields checked against the kind's variables: every problem is reported at once. */
function assertValid(kind: EmailTemplateKind, draft: { subject?: string | undefined; body?: string | undefined }): void {
  const errors = [
    ...(draft.subject === undefined ? [] : templateErrors(kind, "body.subject", draft.subject)),
    ...(draft.body === undefined ? [] : templateErrors(kind, "body.body", draft.body)),
  ];
  if (errors.length > 0) throw validationFailed(errors);
}

/** A template is saved only if every email it can make has its portal link (where the kind has one) and fits
 *  in a queue message with the longest values. */
export async function saveTemplate(deps: ServiceDeps, ownerId: string, kind: EmailTemplateKind, input: SaveEmailTemplateInput): Promise<TemplateView> {
  assertValid(kind, input);
  const rendered = renderedErrors(kind, input);
  if (rendered.length > 0) throw validationFailed(rendered);
  const now = new Date();
  const [[row]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .insert(emailTemplates)
      .values({ id: newId(), ownerId, kind, subject: input.subject, body: input.body, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: [emailTemplates.ownerId, emailTemplates.kind], set: { subject: input.subject, body: input.body, updatedAt: now } })
      .returning(),
  ]);
  return view(kind, row);
}

/** Back to the default wording; resetting a template that is already the default changes nothing. */
export async function resetTemplate(deps: ServiceDeps, ownerId: string, kind: EmailTemplateKind): Promise<void> {
  await auditedBatch(deps.db, deps.actor, [deps.db.delete(emailTemplates).where(and(eq(emailTemplates.ownerId, ownerId), eq(emailTemplates.kind, kind)))]);
}

/** The saved template, or the draft's parts over it, filled in with sample values and the studio's real name. */
export async function previewTemplate(deps: ServiceDeps, ownerId: string, kind: EmailTemplateKind, draft: PreviewEmailTemplateInput): Promise<RenderedTemplate> {
  assertValid(kind, draft);
  const current = await getTemplate(deps.db, ownerId, kind);
  const [owner] = await deps.db.select({ companyName: users.companyName, firstName: users.firstName, lastName: users.lastName }).from(users).where(eq(users.id, ownerId)).limit(1);
  if (!owner) throw notFound("User");
  const values: TemplateValues = {};
  for (const [name, spec] of Object.entries(kinds[kind].variables)) {
    const [group, key] = name.split(".") as [string, string];
    (values[group] ??= {})[key] = spec.sample;
  }
  values.studio = { name: studioName(owner) };
  if (values.portal) values.portal.url = clientLinkUrl(deps.config.portal.url, "preview");
  return renderSource(kind, { subject: draft.subject ?? current.subject, body: draft.body ?? current.body }, values);
}

/** The owner's template of this kind (or the default) filled in: values HTML-escaped in the HTML part.
 *  EmailTooLargeError when it outgrows a queue message (a template saved before sizes were checked). */
export async function renderTemplate(db: Db, ownerId: string, kind: EmailTemplateKind, values: TemplateValues): Promise<RenderedTemplate> {
  const row = await storedTemplate(db, ownerId, kind);
  return assertEmailFits(renderSource(kind, row ?? kinds[kind], values));
}

/** The same, with the HTML body left unframed for an email that adds its own parts (the booking email's
 *  calendar note and manage link). */
export async function renderTemplateParts(db: Db, ownerId: string, kind: EmailTemplateKind, values: TemplateValues): Promise<RenderedParts> {
  const row = await storedTemplate(db, ownerId, kind);
  return renderParts(kind, row ?? kinds[kind], values);
}
