// Everything one browser test needs: a temp folder, a running PBX, a browser on its UI,
// phones; torn down in reverse order, with the logs attached when the test fails.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBrowser } from "./browser.mjs";
import { Pbx, REPO } from "./pbx.mjs";
import { PjPhone } from "./phone.mjs";

export async function setUp(name, browserOptions) {
  const workdir = mkdtempSync(join(tmpdir(), `switchboard-ui-${name}-`));
  const phones = [];
  let pbx = null;
  let browser = null;
  const env = {
    workdir,
    phones,
    get pbx() {
      return pbx;
    },
    get browser() {
      return browser;
    },
    get page() {
      return browser.page;
    },
    async phone(phoneName, toneHz) {
      const p = await PjPhone.start(workdir, phoneName, toneHz);
      phones.push(p);
      return p;
    },
    /** Runs the test body; on failure the error carries the PBX and phone logs. */
    async run(body) {
      try {
        await body();
        if (browser?.problems.length) throw new Error(browser.problems.join("\n"));
      } catch (err) {
        const logs = [
          pbx ? `--- switchboard log (tail) ---\n${pbx.logTail(8000)}` : "",
          ...phones.map((p) => p.logText()),
          `(test folder kept: ${workdir})`,
        ].join("\n");
        env.keep = true;
        if (err instanceof Error) err.message += `\n${logs}`;
        throw err;
      }
    },
    async tearDown() {
      for (const p of phones) await p.close().catch(() => {});
      await browser?.close();
      await pbx?.stop();
      if (!env.keep) rmSync(workdir, { recursive: true, force: true });
    },
  };
  pbx = await Pbx.start(workdir);
  browser = await openBrowser(browserOptions);
  return env;
}

/**
 * The binary embeds ui/dist when it is built: fail clearly when the page it serves is not
 * the current build, instead of testing an old UI.
 */
export async function assertServesCurrentUi(pbx) {
  let built;
  try {
    built = readFileSync(join(REPO, "ui", "dist", "index.html"), "utf8");
  } catch {
    throw new Error("ui/dist is missing: run `npm ci && npm run build` in ui/ first, then `cargo build -p switchboard`");
  }
  const served = await (await fetch(`${pbx.url}/`)).text();
  const assets = (html) => [...html.matchAll(/assets\/[\w.-]+\.(?:js|css)/g)].map((m) => m[0]).sort().join(" ");
  if (assets(served) !== assets(built)) {
    throw new Error(
      `switchboard serves another UI build (${assets(served) || "no assets"}) than ui/dist (${assets(built)}): ` +
        "rebuild the binary after `npm run build` (cargo build -p switchboard)",
    );
  }
}
