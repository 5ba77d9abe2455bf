// Scheduled emails: the owner's CRUD. Sending (the cron that claims due ones, the job, the sweep) is in send.ts.
import { and, asc, eq, gt, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { requireOwned } from "@shared/db/ownership";
import { contacts, files, scheduledEmailFiles, scheduledEmails, users, type ScheduledEmail } from "@shared/db/schema";
import { ApiError, conflict, notFound, validationFailed, type FieldError } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import { renderedErrors, templateErrors } from "../email-templates/render";
import { anniversaryOf } from "./send";
import { toScheduledEmailDto, type CreateScheduledEmailInput, type ScheduledEmailDto, type ScheduledEmailListQuery, type ScheduledFile, type UpdateScheduledEmailInput } from "./schemas";

export { failScheduledEmail, sendScheduledEmail } from "./send";

const scheduledEmailNotFound = () => notFound("Scheduled email");

function assertContent(input: { subject?: string | undefined; body?: string | undefined; sendAt?: string | undefined }, now: Date): void {
  const errors: FieldError[] = [
    ...(input.subject === undefined ? [] : templateErrors("SCHEDULED_EMAIL", "body.subject", input.subject)),
    ...(input.body === undefined ? [] : templateErrors("SCHEDULED_EMAIL", "body.body", input.body)),
    ...(input.sendAt !== undefined && Date.parse(input.sendAt) <= now.getTime() ? [{ path: "body.sendAt", message: "must be in the future" }] : []),
  ];
  if (errors.length > 0) throw validationFailed(errors);
}

/** The whole email, once its parts are known valid, must fit in a queue message with the longest names. */
function assertFits(email: { subject: string; body: string }): void {
  const errors = renderedErrors("SCHEDULED_EMAIL", email);
  if (errors.length > 0) throw validationFailed(errors);
}

/** The recipient: the owner's contact (404 otherwise) with an email address (409 without one). */
async function requireRecipient(db: Db, ownerId: string, contactId: string): Promise<void> {
  const [contact] = await db
    .select({ email: contacts.email })
    .from(contacts)
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId)))
    .limit(1);
  if (!contact) throw notFound("Contact");
  if (!contact.email) throw conflict("The contact has no email address to send to");
}

