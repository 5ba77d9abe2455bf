// Resident memory of a Worker's processes (workerd) sampled while something runs: the peak above the level
// measured just before. Linux only (/proc); wrangler dev runs workerd inside the Worker's process group.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const rssKiB = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0; // exited
  }
};

/** The workerd processes of a process group. */
export function workerdPids(pgid) {
  const out = execFileSync("ps", ["-e", "-o", "pid=,pgid=,comm="], { encoding: "utf8" });
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, comm]) => Number(group) === pgid && comm?.startsWith("workerd"))
    .map(([pid]) => Number(pid));
}

/** Runs `fn` while sampling the RSS of `pids` every `everyMs`; returns fn's result and, per pid, base and peak KiB. */
export async function withMemorySampling(pids, fn, everyMs = 20) {
  const base = new Map(pids.map((pid) => [pid, rssKiB(pid)]));
  const peak = new Map(base);
  const timer = setInterval(() => {
    for (const pid of pids) peak.set(pid, Math.max(peak.get(pid), rssKiB(pid)));
  }, everyMs);
  try {
    const result = await fn();
    for (const pid of pids) peak.set(pid, Math.max(peak.get(pid), rssKiB(pid)));
    return { result, memory: pids.map((pid) => ({ pid, baseKiB: base.get(pid), peakKiB: peak.get(pid) })) };
  } finally {
    clearInterval(timer);
  }
}
