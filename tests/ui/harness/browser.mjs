// Debian's chromium driven by playwright-core (no browser downloads), one fresh profile
// per test, and where screenshots go.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./pbx.mjs";

// playwright-core is a dev dependency of the UI package: one `npm ci` in ui/ installs it.
const require = createRequire(join(REPO, "ui", "package.json"));
const { chromium } = require("playwright-core");

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Opens a browser with its own throwaway profile; `close()` removes the profile. */
export async function openBrowser({ width = 1100, height = 760, colorScheme = "light" } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM`);
  }
  const profile = mkdtempSync(join(tmpdir(), "switchboard-ui-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width, height },
    colorScheme,
    locale: "en-GB",
    timezoneId: "Europe/London",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return {
    context,
    page,
    /** Uncaught errors the page raised (a test fails on any). */
    problems,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Where screenshots go: docs/screenshots/ when UPDATE_SCREENSHOTS=1 (for the README),
 * else the test's own folder, so ordinary runs leave the work tree alone.
 */
export function screenshotDir(workdir) {
  const dir = process.env.UPDATE_SCREENSHOTS === "1" ? join(REPO, "docs", "screenshots") : join(workdir, "screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}
