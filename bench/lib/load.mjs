// Load generation: one autocannon run against one target (runLoad), and the alternating rounds over several
// targets with their medians and per-round ratios (alternate).
import autocannon from "autocannon";
import { fmtMs } from "./report.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * One autocannon run against `url + path`. Give `duration` (seconds) or `amount` (requests).
 * Latencies are collected from autocannon's per-response event (sub-millisecond; its own histogram keeps
 * whole milliseconds only) over the expected responses: 2xx, or exactly `expectStatus` when given (to time
 * a 401, 404 or 429 path). `unexpected` counts the others. requestsPerSec counts every completed response.
 */
export function runLoad({ url, method = "GET", path = "/", headers = {}, body, connections = 10, duration, amount, expectStatus, timeout = 30 }) {
  if (duration === undefined && amount === undefined) throw new Error("runLoad: give duration or amount");
  const payload = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
  const allHeaders = { ...(payload !== undefined && typeof body !== "string" ? { "content-type": "application/json" } : {}), ...headers };
  return new Promise((resolveRun, reject) => {
    const latencies = [];
    let unexpected = 0;
    const expected = expectStatus === undefined ? (status) => status >= 200 && status < 300 : (status) => status === expectStatus;
    const instance = autocannon(
      {
        url: `${url}${path}`,
        method,
        headers: allHeaders,
        body: payload,
        connections,
        pipelining: 1,
        timeout,
        ...(amount !== undefined ? { amount } : { duration }),
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        const mean = latencies.length ? latencies.reduce((sum, v) => sum + v, 0) / latencies.length : NaN;
        resolveRun({
          requestsPerSec: result.requests.total / result.duration,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          mean,
          requests: result.requests.total,
          non2xx: result.non2xx,
          unexpected,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds: result.duration,
          statusCodes: result.statusCodeStats,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (expected(statusCode)) latencies.push(responseTime);
      else unexpected++;
    });
  });
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export { median };

/**
 * Runs every target once per round, in order (floor, baseline, target, floor, baseline, target, ...), so that
 * slow drift and bursts of machine noise land on every target alike; reports the median of each figure.
 *
 * A target: { name, url, method, path, headers, body, connections, expectStatus, prepare }. `prepare()` runs
 * before each of its runs (untimed) and may return overrides (e.g. fresh headers). Each target gets an untimed
 * warm-up run first. For every name in `ratioTo`, ratios are computed per round (target ÷ that reference in
 * the same round, seconds apart) and their median is reported.
 *
 * Returns { [name]: { connections, requestsPerSec, p50, p99, mean, non2xx, unexpected, errors, timeouts, runs, ratios } }
 * (figures are medians over rounds; the counts are totals; `runs` holds every round's runLoad result).
 */
export async function alternate(targets, { rounds = 5, duration = 5, connections = 10, warmup = 2, settleMs = 500, ratioTo = [], log = console.error } = {}) {
  const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
  const once = async (target, seconds) => {
    const overrides = (await target.prepare?.()) ?? {};
    const { name: _name, prepare: _prepare, ...spec } = target;
    const result = await runLoad({ connections, ...spec, ...overrides, duration: seconds });
    await sleep(settleMs); // let requests still in flight finish before the next target starts
    return result;
  };
  if (warmup > 0) {
    for (const target of targets) {
      log(`  warm-up ${target.name} (${warmup}s)`);
      await once(target, warmup);
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const result = await once(target, duration);
      runs[target.name].push(result);
      const bad = result.unexpected + result.errors + result.timeouts;
      log(
        `  round ${round}/${rounds} ${target.name.padEnd(22)} ${result.requestsPerSec.toFixed(0).padStart(7)} req/s` +
          `  p50 ${fmtMs(result.p50)} ms  p99 ${fmtMs(result.p99)} ms${bad ? `  unexpected ${result.unexpected} errors ${result.errors} timeouts ${result.timeouts}` : ""}`,
      );
    }
  }
  const summary = {};
  for (const target of targets) {
    const list = runs[target.name];
    const pick = (key) => median(list.map((r) => r[key]));
    const sum = (key) => list.reduce((total, r) => total + r[key], 0);
    summary[target.name] = {
      connections: target.connections ?? connections,
      requestsPerSec: pick("requestsPerSec"),
      p50: pick("p50"),
      p99: pick("p99"),
      mean: pick("mean"),
      non2xx: sum("non2xx"),
      unexpected: sum("unexpected"),
      errors: sum("errors"),
      timeouts: sum("timeouts"),
      runs: list,
      ratios: {},
    };
  }
  for (const reference of ratioTo) {
    if (!runs[reference]) continue;
    for (const target of targets) {
      const perRound = runs[target.name].map((r, i) => r.requestsPerSec / runs[reference][i].requestsPerSec);
      summary[target.name].ratios[reference] = median(perRound);
    }
  }
  return summary;
}

/**
 * The command-line options every throughput bench shares (node:util parseArgs shape): seconds per run,
 * rounds, connections, warm-up seconds, and `--live` to serve the working tree instead of a snapshot.
 */
export const LOAD_OPTIONS = {
  duration: { type: "string", default: "5" },
  rounds: { type: "string", default: "5" },
  connections: { type: "string", default: "10" },
  warmup: { type: "string", default: "2" },
  live: { type: "boolean", default: false },
};
