// The Settings page shows what the PBX runs with, puts the API's complaints next to the
// field concerned, and saves good values.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("settings: data folder shown, a bad value refused next to its field, a good one saved", { timeout: 120_000 }, async () => {
  const env = await setUp("settings");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/settings`);
      const folder = page.getByLabel("Data folder", { exact: true });
      await folder.waitFor({ timeout: T });
      assert.equal(await folder.inputValue(), pbx.dataDir, "the data folder is the one serve was started with");
      await page.screenshot({ path: join(screenshotDir(env.workdir), "settings.png"), fullPage: true });

      const before = (await pbx.api("get_settings")).settings;
      await page.getByLabel("From", { exact: true }).fill("20000");
      await page.getByLabel("To", { exact: true }).fill("10000");
      await page.getByRole("button", { name: "Save settings" }).click();
      const err = page.locator("#rtp-min-error, #rtp-max-error").first();
      await err.waitFor({ timeout: T });
      assert.notEqual((await err.textContent()).trim(), "");
      assert.deepEqual((await pbx.api("get_settings")).settings, before, "a refused save changes nothing");

      await page.getByRole("button", { name: "Undo changes" }).click();
      await page.getByLabel("Log detail").selectOption("debug");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByText(/^Saved\./).waitFor({ timeout: T });
      assert.equal((await pbx.api("get_settings")).settings.log_level, "debug");
    });
  } finally {
    await env.tearDown();
  }
});
