import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import { auditedBatch } from "@shared/db/audited";
import { isUniqueViolation } from "@shared/db/client";
import { tags, type Tag } from "@shared/db/schema";
import { conflict, notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import { fold } from "@shared/lib/text";
import type { ServiceDeps } from "../../router";
import type { CreateTagInput, UpdateTagInput } from "./schemas";

const duplicateName = (name: string) => conflict(`A tag named "${name}" already exists (names ignore case and accents)`);

/** Runs a write that may collide with tags_owner_name_unique, answering 409 instead of a 500. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
}

export async function createTag(deps: ServiceDeps, ownerId: string, input: CreateTagInput): Promise<Tag> {
  const now = new Date();
  const row = { id: newId(), ownerId, name: input.name, nameKey: fold(input.name), color: input.color ?? null, createdAt: now, updatedAt: now };
  const [inserted] = await uniqueName(input.name, () => auditedBatch(deps.db, deps.actor, [deps.db.insert(tags).values(row).returning()]));
  return inserted[0]!;
}

export async function getTag(deps: ServiceDeps, ownerId: string, tagId: string): Promise<Tag> {
  const [tag] = await deps.db
    .select()
    .from(tags)
    .where(and(eq(tags.ownerId, ownerId), eq(tags.id, tagId)))
    .limit(1);
  if (!tag) throw notFound("Tag");
  return tag;
}

/** Tags by name, ignoring case and accents; the folded name is unique per owner, so it alone is the cursor. */
export async function listTags(deps: ServiceDeps, ownerId: string, query: { limit: number; cursor?: string }): Promise<Page<Tag>> {
  const after = query.cursor ? decodeCursor(query.cursor, z.tuple([z.string()]))[0] : undefined;
  const rows = await deps.db
    .select()
    .from(tags)
    .where(and(eq(tags.ownerId, ownerId), after === undefined ? undefined : gt(tags.nameKey, after)))
    .orderBy(asc(tags.nameKey))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (tag) => [tag.nameKey], (tag) => tag);
}

export async function updateTag(deps: ServiceDeps, ownerId: string, tagId: string, input: UpdateTagInput): Promise<Tag> {
  const changes = {
    ...(input.name !== undefined ? { name: input.name, nameKey: fold(input.name) } : {}),
    ...(input.color !== undefined ? { color: input.color } : {}),
    updatedAt: new Date(),
  };
  const [updated] = await uniqueName(input.name ?? "", () =>
    auditedBatch(deps.db, deps.actor, [
      deps.db
        .update(tags)
        .set(changes)
        .where(and(eq(tags.ownerId, ownerId), eq(tags.id, tagId)))
        .returning(),
    ]),
  );
  if (!updated[0]) throw notFound("Tag");
  return updated[0];
}

/** Deleting a tag unlinks it from every contact and session (foreign keys cascade, each unlink audited). */
export async function deleteTag(deps: ServiceDeps, ownerId: string, tagId: string): Promise<void> {
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(tags)
      .where(and(eq(tags.ownerId, ownerId), eq(tags.id, tagId)))
      .returning({ id: tags.id }),
  ]);
  if (!deleted[0]) throw notFound("Tag");
}
