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

/**
 * The frame of a benchmark script's report: named sections (a failing one is reported, not fatal), the
 * Workers stopped whatever happened, and the markdown written to stdout and to `out`.
 */
export function createReport({ log = console.error } = {}) {
  const sections = [];
  const failures = [];
  const failed = (title, error) => {
    failures.push(title);
    log(error);
    sections.push(`## ${title}\n\n**Failed:** \`${String(error?.message ?? error).split("\n")[0]}\``);
  };
  return {
    failures,
    async section(title, body) {
      log(`\n== ${title}`);
      try {
        sections.push(`## ${title}\n\n${await body()}`);
      } catch (error) {
        failed(title, error);
      }
    },
    /** Runs the whole benchmark; a set-up failure is reported, and every Worker is stopped afterwards. */
    async run(body, { stopAll, runningGroups }) {
      try {
        await body();
      } catch (error) {
        failed("Set-up", error);
      } finally {
        log("\n== Stopping the Workers, removing the snapshot");
        await stopAll();
        const left = runningGroups();
        log(left.length ? `  still running: process groups ${left.join(", ")}` : "  stopped");
      }
    },
    async write(headerLines, out) {
      const { mkdir, writeFile } = await import("node:fs/promises");
      const { dirname } = await import("node:path");
      const header = [...headerLines, ...(failures.length ? ["", `**Failed:** ${failures.join(", ")}`] : [])].join("\n");
      const markdown = `${header}\n\n${sections.join("\n\n")}\n`;
      process.stdout.write(`\n${markdown}`);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, markdown);
      log(`\nwritten to ${out}`);
      process.exitCode = failures.length ? 1 : 0;
    },
  };
}
