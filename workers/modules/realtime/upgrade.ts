// GET /socket.io/?EIO=4&transport=websocket: the Socket.IO endpoint. Served beside the Hono app rather than
// inside it, because a 101 answer carrying a WebSocket must reach the client untouched by response middleware.
import { createRoute, z } from "@hono/zod-openapi";
import type { Env } from "@shared/env";
import { problems } from "../../openapi";
import { ApiError, toProblem, type FieldError } from "@shared/lib/errors";

export const SOCKET_PATH = "/socket.io/";

export const isSocketRequest = (url: URL): boolean => url.pathname === SOCKET_PATH || url.pathname === "/socket.io";

function problem(status: "VALIDATION_FAILED" | "NOT_FOUND", detail: string, errors?: FieldError[]): Response {
  const requestId = crypto.randomUUID();
  const body = toProblem(new ApiError(status, detail, errors ? { errors } : {}), requestId, SOCKET_PATH);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": "application/problem+json", "x-request-id": requestId },
  });
}

/** Checks the handshake a socket.io-client with `transports: ["websocket"]` sends, then hands the socket to a
 *  SocketConnection of its own (the user is unknown until the Socket.IO CONNECT packet; see that class). */
export async function handleSocketRequest(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const errors: FieldError[] = [];
  if (url.searchParams.get("EIO") !== "4") errors.push({ path: "query.EIO", message: "only Engine.IO protocol 4 (socket.io-client v3 and later) is supported" });
  if (url.searchParams.get("transport") !== "websocket") {
    errors.push({ path: "query.transport", message: 'only the websocket transport is served: connect with transports: ["websocket"]' });
  }
  if (errors.length) return problem("VALIDATION_FAILED", "This is not a Socket.IO WebSocket handshake Lightbox serves", errors);
  if (request.method !== "GET" || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return problem("VALIDATION_FAILED", "Expected a WebSocket upgrade (GET with Upgrade: websocket)", [
      { path: "header.upgrade", message: "must be websocket" },
    ]);
  }
  return env.SOCKETS.get(env.SOCKETS.newUniqueId()).fetch(request);
}

/** The handshake as an OpenAPI path, so /api/openapi.json lists the socket endpoint beside the HTTP routes. */
export const socketHandshakeDoc = createRoute({
  method: "get",
  path: SOCKET_PATH,
  tags: ["Real time"],
  summary: "Socket.IO v5 over Engine.IO v4, WebSocket transport only",
  description:
    "Connect with the official socket.io-client and `transports: [\"websocket\"]`. The access token goes in " +
    "`auth: { token }`, the `token` query parameter, or `Authorization: Bearer`. Events and refusals: API.md, " +
    "section Real time.",
  request: {
    query: z.object({
      EIO: z.literal("4"),
      transport: z.literal("websocket"),
      token: z.string().optional().openapi({ description: "Access token, when not sent in the CONNECT auth payload" }),
    }),
  },
  responses: {
    101: { description: "Switching Protocols: the Engine.IO open packet follows on the socket" },
    400: problems[400],
  },
});
