// Markdown output of the benchmark figures: tables of an alternate() summary, per-round req/s, and the
// number formats they use.

export const fmtMs = (v) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : "n/a");
const fmtRatio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "n/a");
const fmtInt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a");

export function markdownTableRows(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Markdown table of an `alternate()` summary: req/s, p50, p99 and the ratios to `floor` and `baseline`.
 * `describe` maps a target name to { label, goal: { ratioTo, min } } for the "what" and "goal" columns.
 */
export function formatTable(summary, { describe = {}, references = ["floor", "baseline"] } = {}) {
  const header = ["Target", "Conns", "req/s", "p50 ms", "p99 ms", ...references.map((r) => `× ${r}`), "unexpected status / errors", "Goal"];
  const rows = Object.entries(summary).map(([name, s]) => {
    const info = describe[name] ?? {};
    const goal = info.goal ? `${info.goal.text ?? `≥ ${info.goal.min} × ${info.goal.ratioTo}`}: ${goalMet(s, info.goal) ? "met" : "**not met**"}` : "";
    return [
      info.label ? `${name}: ${info.label}` : name,
      String(s.connections),
      fmtInt(s.requestsPerSec),
      fmtMs(s.p50),
      fmtMs(s.p99),
      ...references.map((r) => fmtRatio(s.ratios[r])),
      `${s.unexpected} / ${s.errors + s.timeouts}`,
      goal,
    ];
  });
  return markdownTableRows(header, rows);
}

export const goalMet = (s, goal) => s.ratios[goal.ratioTo] >= goal.min && s.unexpected === 0 && s.errors + s.timeouts === 0;

/** Per-round req/s, to show how noisy the run was. */
export function formatRounds(summary) {
  const names = Object.keys(summary);
  const rounds = Math.max(...names.map((n) => summary[n].runs.length));
  const header = ["Round", ...names];
  const rows = Array.from({ length: rounds }, (_, i) => [String(i + 1), ...names.map((n) => fmtInt(summary[n].runs[i]?.requestsPerSec))]);
  return markdownTableRows(header, rows);
}

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
