// UserHub: one Durable Object per user, where that user's live state lives: their open connections, the
// rooms (conversations) each connection joined, and presence. It holds no socket itself: each socket lives in
// its own SocketConnection (see socket-connection.ts for why), which the hub reaches by id to deliver frames.
// State is kept in the object's SQLite storage, so the hub can be evicted whenever it is idle and rebuilt on
// the next call without anyone noticing.
import { DurableObject } from "cloudflare:workers";
import { createDb } from "@shared/db/client";
import type { Env } from "@shared/env";
import { coParticipantIds } from "../workers/modules/conversations/service";
import { emitToUsers } from "../workers/modules/realtime/push";

export interface HubStats {
  userId: string | null;
  connections: { id: string; rooms: string[] }[];
  /** When this instance was constructed: a later time than the previous answer means the hub was evicted. */
  instanceStartedAt: number;
}

export class UserHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Connection id → conversation ids it joined; mirrors the storage tables. */
  private readonly rooms = new Map<string, Set<string>>();
  private userId: string | null = null;
  private readonly startedAt = Date.now();
  /** Presence changes are announced one after another, so "offline" can never overtake the "online" before it. */
  private presence: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS connections (id TEXT PRIMARY KEY, connected_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS memberships (connection_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
        PRIMARY KEY (connection_id, conversation_id));`);
    for (const row of this.sql.exec<{ id: string }>("SELECT id FROM connections")) this.rooms.set(row.id, new Set());
    for (const row of this.sql.exec<{ connection_id: string; conversation_id: string }>("SELECT * FROM memberships")) {
      this.rooms.get(row.connection_id)?.add(row.conversation_id);
    }
    this.userId = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'user_id'").toArray()[0]?.value ?? null;
    // One line per wake: in the logs, the gaps between them are the time the hub spent evicted (costing nothing).
    console.log(JSON.stringify({ level: "info", msg: "user hub started", userId: this.userId, connections: this.rooms.size }));
  }

  /** A connection authenticated as this user. The first one makes the user "online" for everyone they talk to. */
  async attach(connectionId: string, userId: string): Promise<void> {
    if (this.userId !== userId) {
      this.userId = userId;
      this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('user_id', ?)", userId);
    }
    if (this.rooms.has(connectionId)) return;
    // Connections whose object was reset never said goodbye: check before deciding this one is the first.
    if (this.rooms.size > 0) await this.forgetClosed([...this.rooms.keys()]);
    const first = this.rooms.size === 0;
    this.rooms.set(connectionId, new Set());
    this.sql.exec("INSERT OR IGNORE INTO connections (id, connected_at) VALUES (?, ?)", connectionId, Date.now());
    if (first) this.announce("online");
  }

  /** A connection closed (or was found dead). The last one makes the user "offline". */
  async detach(connectionId: string): Promise<void> {
    if (!this.rooms.has(connectionId)) return;
    this.forget(connectionId);
    if (this.rooms.size === 0) this.announce("offline");
  }

  /** Membership is checked against D1 by the caller; the hub only remembers it. A connection the hub had
   *  forgotten (it looked gone for a moment) is registered again rather than left deaf. */
  async join(connectionId: string, userId: string, conversationId: string): Promise<void> {
    if (!this.rooms.has(connectionId)) await this.attach(connectionId, userId);
    this.rooms.get(connectionId)?.add(conversationId);
    this.sql.exec("INSERT OR IGNORE INTO memberships (connection_id, conversation_id) VALUES (?, ?)", connectionId, conversationId);
  }

  async leave(connectionId: string, conversationId: string): Promise<boolean> {
    const left = this.rooms.get(connectionId)?.delete(conversationId) ?? false;
    this.sql.exec("DELETE FROM memberships WHERE connection_id = ? AND conversation_id = ?", connectionId, conversationId);
    return left;
  }

  /** Sends `frame` to this user's connections in the room. Answers whether the user has any connection at all. */
  async emitToRoom(conversationId: string, frame: string): Promise<boolean> {
    const targets = [...this.rooms].filter(([, joined]) => joined.has(conversationId)).map(([id]) => id);
    await this.deliver(targets, frame);
    return this.rooms.size > 0;
  }

  async emitToAll(frame: string): Promise<boolean> {
    await this.deliver([...this.rooms.keys()], frame);
    return this.rooms.size > 0;
  }

  /** The user was removed from the conversation: every connection leaves its room and is told so. */
  async dropRoom(conversationId: string, frame: string): Promise<void> {
    const targets = [...this.rooms].filter(([, joined]) => joined.delete(conversationId)).map(([id]) => id);
    this.sql.exec("DELETE FROM memberships WHERE conversation_id = ?", conversationId);
    await this.deliver(targets, frame);
  }

  async stats(): Promise<HubStats> {
    return {
      userId: this.userId,
      connections: [...this.rooms].map(([id, joined]) => ({ id, rooms: [...joined] })),
      instanceStartedAt: this.startedAt,
    };
  }

  private async deliver(connectionIds: string[], frame: string): Promise<void> {
    const results = await Promise.allSettled(connectionIds.map((id) => this.connection(id).deliver(frame)));
    // Forgotten only when the connection itself says its socket is gone (its object was reset, or it closed
    // without telling us); a call that failed is no proof of that, and the frame is merely lost.
    const gone = connectionIds.filter((_, i) => {
      const result = results[i]!;
      if (result.status === "rejected") {
        console.error(JSON.stringify({ level: "error", msg: "delivery to a connection failed", connectionId: connectionIds[i], error: String(result.reason) }));
      }
      return result.status === "fulfilled" && !result.value;
    });
    for (const id of gone) await this.detach(id);
  }

  private async forgetClosed(connectionIds: string[]): Promise<void> {
    const open = await Promise.allSettled(connectionIds.map((id) => this.connection(id).isOpen()));
    for (const [i, id] of connectionIds.entries()) {
      const result = open[i]!;
      if (result.status === "fulfilled" && !result.value) this.forget(id);
    }
  }

  /** Drops a connection without announcing anything (the caller decides about presence). */
  private forget(connectionId: string): void {
    this.rooms.delete(connectionId);
    this.sql.exec("DELETE FROM connections WHERE id = ?", connectionId);
    this.sql.exec("DELETE FROM memberships WHERE connection_id = ?", connectionId);
  }

  private connection(connectionId: string) {
    return this.env.SOCKETS.get(this.env.SOCKETS.idFromString(connectionId));
  }

  private announce(status: "online" | "offline"): void {
    const userId = this.userId;
    if (!userId) return;
    this.presence = this.presence.then(async () => {
      try {
        const others = await coParticipantIds(createDb(this.env.DB), userId);
        await emitToUsers(this.env, others, "userStatus", { userId, status });
      } catch (error) {
        console.error(JSON.stringify({ level: "error", msg: "presence announcement failed", userId, status, error: String(error) }));
      }
    });
    this.ctx.waitUntil(this.presence);
  }
}
