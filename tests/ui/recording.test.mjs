// Recording a live call from the Calls page: Record on an answered call shows the
// "Recording" badge; Stop recording finishes the WAV (it is then in the data folder's
// recordings/) and says where it was saved; a ringing call offers no Record button.

import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("record and stop recording a live call from the Calls page", { timeout: 180_000 }, async () => {
  const env = await setUp("recording");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const alice = await pbx.api("add_extension", { number: "1001", name: "Alice Martin" });
      const bob = await pbx.api("add_extension", { number: "1002", name: "Bob Chen" });
      const a = await env.phone("alice", 440);
      const b = await env.phone("bob", 1000);
      assert.equal(await a.register(pbx.sipAddr, "1001", alice.password), 200);
      assert.equal(await b.register(pbx.sipAddr, "1002", bob.password), 200);

      await page.goto(`${pbx.url}/#/calls`);
      await page.getByRole("heading", { name: "No calls right now" }).waitFor({ timeout: T });
      const live = page.getByTestId("live-call");
      const record = page.getByRole("button", { name: "Record the call from Alice Martin (1001) to Bob Chen (1002)" });
      const stop = page.getByRole("button", {
        name: "Stop recording the call from Alice Martin (1001) to Bob Chen (1002)",
      });

      await a.call(pbx.uri("1002"));
      await b.waitIncoming();
      await live.and(page.locator('[data-state="ringing"]')).waitFor({ timeout: T });
      assert.equal(await record.count(), 0, "a ringing call cannot be recorded");

      await b.answer();
      await a.waitState("confirmed");
      await live.and(page.locator('[data-state="answered"]')).waitFor({ timeout: T });
      await record.click();
      await live.getByTestId("recording-badge").waitFor({ timeout: T });
      assert.match(await live.getByTestId("recording-badge").textContent(), /Recording/);
      await stop.waitFor({ timeout: T });
      await page.screenshot({ path: join(screenshotDir(env.workdir), "calls-recording.png") });

      await stop.click();
      const note = page.getByTestId("recording-note");
      await note.waitFor({ timeout: T });
      const saved = /Recording saved as (\S+\.wav)\./.exec(await note.textContent());
      assert.ok(saved, `note names the file: ${await note.textContent()}`);
      assert.ok(existsSync(join(pbx.dataDir, "recordings", saved[1])), `${saved[1]} is in recordings/`);
      assert.deepEqual(readdirSync(join(pbx.dataDir, "recordings")).filter((f) => f.endsWith(".wav")), [saved[1]]);
      await live.getByTestId("recording-badge").waitFor({ state: "detached", timeout: T });
      await record.waitFor({ timeout: T });

      await a.hangup();
      await b.waitState("disconnected");
      await page.getByRole("heading", { name: "No calls right now" }).waitFor({ timeout: T });
    });
  } finally {
    await env.tearDown();
  }
});
