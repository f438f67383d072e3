// The Phone page's encryption setting: an account saved through the API shows "Encrypted
// audio" on automatic; "Always" on a plain UDP account is refused next to the field;
// "Never" is saved at once, the phone stays registered, and after a reload the page (and
// the API) still say never.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

test("the encryption setting is refused when it cannot work and kept after a reload", { timeout: 60_000 }, async () => {
  process.env.SWITCHBOARD_PHONE_AUDIO = "file:700:";
  const env = await setUp("phone-encryption");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const me = await pbx.api("add_extension", { number: "201", name: "Front desk" });
      await pbx.api("save_phone_account", { server: pbx.sipAddr, transport: "udp", user: "201", password: me.password });
      await page.goto(`${pbx.url}/#/phone`);
      const reg = page.getByTestId("phone-registration");
      await until(async () => /^Registered/.test((await reg.textContent()) ?? ""), { timeoutMs: T, what: "Registered" });
      const setting = page.getByLabel("Encrypted audio");
      assert.equal(await setting.inputValue(), "auto", "automatic at first");
      const hint = ((await page.locator("#ph-srtp-hint").textContent()) ?? "").replace(/\s+/g, " ");
      assert.match(hint, /keys never go over plain UDP or TCP/);
      assert.match(hint, /not use TLS/, "says this account's calls are plain");

      // Always needs TLS: refused next to the field, nothing saved.
      await setting.selectOption("required");
      const error = page.locator("#ph-srtp-error");
      await error.waitFor({ timeout: T });
      assert.match((await error.textContent()) ?? "", /TLS/);
      assert.equal(await setting.inputValue(), "auto", "the setting in force is shown");
      assert.equal(await setting.getAttribute("aria-invalid"), "true");
      assert.equal((await pbx.api("get_phone", {})).srtp, "auto");

      await setting.selectOption("off");
      await until(async () => (await pbx.api("get_phone", {})).srtp === "off", { timeoutMs: T, what: "never to be saved" });
      assert.equal(await error.count(), 0, "the error is gone");
      assert.match((await reg.textContent()) ?? "", /^Registered/, "not signed in again");

      await page.reload();
      const again = page.getByLabel("Encrypted audio");
      await again.waitFor({ timeout: T });
      await until(async () => (await again.inputValue()) === "off", { timeoutMs: T, what: "never after a reload" });
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});
