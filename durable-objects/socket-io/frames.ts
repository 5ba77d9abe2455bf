// Ready-to-send WebSocket frames (Engine.IO message packets carrying Socket.IO packets). A frame is encoded
// once by whoever emits and passed as a string through hubs and connections, never re-serialized per socket.
import { encodeEnginePacket } from "./engine";
import { encodeSocketPacket } from "./parser";

const message = (packet: Parameters<typeof encodeSocketPacket>[0]) => encodeEnginePacket({ type: "message", data: encodeSocketPacket(packet) });

/** `42["event",data]`: a server-emitted event in the main namespace. */
export const eventFrame = (event: string, data: unknown): string => message({ type: "EVENT", nsp: "/", data: [event, data] });

/** `43<id>[data]`: the answer to a client's emit-with-ack. */
export const ackFrame = (id: number, data: unknown): string => message({ type: "ACK", nsp: "/", id, data: [data] });

/** `40{"sid":...}`: the namespace connection is accepted. */
export const connectFrame = (sid: string): string => message({ type: "CONNECT", nsp: "/", data: { sid } });

/** `44{"message":...}`: the namespace connection is refused; socket.io-client raises `connect_error` with it. */
export const connectErrorFrame = (text: string, nsp = "/"): string => message({ type: "CONNECT_ERROR", nsp, data: { message: text } });

export const PING_FRAME = encodeEnginePacket({ type: "ping" });
export const PONG_FRAME = encodeEnginePacket({ type: "pong" });
export const NOOP_FRAME = encodeEnginePacket({ type: "noop" });
