import { and, asc, eq, gt, or } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { auditedBatch } from "@shared/db/audited";
import { providers, type Provider } from "@shared/db/schema";
import { notFound } from "@shared/lib/errors";
import { newId } from "@shared/lib/ids";
import { decodeCursor, toPage, type Page } from "@shared/lib/pagination";
import type { ServiceDeps } from "../../router";
import type { CreateProviderInput, ProviderSchema, UpdateProviderInput } from "./schemas";

export type ProviderDto = z.infer<typeof ProviderSchema>;

export const toProviderDto = (provider: Provider): ProviderDto => ({
  id: provider.id,
  name: provider.name,
  role: provider.role,
  email: provider.email,
  phone: provider.phone,
  createdAt: provider.createdAt.toISOString(),
  updatedAt: provider.updatedAt.toISOString(),
});

export async function createProvider(deps: ServiceDeps, ownerId: string, input: CreateProviderInput): Promise<Provider> {
  const now = new Date();
  const [[provider]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .insert(providers)
      .values({
        id: newId(),
        ownerId,
        name: input.name,
        role: input.role ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
  ]);
  return provider!;
}

export async function getProvider(deps: ServiceDeps, ownerId: string, id: string): Promise<Provider> {
  const [provider] = await deps.db
    .select()
    .from(providers)
    .where(and(eq(providers.ownerId, ownerId), eq(providers.id, id)))
    .limit(1);
  if (!provider) throw notFound("Provider");
  return provider;
}

// Sorted by name as stored (binary order) then id: the order providers_owner_name_idx serves.
const cursorShape = z.tuple([z.string(), z.string()]);

export async function listProviders(deps: ServiceDeps, ownerId: string, query: { limit: number; cursor?: string }): Promise<Page<ProviderDto>> {
  const after = query.cursor ? decodeCursor(query.cursor, cursorShape) : null;
  const rows = await deps.db
    .select()
    .from(providers)
    .where(
      and(
        eq(providers.ownerId, ownerId),
        after ? or(gt(providers.name, after[0]), and(eq(providers.name, after[0]), gt(providers.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(providers.name), asc(providers.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => [row.name, row.id], toProviderDto);
}

export async function updateProvider(deps: ServiceDeps, ownerId: string, id: string, input: UpdateProviderInput): Promise<Provider> {
  const [[provider]] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .update(providers)
      .set({ ...input, updatedAt: new Date() })
      .where(and(eq(providers.ownerId, ownerId), eq(providers.id, id)))
      .returning(),
  ]);
  if (!provider) throw notFound("Provider");
  return provider;
}

/** Removing a provider from the address book also removes it from every shoot it was booked on (cascade). */
export async function deleteProvider(deps: ServiceDeps, ownerId: string, id: string): Promise<void> {
  const [deleted] = await auditedBatch(deps.db, deps.actor, [
    deps.db
      .delete(providers)
      .where(and(eq(providers.ownerId, ownerId), eq(providers.id, id)))
      .returning({ id: providers.id }),
  ]);
  if (deleted.length === 0) throw notFound("Provider");
}
