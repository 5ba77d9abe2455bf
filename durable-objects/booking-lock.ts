// BookingLock: one Durable Object per host (named by the host's id). Every write that depends on what the host
// still offers (a hold, a booking, a move) runs here, one at a time. A Durable Object alone does not give
// that: while a handler awaits D1, the next request's handler runs. So calls queue on a promise chain, and each
// runs its whole check-and-insert before the next starts. D1 stays the system of record; the object keeps no
// state of its own beyond the alarm that clears expired holds.
import { DurableObject } from "cloudflare:workers";
import { getConfig } from "@shared/config";
import { createDb } from "@shared/db/client";
import { bookingHolds } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { ApiError, type ErrorCode, type FieldError } from "@shared/lib/errors";
import { and, asc, eq, lte } from "drizzle-orm";
import { lockedBook, lockedHold, lockedMove, type BookRequest, type HoldRequest, type LockDeps, type MoveRequest } from "../workers/modules/booking/locked";
import { toPublicBooking } from "../workers/modules/booking/schemas";

/** Errors do not keep their class across RPC, so outcomes travel as values and become ApiErrors again outside. */
export type LockOutcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; detail?: string; errors?: FieldError[] };

export class BookingLock extends DurableObject<Env> {
  private queue: Promise<unknown> = Promise.resolve();
  private hostId: string | null = null;

  private deps(): LockDeps {
    return { env: this.env, db: createDb(this.env.DB), config: getConfig(this.env) };
  }

  /** Runs `work` after every call queued before it, and turns its ApiError into an outcome. */
  private serialize<T>(work: () => Promise<T>): Promise<LockOutcome<T>> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => {
        if (error instanceof ApiError) return { ok: false as const, code: error.code, detail: error.detail, errors: error.extras.errors };
        throw error;
      },
    );
  }

  async hold(request: HoldRequest) {
    this.hostId = request.hostId;
    const outcome = await this.serialize(() => lockedHold(this.deps(), request));
    if (outcome.ok) await this.scheduleCleanup(new Date(outcome.value.expiresAt).getTime());
    return outcome;
  }

  book(request: BookRequest) {
    return this.serialize(() => lockedBook(this.deps(), request));
  }

  move(request: MoveRequest) {
    return this.serialize(async () => {
      const { booking, cancelToken } = await lockedMove(this.deps(), request);
      return { booking: toPublicBooking(booking), cancelToken };
    });
  }

  private async scheduleCleanup(at: number) {
    await this.ctx.storage.put("hostId", this.hostId);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Deletes this host's expired holds (availability already ignores them) and waits for the next expiry. */
  override async alarm() {
    const hostId = this.hostId ?? (await this.ctx.storage.get<string>("hostId")) ?? null;
    if (!hostId) return;
    const db = createDb(this.env.DB);
    const now = new Date();
    await db.delete(bookingHolds).where(and(eq(bookingHolds.hostId, hostId), lte(bookingHolds.expiresAt, now)));
    const [next] = await db
      .select({ expiresAt: bookingHolds.expiresAt })
      .from(bookingHolds)
      .where(eq(bookingHolds.hostId, hostId))
      .orderBy(asc(bookingHolds.expiresAt))
      .limit(1);
    if (next) await this.ctx.storage.setAlarm(next.expiresAt.getTime());
  }
}

export const bookingLockOf = (env: Env, hostId: string) => env.BOOKING_LOCKS.get(env.BOOKING_LOCKS.idFromName(hostId));

/** The value of an outcome, or its ApiError thrown again on this side of the call. */
export function unwrap<T>(outcome: LockOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new ApiError(outcome.code, outcome.detail, outcome.errors ? { errors: outcome.errors } : {});
}
