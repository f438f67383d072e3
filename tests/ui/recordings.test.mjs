// Always-on recording from the pages: Bob's "Record every call" switch is turned on on the
// Extensions page; Alice calls him, they talk and hang up without anyone pressing Record.
// The Recordings page lists the call (both parties, why it was recorded), plays its WAV
// in the browser to the end, and deletes it after a confirmation.

import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("an always-on extension's call is listed on Recordings and plays in the browser", { timeout: 180_000 }, async () => {
  const env = await setUp("recordings");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const alice = await pbx.api("add_extension", { number: "1001", name: "Alice Martin" });
      const bob = await pbx.api("add_extension", { number: "1002", name: "Bob Chen" });

      await page.goto(`${pbx.url}/#/extensions`);
      const always = page.getByTestId("always-record-extension-1002");
      await always.waitFor({ timeout: T });
      assert.equal(await always.isChecked(), false);
      await always.check();
      await page.getByTestId("ext-1002").getByText("Always").waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("get_recording_settings")).always.extensions, ["1002"]);

      const a = await env.phone("alice", 440);
      const b = await env.phone("bob", 1000);
      assert.equal(await a.register(pbx.sipAddr, "1001", alice.password), 200);
      assert.equal(await b.register(pbx.sipAddr, "1002", bob.password), 200);

      await page.goto(`${pbx.url}/#/recordings`);
      await page.getByRole("heading", { name: "No recordings" }).waitFor({ timeout: T });
      await a.call(pbx.uri("1002"));
      await b.waitIncoming();
      await b.answer();
      await a.waitState("confirmed");
      await new Promise((r) => setTimeout(r, 2500));
      await a.hangup();
      await b.waitState("disconnected");

      // The page hears of the finished recording without a reload.
      const table = page.getByTestId("recordings");
      await table.waitFor({ timeout: T });
      const [rec] = (await pbx.api("list_recordings")).recordings;
      assert.ok(rec, "the recording is listed");
      const row = page.getByTestId(`recording-${rec.id}`);
      await row.waitFor({ timeout: T });
      assert.match(await row.getByTestId(`recording-${rec.id}-parties`).textContent(), /Alice Martin \(1001\) → Bob Chen \(1002\)/);
      assert.equal((await row.getByTestId(`recording-${rec.id}-why`).textContent()).trim(), "Always on for extension 1002");
      await page.screenshot({ path: join(screenshotDir(env.workdir), "recordings.png") });

      // It plays in the browser: the player loads the WAV from the API and plays to the end.
      const played = await page.getByTestId(`recording-${rec.id}-audio`).evaluate(
        (audio) =>
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no playback (error ${audio.error?.code ?? "none"})`)), 15000);
            audio.addEventListener("ended", () => {
              clearTimeout(timer);
              resolve({ duration: audio.duration, time: audio.currentTime });
            });
            audio.addEventListener("error", () => reject(new Error(`audio error ${audio.error?.code}`)));
            audio.play().catch(reject);
          }),
      );
      assert.ok(played.duration >= 1.5, `the player read the WAV's length (${played.duration} s)`);
      assert.ok(played.time >= played.duration - 0.1, `it played to the end (${played.time} s)`);

      const files = () => readdirSync(join(pbx.dataDir, "recordings")).filter((f) => f.endsWith(".wav"));
      assert.equal(files().length, 1);
      const file = join(pbx.dataDir, "recordings", files()[0]);
      await row.getByTestId(`recording-${rec.id}-delete`).click();
      const dialog = page.getByRole("dialog", { name: "Delete this recording?" });
      await dialog.getByRole("button", { name: "Delete recording" }).click();
      await row.waitFor({ state: "detached", timeout: T });
      assert.equal((await pbx.api("list_recordings")).recordings.length, 0);
      assert.equal(existsSync(file), false, "the file is deleted with the row");
    });
  } finally {
    await env.tearDown();
  }
});
