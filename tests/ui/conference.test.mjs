// The Conference rooms page: a guessable room PIN refused next to its field, a room
// created in the page (and then offered as a ring
// group's destination), three phones in it listed live, and the owner muting one of them:
// the page says "Muted" and the muted phone's tone stops reaching the others (measured in
// what another phone records), while the unmuted one is still heard. Removing a
// participant ends its call.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { toneShares } from "./harness/tones.mjs";

const T = 10_000;
/** "You are the only person in this conference" and the join tones are over by then. */
const SETTLE_MS = 5_000;
const LISTEN_MS = 2_500;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What `phone` hears during `ms`, as shares of its power at 700 and 1000 Hz. */
async function listen(phone, ms) {
  await phone.cmd("start_recording");
  await sleep(ms);
  const { path } = await phone.cmd("stop_recording");
  // The worker finishes the file when the recorder is released, a moment later.
  await sleep(300);
  return toneShares(path, [440, 700, 1000]);
}

test("mute a conference participant from the page", { timeout: 180_000 }, async () => {
  const env = await setUp("conference");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const people = [
        ["1001", "Alice Martin", "alice", 440],
        ["1002", "Bob Chen", "bob", 700],
        ["1003", "Carol Diaz", "carol", 1000],
      ];
      const phones = {};
      for (const [number, name, who, tone] of people) {
        const ext = await pbx.api("add_extension", { number, name });
        phones[who] = await env.phone(who, tone);
        assert.equal(await phones[who].register(pbx.sipAddr, number, ext.password), 200);
      }

      await page.goto(`${pbx.url}/#/conferences`);
      await page.getByRole("heading", { name: "No conference rooms yet" }).waitFor({ timeout: T });
      await page.getByRole("button", { name: "Create a conference room" }).click();
      const dialog = page.getByTestId("room-dialog");
      await dialog.getByLabel("Name").fill("Board room");
      assert.equal(await dialog.getByLabel("Number").inputValue(), "800");
      // A guessable PIN is refused next to its field; the room is then made open.
      await dialog.getByLabel("PIN").fill("1234");
      await dialog.getByRole("button", { name: "Save room" }).click();
      await dialog.locator("#room-pin-error").getByText(/too easy to guess/i).waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("list_conference_rooms", {})).rooms, [], "nothing was saved");
      await dialog.getByLabel("PIN").fill("");
      await dialog.getByRole("button", { name: "Save room" }).click();
      await page.getByTestId("room-800").waitFor({ timeout: T });

      // The room is offered wherever a destination is chosen, e.g. a ring group's last step.
      await page.goto(`${pbx.url}/#/groups`);
      await page.getByRole("button", { name: "Create a ring group" }).click();
      await page.locator("#rg-final-kind").selectOption("conference");
      assert.equal(await page.locator("#rg-final-target").inputValue(), "800");
      assert.match(await page.locator("#rg-final-target").textContent(), /Board room \(800\)/);
      await page.getByTestId("group-dialog").getByRole("button", { name: "Cancel" }).click();
      await page.goto(`${pbx.url}/#/conferences`);
      await page.getByTestId("room-800").waitFor({ timeout: T });

      for (const who of ["alice", "bob", "carol"]) {
        await phones[who].call(pbx.uri("800"));
        await phones[who].waitState("confirmed");
      }
      const listed = page.getByTestId("participants-800");
      for (const [number] of people) await listed.getByTestId(`participant-${number}`).waitFor({ timeout: T });
      assert.match(await page.getByTestId("room-800").textContent(), /3 people/);
      await sleep(SETTLE_MS);

      const before = await listen(phones.alice, LISTEN_MS);
      assert.ok(before.shares[700] > 0.15 && before.shares[1000] > 0.15, `Alice hears Bob and Carol: ${JSON.stringify(before)}`);

      await page.getByRole("button", { name: "Mute Bob Chen (1002)" }).click();
      const bobRow = listed.getByTestId("participant-1002");
      await bobRow.getByTestId("state").filter({ hasText: "Muted" }).waitFor({ timeout: T });
      await page.getByRole("button", { name: "Unmute Bob Chen (1002)" }).waitFor({ timeout: T });
      await page.screenshot({ path: join(screenshotDir(env.workdir), "conference-muted.png") });

      const after = await listen(phones.alice, LISTEN_MS);
      assert.ok(after.shares[700] < 0.05, `Bob is muted: ${JSON.stringify(after)}`);
      assert.ok(after.shares[1000] > 0.5, `Carol is still heard: ${JSON.stringify(after)}`);
      const carolHears = await listen(phones.carol, LISTEN_MS);
      assert.ok(carolHears.shares[700] < 0.05 && carolHears.shares[440] > 0.5, `Carol hears Alice only: ${JSON.stringify(carolHears)}`);

      await page.getByRole("button", { name: "Remove Carol Diaz (1003) from the room" }).click();
      await phones.carol.waitState("disconnected");
      await listed.getByTestId("participant-1003").waitFor({ state: "detached", timeout: T });
      assert.match(await page.getByTestId("room-800").textContent(), /2 people/);

      await phones.alice.hangup();
      await phones.bob.hangup();
      await page.getByTestId("participants-800").waitFor({ state: "detached", timeout: T });
    });
  } finally {
    await env.tearDown();
  }
});
