import { sql } from "drizzle-orm";
import { integer } from "drizzle-orm/sqlite-core";

// Times are stored as integer milliseconds since the epoch (UTC) and surface as Date objects.
export const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });
export const createdAt = (name = "created_at") => timestamp(name).notNull().default(sql`(unixepoch('subsec') * 1000)`);
