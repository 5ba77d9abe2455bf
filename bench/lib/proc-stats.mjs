// What a Worker's processes cost while something (or nothing) happens: resident memory and CPU time from
// /proc (Linux only), and a count of matching lines in wrangler's output.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let clockTicks = null;
/** Kernel clock ticks per second (`getconf CLK_TCK`): the unit of utime and stime in /proc/<pid>/stat. */
export function clkTck() {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of one process, in ms (0 once it has exited). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clkTck(); // fields 14 and 15 of stat(5)
  } catch {
    return 0;
  }
}

export function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Which of wrangler dev's two workerd processes `pid` is: the dev proxy listens on the public port and relays
 * every request and WebSocket to the runtime; the runtime runs the Worker and its Durable Objects (it is the
 * one started with an inspector).
 */
export function workerdRole(pid) {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return args.some((a) => a.startsWith("--inspector-addr")) ? "Worker runtime" : "dev proxy";
  } catch {
    return "exited";
  }
}

/**
 * Counts lines of a Worker's output (wrangler dev's stdout and stderr, where the Worker's console lines go)
 * that match `pattern`, from now on. `count` is live; `stop()` detaches.
 */
export function countOutputLines(worker, pattern) {
  const listeners = [];
  const counter = {
    count: 0,
    stop() {
      for (const [stream, fn] of listeners) stream.off("data", fn);
    },
  };
  for (const stream of [worker.child.stdout, worker.child.stderr]) {
    if (!stream) continue;
    let partial = "";
    const fn = (chunk) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop();
      for (const line of lines) if (pattern.test(line)) counter.count++;
    };
    stream.on("data", fn);
    listeners.push([stream, fn]);
  }
  return counter;
}
