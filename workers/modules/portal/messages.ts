// The thread between a studio and one client. The client writes from the portal (the owner is notified and
// their dashboards get `messages:new`); the owner answers from the contact view (the client is emailed a
// portal link, never a dashboard one). Each side reading the thread marks the other side's messages read.
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch, type Actor } from "@shared/db/audited";
import type { Db } from "@shared/db/client";
import { clientMessages, contacts, users, type ClientMessage } from "@shared/db/schema";
import { conflict, notFound, validationFailed } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import { enqueueJob } from "../../jobs/enqueue";
import { EmailTooLargeError, renderTemplate } from "../email-templates/service";
import { clientValues, studioValues } from "../email-templates/values";
import { notify, type NotificationDeps } from "../notifications/service";
import { emitToUsers } from "../realtime/push";
import { ownerNoticeEmail } from "./owner-emails";
import { clientActor, getOrCreateClientLink, type ClientAccess } from "./tokens";

export { MESSAGE_MAX_LENGTH } from "../email-templates/catalogue";

export const clientMessageNoticeKey = (messageId: string) => `client-message:${messageId}`;

export interface ClientMessageView {
  id: string;
  contactId: string;
  /** CLIENT: written in the portal; OWNER: the studio's answer. */
  direction: ClientMessage["direction"];
  body: string;
  readAt: string | null;
  createdAt: string;
}

