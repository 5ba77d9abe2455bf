// Headless Chromium for end-to-end page tests: Playwright (playwright-core, which downloads no browser) drives
// the Chromium that scripts/setup-browser.mjs installs for Browser Rendering. Its launcher already carries the
// flags this machine needs (`--no-sandbox` only when running as root), so both users of Chromium agree.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import * as setup from "../../../scripts/setup-browser.mjs";

const pinnedChromeVersion = setup.pinnedChromeVersion as () => string;
const launcherPath = setup.launcherPath as (version: string) => string;
const setupBrowser = setup.setupBrowser as () => string | null;

export async function launchChromium(): Promise<Browser> {
  const ready = process.platform === "linux" ? launcherPath(pinnedChromeVersion()) : null;
  const executablePath = ready && existsSync(ready) ? ready : (setupBrowser() ?? undefined);
  return chromium.launch({ executablePath, headless: true });
}
