// Settings → Encrypted calls (SRTP): the owner requires SRTP for remote staff and allows keys
// over plain signalling; the choices are saved through the API and shown again after a reload.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("encrypted calls: requiring SRTP for remote staff is saved and shown again", { timeout: 120_000 }, async () => {
  const env = await setUp("encrypted-calls");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/settings`);
      const required = page.getByLabel("Require encrypted calls");
      await required.waitFor({ timeout: T });
      assert.equal(await required.inputValue(), "off");

      await required.selectOption("remote");
      await page.getByText("Saved; applies from the next call.").waitFor({ timeout: T });
      assert.equal((await pbx.api("get_srtp_settings")).required, "remote");

      await page.getByRole("switch", { name: /Accept keys from phones not using TLS/ }).check();
      for (let i = 0; i < 50 && !(await pbx.api("get_srtp_settings")).keys_over_plain_signalling; i++) {
        await page.waitForTimeout(100);
      }
      assert.equal((await pbx.api("get_srtp_settings")).keys_over_plain_signalling, true);

      await page.reload();
      await page.getByLabel("Require encrypted calls").waitFor({ timeout: T });
      assert.equal(await page.getByLabel("Require encrypted calls").inputValue(), "remote");
    });
  } finally {
    await env.tearDown();
  }
});
