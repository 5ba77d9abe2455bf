// Plain node:http helpers the fake Google answers with: JSON and OAuth error bodies, redirects, request
// bodies and cookies.
import type { IncomingMessage, ServerResponse } from "node:http";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json), ...headers });
  res.end(json);
}

export const oauthError = (res: ServerResponse, status: number, error: string, description: string, headers?: Record<string, string>) =>
  sendJson(res, status, { error, error_description: description }, { "cache-control": "no-store", pragma: "no-cache", ...headers });

export function redirect(res: ServerResponse, location: string) {
  res.writeHead(302, { location, "content-length": 0 });
  res.end();
}

export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}
