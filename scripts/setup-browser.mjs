#!/usr/bin/env node
// Prepares the local Chromium that miniflare's Browser Rendering binding launches.
// miniflare looks for Chrome-for-Testing at a version pinned in its bundle and downloads it when absent,
// which cannot work offline. We install Debian's chromium (when missing, and only as root) and put a small
// launcher at the exact path miniflare checks, so `wrangler dev` and the vitest pool render real PDFs.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const quiet = process.argv.includes("--quiet");
const log = (msg) => quiet || console.log(`[setup-browser] ${msg}`);

export function pinnedChromeVersion() {
  const bundle = readFileSync(require.resolve("miniflare"), "utf8");
  const match =
    bundle.match(/browserVersion:\s*"(\d+\.\d+\.\d+\.\d+)"/) ??
    bundle.match(/BROWSER_VERSION\s*=\s*"(\d+\.\d+\.\d+\.\d+)"/);
  if (!match) throw new Error("could not find the Chrome version pinned by the installed miniflare");
  return match[1];
}

export function launcherPath(version) {
  // miniflare resolves its cache with xdg-app-paths(".wrangler").cache(): $XDG_CACHE_HOME or ~/.cache.
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cacheHome, ".wrangler", "chrome", `linux-${version}`, "chrome-linux64", "chrome");
}

function findChromium() {
  for (const candidate of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function installChromium() {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      "Debian's chromium is not installed and this user cannot install it. Run: sudo apt-get install -y chromium",
    );
  }
  log("installing Debian's chromium (apt-get)...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: quiet ? "ignore" : "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"], {
    stdio: quiet ? "ignore" : "inherit",
    env,
  });
}

export function setupBrowser() {
  if (process.platform !== "linux") {
    log(`platform ${process.platform}: miniflare downloads Chrome for Testing itself; nothing to do`);
    return null;
  }
  const version = pinnedChromeVersion();
  const target = launcherPath(version);
  let chromium = findChromium();
  if (!chromium) {
    installChromium();
    chromium = findChromium();
    if (!chromium) throw new Error("apt-get finished but no chromium binary was found");
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  // Chromium refuses to run its sandbox as root; outside root the sandbox stays on.
  const flags = isRoot ? " --no-sandbox" : "";
  const script = `#!/bin/sh\n# Written by scripts/setup-browser.mjs: miniflare's Browser Rendering launches this.\nexec ${chromium}${flags} "$@"\n`;
  if (!existsSync(target) || readFileSync(target, "utf8") !== script) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, script);
    chmodSync(target, 0o755);
    log(`launcher for Chrome ${version} written at ${target}`);
  } else {
    log(`launcher for Chrome ${version} already at ${target}`);
  }
  return target;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    setupBrowser();
  } catch (error) {
    console.error(`[setup-browser] ${error.message}`);
    process.exit(1);
  }
}
