// Socket.IO v5 packets, carried in Engine.IO message packets (https://socket.io/docs/v4/socket-io-protocol/):
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// Pure functions, no I/O. Binary packets and namespaces other than "/" are decoded only to be refused clearly.

export const socketPacketTypes = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 } as const;
export type SocketPacketType = keyof typeof socketPacketTypes;
const typeByCode = Object.fromEntries(Object.entries(socketPacketTypes).map(([name, code]) => [String(code), name])) as Record<string, SocketPacketType>;

export interface SocketPacket {
  type: SocketPacketType;
  nsp: string;
  id?: number;
  data?: unknown;
  attachments?: number;
}

export class SocketProtocolError extends Error {}

export function encodeSocketPacket(packet: SocketPacket): string {
  let out = String(socketPacketTypes[packet.type]);
  if (packet.type === "BINARY_EVENT" || packet.type === "BINARY_ACK") out += `${packet.attachments ?? 0}-`;
  if (packet.nsp && packet.nsp !== "/") out += `${packet.nsp},`;
  if (packet.id !== undefined) out += String(packet.id);
  if (packet.data !== undefined) out += JSON.stringify(packet.data);
  return out;
}

const isPayloadValid = (type: SocketPacketType, data: unknown): boolean => {
  switch (type) {
    case "CONNECT":
      return data === undefined || (typeof data === "object" && data !== null && !Array.isArray(data));
    case "DISCONNECT":
      return data === undefined;
    case "CONNECT_ERROR":
      return typeof data === "string" || (typeof data === "object" && data !== null);
    case "EVENT":
    case "BINARY_EVENT":
      return Array.isArray(data) && data.length > 0 && typeof data[0] === "string";
    case "ACK":
    case "BINARY_ACK":
      return Array.isArray(data);
  }
};

/** Decodes the data of one Engine.IO message packet; anything malformed is a SocketProtocolError naming what. */
export function decodeSocketPacket(text: string): SocketPacket {
  const type = typeByCode[text.charAt(0)];
  if (!type) throw new SocketProtocolError(`unknown Socket.IO packet type ${JSON.stringify(text.charAt(0))}`);
  let i = 1;
  let attachments: number | undefined;
  if (type === "BINARY_EVENT" || type === "BINARY_ACK") {
    const dash = text.indexOf("-", i);
    const count = text.slice(i, dash);
    if (dash < 0 || !/^\d+$/.test(count)) throw new SocketProtocolError("binary packet without its attachment count");
    attachments = Number(count);
    i = dash + 1;
  }
  let nsp = "/";
  if (text.charAt(i) === "/") {
    const comma = text.indexOf(",", i);
    nsp = comma < 0 ? text.slice(i) : text.slice(i, comma);
    i = comma < 0 ? text.length : comma + 1;
  }
  const idMatch = /^\d+/.exec(text.slice(i));
  let id: number | undefined;
  if (idMatch) {
    id = Number(idMatch[0]);
    if (!Number.isSafeInteger(id)) throw new SocketProtocolError("ack id out of range");
    i += idMatch[0].length;
  }
  let data: unknown;
  if (i < text.length) {
    try {
      data = JSON.parse(text.slice(i));
    } catch {
      throw new SocketProtocolError("payload is not valid JSON");
    }
  }
  if (!isPayloadValid(type, data)) throw new SocketProtocolError(`invalid payload for ${type}`);
  return { type, nsp, ...(id !== undefined ? { id } : {}), ...(data !== undefined ? { data } : {}), ...(attachments !== undefined ? { attachments } : {}) };
}
