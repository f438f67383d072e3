// Do-not-disturb and forwarding on the Extensions page (switch, dialog with per-field
// errors, and *78 dialled from a real phone showing up live), the Feature codes page, and
// music on hold uploaded in Settings (a bad file refused next to the field).

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

/** A 16-bit mono PCM WAV of `seconds` of a sine at `hz`. */
function sineWav(path, hz, seconds, rate = 16000) {
  const n = Math.round(rate * seconds);
  const buf = Buffer.alloc(44 + n * 2);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  writeFileSync(path, buf);
  return path;
}

async function forwardingOf(pbx, number) {
  return (await pbx.api("list_call_forwarding")).extensions.find((f) => f.number === number);
}

test("extensions: do not disturb by switch and by *78 from a phone, forwarding saved or refused per field", { timeout: 120_000 }, async () => {
  const env = await setUp("forwarding");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const alice = await pbx.api("add_extension", { number: "201", name: "Alice" });
      await pbx.api("add_extension", { number: "202", name: "Bob" });
      await page.goto(`${pbx.url}/#/extensions`);
      const dnd = page.getByTestId("ext-202-dnd");
      await dnd.waitFor({ timeout: T });
      await dnd.check();
      await page.getByTestId("ext-202-forwarding-words").filter({ hasText: "Do not disturb" }).waitFor({ timeout: T });
      assert.equal((await forwardingOf(pbx, "202")).dnd, true);
      await dnd.uncheck();
      await page.getByTestId("ext-202-forwarding-words").filter({ hasText: "Rings as usual" }).waitFor({ timeout: T });

      await page.getByTestId("ext-202-forwarding-edit").click();
      const dialog = page.getByTestId("forwarding-dialog");
      await dialog.getByLabel("Forward every call to").fill("20x");
      await dialog.getByLabel("Ring for (seconds) before forwarding").fill("2");
      await dialog.getByTestId("forwarding-save").click();
      await dialog.locator("#fw-always-error").waitFor({ timeout: T });
      await dialog.locator("#fw-seconds-error").waitFor({ timeout: T });
      assert.equal((await forwardingOf(pbx, "202")).forward_always, null, "a refused save changes nothing");
      await page.screenshot({ path: join(screenshotDir(env.workdir), "forwarding-dialog.png"), fullPage: true });
      await dialog.getByLabel("Forward every call to").fill("201");
      await dialog.getByLabel("Ring for (seconds) before forwarding").fill("15");
      await dialog.getByTestId("forwarding-save").click();
      await page.getByTestId("ext-202-forwarding-words").filter({ hasText: "All calls to 201" }).waitFor({ timeout: T });
      const saved = await forwardingOf(pbx, "202");
      assert.equal(saved.forward_always, "201");
      assert.equal(saved.no_answer_seconds, 15);

      // Alice's phone dials *78: her row follows without a reload.
      const phone = await env.phone("alice", 440);
      assert.equal(await phone.register(pbx.sipAddr, "201", alice.password), 200);
      await phone.call(pbx.uri("*78"));
      await phone.waitState("confirmed");
      await phone.waitState("disconnected");
      await page.getByTestId("ext-201-forwarding-words").filter({ hasText: "Do not disturb" }).waitFor({ timeout: T });
      assert.equal(await page.getByTestId("ext-201-dnd").isChecked(), true);
    });
  } finally {
    await env.tearDown();
  }
});

test("feature codes page lists the PBX's codes", { timeout: 60_000 }, async () => {
  const env = await setUp("feature-codes");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/features`);
      await page.getByRole("heading", { name: "Feature codes" }).waitFor({ timeout: T });
      const dnd = page.getByTestId("feature-code-*78");
      await dnd.waitFor({ timeout: T });
      assert.match(await dnd.textContent(), /Do not disturb on/);
      assert.match(await page.getByTestId("feature-code-*72").textContent(), /Dial \*72 and the number/);
      const codes = (await pbx.api("list_feature_codes")).codes;
      assert.equal(await page.locator("[data-testid^='feature-code-']:not([data-testid$='-soon'])").count(), codes.length);
      const unavailable = codes.filter((c) => !c.available).length;
      assert.equal(await page.locator("[data-testid$='-soon']").count(), unavailable, "unfinished codes say so");
      await page.screenshot({ path: join(screenshotDir(env.workdir), "feature-codes.png"), fullPage: true });
    });
  } finally {
    await env.tearDown();
  }
});

test("settings: music on hold upload refuses a bad file next to the field and uses a good one", { timeout: 60_000 }, async () => {
  const env = await setUp("music-on-hold");
  try {
    await env.run(async () => {
      const { page, pbx, workdir } = env;
      await page.goto(`${pbx.url}/#/settings`);
      const kind = page.getByTestId("music-on-hold-kind");
      await kind.filter({ hasText: "comes with Switchboard" }).waitFor({ timeout: T });
      const bad = join(workdir, "not-music.mp3");
      writeFileSync(bad, "this is not audio");
      await page.getByTestId("music-on-hold-file").setInputFiles(bad);
      const error = page.getByTestId("music-on-hold-error");
      await error.waitFor({ timeout: T });
      assert.match(await error.textContent(), /This file cannot be used as music/);
      assert.equal((await pbx.api("get_music_on_hold")).music.custom, false);

      await page.getByTestId("music-on-hold-file").setInputFiles(sineWav(join(workdir, "hold.wav"), 600, 3));
      await kind.filter({ hasText: "Your own music plays" }).waitFor({ timeout: T });
      assert.equal(await error.count(), 0, "the error goes once a good file is in");
      assert.equal((await pbx.api("get_music_on_hold")).music.custom, true);
      await page.getByTestId("music-on-hold-bundled").click();
      await kind.filter({ hasText: "comes with Switchboard" }).waitFor({ timeout: T });
    });
  } finally {
    await env.tearDown();
  }
});
