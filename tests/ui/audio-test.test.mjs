// "Test my microphone and speakers" on the Phone page, on the file audio device: its
// microphone hears a steady tone, so the level meter must rise well above silence while the
// microphone test runs; the speaker test says its tone is playing; both stop on request.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

test("the microphone test's meter follows a tone and the speaker test plays", { timeout: 60_000 }, async () => {
  const rec = join(mkdtempSync(join(tmpdir(), "switchboard-audio-test-")), "speaker.wav");
  process.env.SWITCHBOARD_PHONE_AUDIO = `file:700:${rec}`;
  const env = await setUp("audio-test");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/phone`);
      const section = page.getByTestId("audio-test");
      await section.waitFor({ timeout: T });
      assert.equal(await page.getByTestId("mic-level").count(), 0, "no meter before a test");

      await section.getByRole("button", { name: "Test my microphone" }).click();
      const meter = page.getByTestId("mic-level");
      await meter.waitFor({ timeout: T });
      // The file device's tone is about -17 dBFS; silence reads -96.
      await until(async () => Number(await meter.getAttribute("data-level")) > -30, {
        timeoutMs: T,
        what: "the level meter to rise with the tone",
      });
      assert.match((await page.getByTestId("mic-level-words").textContent()) ?? "", /dBFS/);
      await section.getByRole("button", { name: "Stop the microphone test" }).click();
      await until(async () => (await meter.count()) === 0, { timeoutMs: T, what: "the meter to go" });

      await section.getByRole("button", { name: "Play a tone on my speakers" }).click();
      await page.getByTestId("speaker-playing").waitFor({ timeout: T });
      const state = await pbx.api("phone_audio_test_state", {});
      assert.equal(state.running, "speaker");
      await section.getByRole("button", { name: "Stop the tone" }).click();
      await until(async () => (await page.getByTestId("speaker-playing").count()) === 0, { timeoutMs: T, what: "the tone to stop" });
      assert.equal((await pbx.api("phone_audio_test_state", {})).running, null);
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});