export const toMessageView = (row: ClientMessage): ClientMessageView => ({
  id: row.id,
  contactId: row.contactId,
  direction: row.direction,
  body: row.body,
  readAt: row.readAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

const messageCursor = z.tuple([z.string()]);

/**
 * A page of the thread, newest first (keyset on client_messages_contact_idx). When the page holds unread
 * messages of the other side, every unread one of theirs is marked read: opening the thread reads it.
 */
async function threadPage(
  db: Db,
  thread: { ownerId: string; contactId: string },
  reader: { other: ClientMessage["direction"]; actor: Actor },
  query: { limit: number; cursor?: string },
): Promise<Page<ClientMessageView>> {
  const before = query.cursor ? decodeCursor(query.cursor, messageCursor)[0] : undefined;
  const rows = await db
    .select()
    .from(clientMessages)
    .where(and(eq(clientMessages.contactId, thread.contactId), eq(clientMessages.ownerId, thread.ownerId), before ? lt(clientMessages.id, before) : undefined))
    .orderBy(desc(clientMessages.id))
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => [row.id], toMessageView);
  if (page.items.some((item) => item.direction === reader.other && item.readAt === null)) {
    const now = new Date();
    await auditedBatch(db, reader.actor, [
      db
        .update(clientMessages)
        .set({ readAt: now })
        .where(
          and(
            eq(clientMessages.ownerId, thread.ownerId),
            eq(clientMessages.contactId, thread.contactId),
            eq(clientMessages.direction, reader.other),
            isNull(clientMessages.readAt),
          ),
        ),
    ]);
    // The answer shows the state the reader leaves the thread in.
    for (const item of page.items) if (item.direction === reader.other && item.readAt === null) item.readAt = now.toISOString();
  }
  return page;
}

async function insertMessage(db: Db, actor: Actor, row: typeof clientMessages.$inferInsert): Promise<ClientMessage> {
  const [[stored]] = await auditedBatch(db, actor, [db.insert(clientMessages).values(row).returning()]);
  return stored!;
}

// ───────────────────────────── the client's side ─────────────────────────────

export function clientThread(deps: NotificationDeps, access: ClientAccess, query: { limit: number; cursor?: string }, requestId: string | null) {
  return threadPage(deps.db, access, { other: "OWNER", actor: clientActor(access, requestId) }, query);
}

/**
 * The client writes; the owner gets CLIENT_MESSAGE_RECEIVED (in-app and email per preference) through the
 * `client-message.notify` job, keyed by the message, so a failure is retried rather than lost and a retry
 * never tells twice. The live push to the owner's dashboards is immediate and best effort.
 */
export async function postClientMessage(deps: NotificationDeps, access: ClientAccess, body: string, requestId: string | null): Promise<ClientMessageView> {
  const { db, env } = deps;
  const stored = await insertMessage(db, clientActor(access, requestId), {
    id: newId(),
    ownerId: access.ownerId,
    contactId: access.contactId,
    direction: "CLIENT",
    body,
    accessTokenId: access.id,
  });
  const message = toMessageView(stored);
  // Stored already: the client's request succeeds either way; a failed enqueue is logged for the operator.
  await Promise.all([
    enqueueJob(env.JOBS, "client-message.notify", clientMessageNoticeKey(message.id), { messageId: message.id }).catch((error) =>
      console.error(JSON.stringify({ level: "error", msg: "client message notification not queued", messageId: message.id, requestId, error: String(error) })),
    ),
    emitToUsers(env, [access.ownerId], "messages:new", { contactId: access.contactId, message }).catch((error) =>
      console.error(JSON.stringify({ level: "error", msg: "client message push failed", messageId: message.id, requestId, error: String(error) })),
    ),
  ]);
  return message;
}

/** The `client-message.notify` job: tells the owner about one client message (gone with its contact: nothing). */
export async function notifyClientMessage(deps: NotificationDeps, messageId: string): Promise<void> {
  const [found] = await deps.db
    .select({ message: clientMessages, ownerFirstName: users.firstName, clientFirstName: contacts.firstName, clientLastName: contacts.lastName })
    .from(clientMessages)
    .innerJoin(contacts, eq(contacts.id, clientMessages.contactId))
    .innerJoin(users, eq(users.id, clientMessages.ownerId))
    .where(and(eq(clientMessages.id, messageId), eq(clientMessages.direction, "CLIENT")))
    .limit(1);
  if (!found) return;
  const { message } = found;
  const clientName = [found.clientFirstName, found.clientLastName].filter(Boolean).join(" ") || "Your client";
  const app = deps.config.appUrl.replace(/\/+$/, "");
  const title = `New message from ${clientName}`;
  const excerpt = message.body.length > 200 ? `${message.body.slice(0, 199)}…` : message.body;
  await notify(deps, message.ownerId, {
    type: "CLIENT_MESSAGE_RECEIVED",
    title,
    body: excerpt,
    data: { contactId: message.contactId, messageId: message.id },
    email: ownerNoticeEmail({
      ownerFirstName: found.ownerFirstName,
      title,
      lead: `${clientName} wrote to you from the client portal.`,
      quoted: { label: "Their message", text: message.body },
      link: { href: `${app}/contacts/${encodeURIComponent(message.contactId)}?tab=messages`, label: "Reply" },
      preferencesLink: `${app}/settings/notifications`,
    }),
    key: clientMessageNoticeKey(message.id),
  });
}

// ───────────────────────────── the owner's side ─────────────────────────────

async function ownedContact(db: Db, ownerId: string, contactId: string) {
  const [contact] = await db.select().from(contacts).where(and(eq(contacts.id, contactId), eq(contacts.ownerId, ownerId)));
  if (!contact) throw notFound("Contact");
  return contact;
}

export async function ownerThread(deps: NotificationDeps & { actor: Actor }, ownerId: string, contactId: string, query: { limit: number; cursor?: string }) {
  await ownedContact(deps.db, ownerId, contactId);
  return threadPage(deps.db, { ownerId, contactId }, { other: "CLIENT", actor: deps.actor }, query);
}

/**
 * The owner's answer, emailed to the client with a portal link (their CLIENT_MESSAGE_REPLY template) and
 * pushed to the owner's other dashboards. 409 when the contact has no email address; 400 at `body.body` when
 * the email would be too large to send (a template saved before sizes were checked). The reply's id is made
 * first and the email enqueued under a key from it before the reply is stored: a reply in the thread was
 * always handed to the queue, and its email goes out once however often the queue delivers it. If the insert
 * fails after the enqueue, the client gets an email the thread lacks and the owner sees an error (writing again
 * sends a second email).
 */
export async function postOwnerReply(deps: NotificationDeps & { actor: Actor }, ownerId: string, contactId: string, body: string): Promise<ClientMessageView> {
  const { db, env } = deps;
  const contact = await ownedContact(db, ownerId, contactId);
  if (!contact.email) throw conflict("This contact has no email address: add one to answer from here");
  const [owner] = await db.select().from(users).where(eq(users.id, ownerId));
  if (!owner) throw notFound("User");
  const link = await getOrCreateClientLink(deps, ownerId, { contactId });
  const email = await renderTemplate(db, ownerId, "CLIENT_MESSAGE_REPLY", {
    client: clientValues(contact),
    studio: studioValues(owner),
    message: { body },
    portal: { url: link.url },
  }).catch((error: unknown) => {
    if (error instanceof EmailTooLargeError) throw validationFailed([{ path: "body.body", message: `too long for your reply template: ${error.message}` }]);
    throw error;
  });
  const id = newId();
  await enqueueJob(env.JOBS, "email.send", `client-message-reply:${id}`, {
    to: contact.email,
    subject: email.subject,
    text: email.text,
    html: email.html,
    replyTo: owner.email,
  });
  const message = toMessageView(await insertMessage(db, deps.actor, { id, ownerId, contactId, direction: "OWNER", body }));
  await emitToUsers(env, [ownerId], "messages:new", { contactId, message });
  return message;
}
