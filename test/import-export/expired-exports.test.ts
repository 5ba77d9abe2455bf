import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { createDb } from "@shared/db/client";
import { exportsTable } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { removeExpiredExports, STALE_PENDING_MS } from "../../workers/cron/expired-exports";
import { register } from "../support/http";

const db = createDb(env.DB);

describe("cron: expired exports", () => {
  it("removes expired exports with their files, keeps live ones, and fails exports stuck in PENDING", async () => {
    const owner = await register();
    const now = new Date();
    const row = (status: "READY" | "PENDING", expiresAt: Date | null, createdAt = now) => {
      const id = newId();
      return { id, ownerId: owner.user.id, entity: "contacts" as const, format: "csv" as const, status, r2Key: status === "READY" ? `${owner.user.id}/exports/${id}.csv` : null, expiresAt, createdAt, updatedAt: createdAt };
    };
    const expired = row("READY", new Date(now.getTime() - 1000));
    const live = row("READY", new Date(now.getTime() + 3_600_000));
    const stuck = row("PENDING", null, new Date(now.getTime() - STALE_PENDING_MS - 1000));
    const fresh = row("PENDING", null);
    await auditedBatch(db, { type: "SYSTEM", id: null, requestId: null }, [db.insert(exportsTable).values([expired, live, stuck, fresh])]);
    await env.FILES.put(expired.r2Key!, "old");
    await env.FILES.put(live.r2Key!, "new");

    expect(await removeExpiredExports({ env, db, now })).toEqual({ exportsRemoved: 1, exportsFailed: 1 });
    expect(await env.FILES.head(expired.r2Key!)).toBeNull();
    expect(await env.FILES.head(live.r2Key!)).not.toBeNull();
    const left = await db.select().from(exportsTable).where(eq(exportsTable.ownerId, owner.user.id));
    expect(Object.fromEntries(left.map((e) => [e.id, e.status]))).toEqual({ [live.id]: "READY", [stuck.id]: "FAILED", [fresh.id]: "PENDING" });
    // Running again changes nothing.
    expect(await removeExpiredExports({ env, db, now })).toEqual({ exportsRemoved: 0, exportsFailed: 0 });
  });
});
