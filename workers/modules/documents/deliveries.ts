// A document_deliveries row written in the same batch as the status change it goes with. The row is inserted
// from the document as it is when the batch runs (only if `condition` still holds then), and the status
// update that follows is conditional on that row existing: batches run one at a time, so two racing sends or
// cron runs each see the other's result, and a document changed meanwhile gets neither write.
import { and, eq, exists, sql, type SQL } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { documentDeliveries, invoices, quotes } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { enqueueDelivery } from "../deliveries/service";

export type DeliveryKind = (typeof documentDeliveries.$inferSelect)["kind"];

export interface DeliveryRow {
  id: string;
  ownerId: string;
  kind: DeliveryKind;
  toEmail: string;
  now: Date;
}

/** INSERT … SELECT of one QUEUED delivery of the quote, when `condition` holds for it (columns in table order). */
export function quoteDeliveryInsert(db: Db, quoteId: string, row: DeliveryRow, condition: SQL | undefined) {
  const ms = row.now.getTime();
  return db
    .insert(documentDeliveries)
    .select(
      sql`SELECT ${row.id}, ${quotes.ownerId}, ${quotes.id}, NULL, ${row.kind}, ${row.toEmail}, 'QUEUED', ${quotes.version}, NULL, NULL, ${ms}, NULL, ${ms}, ${ms} FROM ${quotes} WHERE ${and(eq(quotes.id, quoteId), eq(quotes.ownerId, row.ownerId), condition)}`,
    )
    .returning({ id: documentDeliveries.id });
}

export function invoiceDeliveryInsert(db: Db, invoiceId: string, row: DeliveryRow, condition: SQL | undefined) {
  const ms = row.now.getTime();
  return db
    .insert(documentDeliveries)
    .select(
      sql`SELECT ${row.id}, ${invoices.ownerId}, NULL, ${invoices.id}, ${row.kind}, ${row.toEmail}, 'QUEUED', ${invoices.version}, NULL, NULL, ${ms}, NULL, ${ms}, ${ms} FROM ${invoices} WHERE ${and(eq(invoices.id, invoiceId), eq(invoices.ownerId, row.ownerId), condition)}`,
    )
    .returning({ id: documentDeliveries.id });
}

/** The condition for the status update: the delivery above was written by this batch. */
export const deliveryWritten = (db: Db, deliveryId: string) => exists(db.select({ one: sql`1` }).from(documentDeliveries).where(eq(documentDeliveries.id, deliveryId)));

/**
 * Hands a committed delivery to the queue. The row is already QUEUED in D1, so a failure here is logged and left
 * to the deliveries sweep (document_deliveries_queued_idx) rather than failing a request whose change is made.
 */
export async function handOver(env: Env, deliveryId: string): Promise<void> {
  try {
    await enqueueDelivery(env, deliveryId);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "delivery not enqueued, left for the sweep", deliveryId, error: String(error) }));
  }
}
