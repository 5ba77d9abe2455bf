// Engine.IO v4 over WebSocket: one packet per text frame, its type a single digit before its data.
// Pure functions, no I/O: the Durable Objects that hold the sockets use them (https://socket.io/docs/v4/engine-io-protocol/).

export const ENGINE_PROTOCOL = 4;

export const enginePacketTypes = { open: "0", close: "1", ping: "2", pong: "3", message: "4", upgrade: "5", noop: "6" } as const;
export type EnginePacketType = keyof typeof enginePacketTypes;
const typeByCode = Object.fromEntries(Object.entries(enginePacketTypes).map(([name, code]) => [code, name])) as Record<string, EnginePacketType>;

export interface EnginePacket {
  type: EnginePacketType;
  data?: string;
}

/** What the server announces in its open packet; the client takes its heartbeat from it. */
export interface OpenHandshake {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export class EngineProtocolError extends Error {}

export function encodeEnginePacket(packet: EnginePacket): string {
  return enginePacketTypes[packet.type] + (packet.data ?? "");
}

/** Decodes one WebSocket frame. Binary frames and unknown types are protocol errors, as is a frame over `maxPayload`. */
export function decodeEnginePacket(frame: string | ArrayBuffer, maxPayload: number): EnginePacket {
  if (typeof frame !== "string") throw new EngineProtocolError("binary frames are not supported");
  if (frame.length > maxPayload) throw new EngineProtocolError(`frame of ${frame.length} characters exceeds maxPayload ${maxPayload}`);
  const type = typeByCode[frame.charAt(0)];
  if (!type) throw new EngineProtocolError(`unknown Engine.IO packet type ${JSON.stringify(frame.charAt(0))}`);
  return frame.length > 1 ? { type, data: frame.slice(1) } : { type };
}

export const openPacket = (handshake: OpenHandshake): string => encodeEnginePacket({ type: "open", data: JSON.stringify(handshake) });
