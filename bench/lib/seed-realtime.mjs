// Users and conversations for the real-time benchmark, made through the API as a frontend would.
import { randomUUID } from "node:crypto";
import { request } from "./servers.mjs";

/** Registers `count` users, 4 at a time, each from its own CF-Connecting-IP (registration is limited per
 *  address). Returns [{ id, token }] in order. */
export async function registerUsers(url, count, prefix) {
  const users = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const i = next++;
        const body = { email: `${prefix}-${i}-${randomUUID().slice(0, 8)}@bench.example`, password: "correct horse battery staple", firstName: "Bench", lastName: `User ${i}` };
        const ip = `198.51.${100 + (i >> 8)}.${i & 255}`;
        const res = await request(url, "POST", "/api/auth/register", { body, headers: { "cf-connecting-ip": ip }, expect: [201] });
        users[i] = { id: res.user.id, token: res.accessToken };
      }
    }),
  );
  return users;
}

/** POST /api/conversations by `creator` with `others`; the created conversation. */
export function createConversation(url, creator, others, title) {
  const body = { participantIds: others.map((u) => u.id), title };
  return request(url, "POST", "/api/conversations", { body, headers: { authorization: `Bearer ${creator.token}` }, expect: [201] });
}
