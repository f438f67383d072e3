// The owner gives a mailbox its own greeting on the Voicemail page: a file that is not
// audio is refused with the reason next to the field (the default greeting stays), a WAV
// becomes the mailbox's greeting (stored converted in the data folder and playable in the
// page), and "Use the default greeting" goes back.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

/** A mono 16 kHz 16-bit WAV of an 800 Hz tone lasting `seconds`. */
function toneWav(seconds) {
  const rate = 16000;
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
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 800 * i) / rate)), 44 + i * 2);
  return buf;
}

test("a greeting is uploaded, a bad file refused next to the field, and the default restored", { timeout: 120_000 }, async () => {
  const env = await setUp("greetings");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      await pbx.api("add_extension", { number: "201", name: "Alice" });
      await pbx.api("enable_mailbox", { number: "201", pin: "4719" });
      await page.goto(`${pbx.url}/#/voicemail`);

      const line = page.getByTestId("greeting-201");
      const kind = page.getByTestId("greeting-201-kind");
      await kind.getByText("Default greeting").waitFor({ timeout: T });
      const field = line.getByLabel("Upload a greeting for Alice (201)");

      await field.setInputFiles({ name: "notes.mp3", mimeType: "audio/mpeg", buffer: Buffer.from("these are words, not audio") });
      const error = page.getByTestId("greeting-201-error");
      await error.waitFor({ timeout: T });
      assert.match(await error.textContent(), /This file/);
      assert.equal(await field.getAttribute("aria-invalid"), "true");
      assert.equal(await kind.textContent().then((t) => t.trim()), "Default greeting");
      const greetingFile = join(pbx.dataDir, "greetings", "201.wav");
      assert.equal(existsSync(greetingFile), false, "a refused file is not kept");

      await field.setInputFiles({ name: "hello.wav", mimeType: "audio/wav", buffer: toneWav(2) });
      await kind.getByText("Own greeting").waitFor({ timeout: T });
      assert.equal(await error.count(), 0, "the error is gone once a good file is taken");
      assert.ok(existsSync(greetingFile), "the greeting is stored in the data folder");
      const audio = line.locator("audio");
      const src = await audio.getAttribute("src");
      const served = await fetch(new URL(src, pbx.url));
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("content-type"), "audio/wav");
      const listed = (await pbx.api("list_greetings")).greetings.find((g) => g.number === "201");
      assert.equal(listed.custom, true);

      await line.getByRole("button", { name: "Use the default greeting" }).click();
      await kind.getByText("Default greeting").waitFor({ timeout: T });
      await until(() => !existsSync(greetingFile), { timeoutMs: T, what: "the greeting file removed" });
      assert.equal(await line.locator("audio").count(), 0);
    });
  } finally {
    await env.tearDown();
  }
});
