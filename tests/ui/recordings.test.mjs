// Always-on recording from the pages: Bob's "Record every call" switch is turned on on the
// Extensions page; Alice calls him, they talk and hang up without anyone pressing Record.
// The Recordings page lists the call (both parties, why it was recorded), plays its WAV
// in the browser to the end, and deletes it after a confirmation. A ring group switched to
// "Always" on its page (and a business name on its page, on and off again) has its call
// refused while the disk is below the free-space threshold: every page shows the alert,
// and Recordings keeps it as the last problem.

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

      // Its call record: the history opens filtered to the caller's number.
      await row.getByTestId(`recording-${rec.id}-history`).click();
      const numberFilter = page.locator("#filter-number");
      await numberFilter.waitFor({ timeout: T });
      assert.equal(await numberFilter.inputValue(), "1001");
      assert.equal((await pbx.api("call_history", { number: "1001" })).calls[0].call_id, rec.call_id);
      await page.goBack();
      await row.waitFor({ timeout: T });

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

test("a recording refused for lack of disk space shows an alert on whatever page is open", { timeout: 180_000 }, async () => {
  const env = await setUp("recording-alert");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const alice = await pbx.api("add_extension", { number: "1001", name: "Alice Martin" });
      const bob = await pbx.api("add_extension", { number: "1002", name: "Bob Chen" });
      await pbx.api("save_ring_group", {
        previous_number: null,
        number: "600",
        name: "Sales",
        strategy: "all",
        members: [{ number: "1002", ring_seconds: 20 }],
        final_destination: null,
      });
      // No disk has a terabyte to spare beyond this threshold.
      await pbx.api("save_recording_settings", { retention_days: 30, min_free_mb: 1_000_000 });

      await page.goto(`${pbx.url}/#/groups`);
      const always = page.getByTestId("always-record-ring_group-600");
      await always.waitFor({ timeout: T });
      await always.check();
      await page.getByTestId("group-600").getByText("Always").waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("get_recording_settings")).always.ring_groups, ["600"]);

      // The same switch on Business names (on, then off again).
      await pbx.api("save_business_name", {
        id: 0, name: "sales.acme", number: "+44 20 7123 4567", label: "", trunk: null,
        destination: { kind: "ring_group", target: "600" },
      });
      await page.goto(`${pbx.url}/#/names`);
      const nameSwitch = page.getByTestId("always-record-business_name-sales.acme");
      await nameSwitch.waitFor({ timeout: T });
      await nameSwitch.check();
      await page.getByTestId("name-sales.acme").getByText("Always").waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("get_recording_settings")).always.business_names, ["sales.acme"]);
      await nameSwitch.uncheck();
      await page.getByTestId("name-sales.acme").getByText("Off").waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("get_recording_settings")).always.business_names, []);

      const a = await env.phone("alice", 440);
      const b = await env.phone("bob", 1000);
      assert.equal(await a.register(pbx.sipAddr, "1001", alice.password), 200);
      assert.equal(await b.register(pbx.sipAddr, "1002", bob.password), 200);
      await page.goto(`${pbx.url}/#/calls`);
      await a.call(pbx.uri("600"));
      await b.waitIncoming();
      await b.answer();
      await a.waitState("confirmed");

      const alert = page.getByTestId("recording-alert");
      await alert.waitFor({ timeout: T });
      assert.match(await alert.textContent(), /not recorded: only [\d,]+ MB free/);
      await a.hangup();
      await b.waitState("disconnected");
      assert.equal((await pbx.api("list_recordings")).recordings.length, 0, "nothing was recorded");

      await alert.getByRole("link", { name: "Recordings" }).click();
      await page.getByTestId("recording-last-problem").waitFor({ timeout: T });
      assert.match(await page.getByTestId("recording-last-problem").textContent(), /MB free/);
      await alert.getByRole("button", { name: "Dismiss" }).click();
      await alert.waitFor({ state: "detached", timeout: T });
    });
  } finally {
    await env.tearDown();
  }
});
