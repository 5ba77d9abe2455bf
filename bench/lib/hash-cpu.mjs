// CPU cost of the password hash, measured in this Node process.
import { randomBytes } from "node:crypto";
import { median } from "./load.mjs";

/**
 * CPU ms per PBKDF2-SHA256 hash in this Node process (WebCrypto runs it on the libuv pool; process.cpuUsage
 * counts every thread of the process). Hashes run one at a time after a short warm-up, each one timed on
 * its own. `cpuMs` is the total over `count` hashes divided by `count`; the median and the minimum show how much
 * of it other work on the machine added (a busy SMT sibling core can nearly double a hash's CPU time).
 */
export async function nodePbkdf2CpuMs({ iterations = 100_000, count = 20, warmup = 3 } = {}) {
  const { subtle } = globalThis.crypto;
  const key = await subtle.importKey("raw", new TextEncoder().encode("correct horse battery staple"), "PBKDF2", false, ["deriveBits"]);
  const salt = randomBytes(16);
  const hash = () => subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  for (let i = 0; i < warmup; i++) await hash();
  const cpu = [];
  const wall = [];
  for (let i = 0; i < count; i++) {
    const before = process.cpuUsage();
    const started = performance.now();
    await hash();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return {
    cpuMs: cpu.reduce((sum, v) => sum + v, 0) / count,
    cpuMsMedian: median(cpu),
    cpuMsMin: Math.min(...cpu),
    wallMs: median(wall),
    count,
    iterations,
  };
}
