// Bundle size: the upload `wrangler deploy --dry-run` reports, a minified esbuild build the way wrangler
// bundles, and the bytes each package contributes (from either build's esbuild metafile).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { projectRoot, wranglerBin, wranglerEnv } from "../../scripts/dev-server.mjs";

const require = createRequire(import.meta.url);

function run(command, args, { cwd = projectRoot, env = wranglerEnv() } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const onSignal = () => child.kill("SIGTERM");
    process.once("exit", onSignal);
    child.on("error", reject);
    child.on("close", (code) => {
      process.removeListener("exit", onSignal);
      if (code === 0) resolveRun(output);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

const toKiB = (value, unit) => (unit === "MiB" ? value * 1024 : unit === "KiB" ? value : value / 1024);

/**
 * `wrangler deploy --dry-run --outdir <tmp>`: the upload size wrangler reports (KiB, and gzip KiB), plus
 * wrangler's own esbuild metafile of that upload (unminified, as configured).
 */
export async function wranglerBundleSize({ config = "wrangler.toml" } = {}) {
  const outdir = await mkdtemp(join(tmpdir(), "lightbox-bundle-"));
  try {
    const metafile = join(outdir, "bundle-meta.json");
    const output = await run(process.execPath, [wranglerBin, "deploy", "--dry-run", "-c", config, "--outdir", outdir, "--metafile", metafile]);
    const match = output.match(/Total Upload:\s*([\d.]+)\s*(KiB|MiB|B)\s*\/\s*gzip:\s*([\d.]+)\s*(KiB|MiB|B)/);
    if (!match) throw new Error(`no "Total Upload" line in wrangler's output:\n${output.slice(-2000)}`);
    const meta = JSON.parse(await readFile(metafile, "utf8"));
    // wrangler builds from the config's directory: metafile paths are relative to it.
    const root = dirname(isAbsolute(config) ? config : join(projectRoot, config));
    return { totalKiB: toKiB(Number(match[1]), match[2]), gzipKiB: toKiB(Number(match[3]), match[4]), line: match[0], metafile: meta, root };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * The package a bundled input belongs to: the last node_modules/<name> (or @scope/name); otherwise the app's
 * top folder (metafile paths are relative to the build's working directory, `root`).
 */
export function packageOf(input, root = projectRoot) {
  const path = input.replace(/^[a-z-]+:/, "").split(sep).join("/");
  const parts = path.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at >= 0 && parts[at + 1]) return parts[at + 1].startsWith("@") ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  const rel = (isAbsolute(path) ? relative(root, path) : path).split(sep).join("/");
  const top = rel.split("/").find((part) => part !== "." && part !== "..");
  return rel.startsWith("..") || !top ? `(other) ${path}` : `(app) ${top}/`;
}

/** Sum of `bytesInOutput` per package over every output of an esbuild metafile, largest first. */
export function bytesByPackage(metafile, root = projectRoot) {
  const totals = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const pkg = packageOf(input, root);
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles `entry` with esbuild the way wrangler does (browser platform, conditions workerd/worker/browser,
 * cloudflare:* and Node built-ins external, es2024), but minified, and returns the minified size, its gzip
 * size and the bytes each package contributes. The esbuild is wrangler's own copy.
 */
export async function esbuildContributors({ root = projectRoot, entry = "workers/index.ts" } = {}) {
  const esbuild = createRequire(require.resolve("wrangler/package.json"))("esbuild");
  const nodeBuiltins = builtinModules.filter((m) => !m.startsWith("_")).flatMap((m) => [m, `${m}/*`]);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2024",
    supported: { "import-source": true },
    loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx" },
    external: ["cloudflare:*", "node:*", ...nodeBuiltins],
    define: { "process.env.NODE_ENV": '"production"', "navigator.userAgent": '"Cloudflare-Workers"' },
    metafile: true,
    write: false,
    outdir: join(tmpdir(), "lightbox-esbuild"),
    logLevel: "silent",
  });
  const js = result.outputFiles.filter((f) => f.path.endsWith(".js"));
  const bytes = js.reduce((total, f) => total + f.contents.byteLength, 0);
  const gzip = js.reduce((total, f) => total + gzipSync(f.contents, { level: 9 }).byteLength, 0);
  return { bytes, gzipBytes: gzip, packages: bytesByPackage(result.metafile, root), warnings: result.warnings.length };
}
