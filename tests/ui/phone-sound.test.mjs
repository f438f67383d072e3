// The Phone page's Sound settings: every voice processing switch starts on; turning echo
// cancellation off and choosing not to ring is saved at once, and after a reload the page
// (and the API) still say so.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

test("a sound switch turned off and the ringing choice stay after a reload", { timeout: 60_000 }, async () => {
  process.env.SWITCHBOARD_PHONE_AUDIO = "file:700:";
  const env = await setUp("phone-sound");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/phone`);
      const sound = page.getByTestId("phone-sound");
      const echo = sound.getByRole("checkbox", { name: /Echo cancellation/ });
      await echo.waitFor({ timeout: T });
      assert.equal(await echo.isChecked(), true, "on by default");
      assert.equal(await sound.getByRole("checkbox", { name: /Noise reduction/ }).isChecked(), true);
      assert.equal(await sound.getByRole("checkbox", { name: /Automatic volume/ }).isChecked(), true);

      await echo.uncheck();
      await until(async () => (await pbx.api("phone_sound", {})).echo_cancellation === false, {
        timeoutMs: T,
        what: "echo cancellation to be saved off",
      });
      await sound.getByLabel("Ring incoming calls on").selectOption("none");
      await until(async () => (await pbx.api("phone_sound", {})).ring === "none", {
        timeoutMs: T,
        what: "the ringing choice to be saved",
      });

      await page.reload();
      const echoAgain = page.getByTestId("phone-sound").getByRole("checkbox", { name: /Echo cancellation/ });
      await echoAgain.waitFor({ timeout: T });
      assert.equal(await echoAgain.isChecked(), false, "still off after a reload");
      assert.equal(await page.getByTestId("phone-sound").getByRole("checkbox", { name: /Noise reduction/ }).isChecked(), true);
      assert.equal(await page.getByLabel("Ring incoming calls on").inputValue(), "none");
      const saved = await pbx.api("phone_sound", {});
      assert.deepEqual(saved, {
        echo_cancellation: false,
        noise_suppression: true,
        auto_gain: true,
        ring: "none",
        ring_device: null,
      });
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});