async function filesOf(db: Db, ids: string[]): Promise<Map<string, ScheduledFile[]>> {
  const byEmail = new Map<string, ScheduledFile[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byEmail;
  const rows = await db
    .select({ scheduledEmailId: scheduledEmailFiles.scheduledEmailId, id: files.id, name: files.name, contentType: files.contentType, size: files.size })
    .from(scheduledEmailFiles)
    .innerJoin(files, eq(files.id, scheduledEmailFiles.fileId))
    .where(inArray(scheduledEmailFiles.scheduledEmailId, ids))
    .orderBy(asc(scheduledEmailFiles.createdAt), asc(files.id));
  for (const { scheduledEmailId, ...file } of rows) byEmail.get(scheduledEmailId)?.push(file);
  return byEmail;
}

async function withFiles(db: Db, row: ScheduledEmail): Promise<ScheduledEmailDto> {
  return toScheduledEmailDto(row, (await filesOf(db, [row.id])).get(row.id) ?? []);
}

/** Links files to an email in the same batch as a write that keeps it SCHEDULED: the link is made only if the
 *  email is still SCHEDULED when the batch runs, so a cron claiming it meanwhile never sends a half-edited one. */
function linkFiles(db: Db, ownerId: string, scheduledEmailId: string, fileIds: string[], now: Date) {
  return fileIds.map((fileId) =>
    db.insert(scheduledEmailFiles).select(
      db
        .select({ ownerId: scheduledEmails.ownerId, scheduledEmailId: scheduledEmails.id, fileId: sql<string>`${fileId}`.as("file_id"), createdAt: sql<Date>`${now.getTime()}`.as("created_at") })
        .from(scheduledEmails)
        .where(and(eq(scheduledEmails.id, scheduledEmailId), eq(scheduledEmails.ownerId, ownerId), sql`${scheduledEmails.status} = 'SCHEDULED'`)),
    ),
  );
}

export async function createScheduledEmail(deps: ServiceDeps, ownerId: string, input: CreateScheduledEmailInput): Promise<ScheduledEmailDto> {
  const now = new Date();
  assertContent(input, now);
  assertFits(input);
  await requireRecipient(deps.db, ownerId, input.contactId);
  await requireOwned(deps.db, files, ownerId, input.fileIds, "File");
  let timezone = input.timezone;
  if (!timezone) {
    const [owner] = await deps.db.select({ timezone: users.timezone }).from(users).where(eq(users.id, ownerId)).limit(1);
    timezone = owner?.timezone ?? "UTC";
  }
  const sendAt = new Date(input.sendAt);
  const row = {
    id: newId(),
    ownerId,
    contactId: input.contactId,
    subject: input.subject,
    body: input.body,
    sendAt,
    timezone,
    repeat: input.repeat,
    // Every later occurrence is computed from this, never from the previous one (which may have been clamped).
    anniversary: input.repeat === "YEARLY" ? anniversaryOf(sendAt, timezone, input.sendAt) : null,
    createdAt: now,
    updatedAt: now,
  };
  const [[inserted]] = await auditedBatch(deps.db, deps.actor, [deps.db.insert(scheduledEmails).values(row).returning(), ...linkFiles(deps.db, ownerId, row.id, input.fileIds, now)]);
  return withFiles(deps.db, inserted!);
}

async function ownedRow(db: Db, ownerId: string, id: string): Promise<ScheduledEmail> {
  const [row] = await db
    .select()
    .from(scheduledEmails)
    .where(and(eq(scheduledEmails.ownerId, ownerId), eq(scheduledEmails.id, id)))
    .limit(1);
  if (!row) throw scheduledEmailNotFound();
  return row;
}

export async function getScheduledEmail(deps: ServiceDeps, ownerId: string, id: string): Promise<ScheduledEmailDto> {
  return withFiles(deps.db, await ownedRow(deps.db, ownerId, id));
}

/** By send time (then id), on scheduled_emails_owner_send_idx. */
export async function listScheduledEmails(deps: ServiceDeps, ownerId: string, query: ScheduledEmailListQuery): Promise<Page<ScheduledEmailDto>> {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.number().int(), z.string()])) : undefined;
  const rows = await deps.db
    .select()
    .from(scheduledEmails)
    .where(
      and(
        eq(scheduledEmails.ownerId, ownerId),
        query.status ? eq(scheduledEmails.status, query.status) : undefined,
        query.contactId ? eq(scheduledEmails.contactId, query.contactId) : undefined,
        after ? or(gt(scheduledEmails.sendAt, new Date(after[0])), and(eq(scheduledEmails.sendAt, new Date(after[0])), gt(scheduledEmails.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(scheduledEmails.sendAt), asc(scheduledEmails.id))
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => [row.sendAt.getTime(), row.id], (row) => row);
  const attached = await filesOf(
    deps.db,
    page.items.map((row) => row.id),
  );
  return { items: page.items.map((row) => toScheduledEmailDto(row, attached.get(row.id) ?? [])), nextCursor: page.nextCursor };
}

const notEditable = (status: string) => conflict(`A ${status.toLowerCase()} email can no longer be changed`);

/** Edits only while SCHEDULED: the write is conditional on it, so it cannot race the cron's claim. */
export async function updateScheduledEmail(deps: ServiceDeps, ownerId: string, id: string, input: UpdateScheduledEmailInput): Promise<ScheduledEmailDto> {
  const now = new Date();
  assertContent(input, now);
  const current = await ownedRow(deps.db, ownerId, id);
  if (current.status !== "SCHEDULED") throw notEditable(current.status);
  if (input.subject !== undefined || input.body !== undefined) assertFits({ subject: input.subject ?? current.subject, body: input.body ?? current.body });
  if (input.contactId !== undefined) await requireRecipient(deps.db, ownerId, input.contactId);
  if (input.fileIds !== undefined) await requireOwned(deps.db, files, ownerId, input.fileIds, "File");
  const { fileIds, sendAt, ...rest } = input;
  const repeat = input.repeat ?? current.repeat;
  const timezone = input.timezone ?? current.timezone;
  const nextSendAt = sendAt !== undefined ? new Date(sendAt) : current.sendAt;
  const anniversary =
    sendAt === undefined && input.timezone === undefined && input.repeat === undefined
      ? {}
      : { anniversary: repeat === "YEARLY" ? anniversaryOf(nextSendAt, timezone, sendAt) : null };
  const scheduled = and(eq(scheduledEmails.id, id), eq(scheduledEmails.ownerId, ownerId), sql`${scheduledEmails.status} = 'SCHEDULED'`);
  const update = deps.db
    .update(scheduledEmails)
    .set({ ...rest, ...(sendAt !== undefined ? { sendAt: nextSendAt } : {}), ...anniversary, updatedAt: now })
    .where(scheduled)
    .returning();
  const [[updated]] =
    fileIds === undefined
      ? await auditedBatch(deps.db, deps.actor, [update])
      : await auditedBatch(deps.db, deps.actor, [
          update,
          deps.db.delete(scheduledEmailFiles).where(and(eq(scheduledEmailFiles.scheduledEmailId, id), sql`EXISTS (SELECT 1 FROM ${scheduledEmails} WHERE ${scheduled})`)),
          ...linkFiles(deps.db, ownerId, id, fileIds, now),
        ]);
  if (!updated) {
    const again = await ownedRow(deps.db, ownerId, id);
    throw notEditable(again.status);
  }
  return withFiles(deps.db, updated);
}

/**
 * Stops an email from going out. While QUEUED (its job is on the queue) the cancel still wins: the job claims
 * the occurrence with an UPDATE conditional on QUEUED before it hands the email over. Once the job has claimed
 * it, that occurrence goes out: a one-off email is SENT and its cancel is a 409; a yearly one is SCHEDULED for
 * next year, and cancelling it stops the years to come. A FAILED one is a 409 too.
 */
export async function cancelScheduledEmail(deps: ServiceDeps, ownerId: string, id: string): Promise<ScheduledEmailDto> {
  const [[cancelled]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(scheduledEmails)
      .set({ status: "CANCELLED", updatedAt: new Date() })
      .where(and(eq(scheduledEmails.id, id), eq(scheduledEmails.ownerId, ownerId), inArray(scheduledEmails.status, ["SCHEDULED", "QUEUED", "CANCELLED"])))
      .returning(),
  ]);
  if (cancelled) return withFiles(deps.db, cancelled);
  const row = await ownedRow(deps.db, ownerId, id);
  throw new ApiError("CONFLICT", `A ${row.status.toLowerCase()} email cannot be cancelled`);
}

export async function deleteScheduledEmail(deps: ServiceDeps, ownerId: string, id: string): Promise<void> {
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(scheduledEmails)
      .where(and(eq(scheduledEmails.id, id), eq(scheduledEmails.ownerId, ownerId)))
      .returning({ id: scheduledEmails.id }),
  ]);
  if (!deleted[0]) throw scheduledEmailNotFound();
}
