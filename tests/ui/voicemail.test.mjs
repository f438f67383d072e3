// The owner turns on a mailbox in the page (a guessable PIN is refused next to the field),
// a message left in it shows in the Voicemail inbox with who called and when, plays in the
// browser (and so counts as heard), downloads as a WAV, and is deleted with its file.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

/** A mono 8 kHz 16-bit WAV of a 440 Hz tone lasting `seconds`. */
function toneWav(seconds) {
  const rate = 8000;
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
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return buf;
}

/**
 * Leaves a message the way the PBX's recorder does: the file first, complete, then its row.
 * (The database is SQLite in WAL mode, so a second writer is safe while the PBX runs.)
 */
function leaveMessage(dataDir, { mailbox, caller, name, business, at, seconds, file }) {
  mkdirSync(join(dataDir, "voicemail"), { recursive: true });
  writeFileSync(join(dataDir, "voicemail", file), toneWav(seconds));
  const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("INSERT INTO voicemail_messages (mailbox, caller_number, caller_name, business_name, received_at, duration_ms, heard, file) VALUES (?, ?, ?, ?, ?, ?, 0, ?)", sys.argv[2:9])
db.commit()
`;
  execFileSync("python3", [
    "-c", script, join(dataDir, "switchboard.db"),
    mailbox, caller, name, business, String(at), String(Math.round(seconds * 1000)), file,
  ]);
}

test("a voicemail is listed, played in the browser, downloaded and deleted", { timeout: 120_000 }, async () => {
  const env = await setUp("voicemail");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      await pbx.api("add_extension", { number: "201", name: "Alice" });
      await page.goto(`${pbx.url}/#/extensions`);

      // No default PIN: the mailbox is off until the owner picks one, and a guessable one
      // is refused next to the field.
      const cell = page.getByTestId("ext-201-voicemail");
      await cell.getByText("Off").waitFor({ timeout: T });
      await page.getByTestId("ext-201-voicemail-on").click();
      const dialog = page.getByRole("dialog", { name: "Turn on voicemail" });
      const pinField = dialog.getByLabel("PIN", { exact: true });
      await pinField.fill("1234");
      await dialog.getByRole("button", { name: "Turn on voicemail" }).click();
      const pinError = dialog.getByTestId("mailbox-pin-error");
      await pinError.waitFor({ timeout: T });
      assert.match(await pinError.textContent(), /guess/i);
      assert.equal(await pinField.getAttribute("aria-invalid"), "true");
      assert.equal((await pbx.api("list_mailboxes")).mailboxes[0].enabled, false, "a weak PIN turns nothing on");
      await pinField.fill("4719");
      await dialog.getByRole("button", { name: "Turn on voicemail" }).click();
      await dialog.waitFor({ state: "hidden", timeout: T });
      await cell.getByText("On").waitFor({ timeout: T });
      assert.equal((await pbx.api("list_mailboxes")).mailboxes[0].enabled, true);

      const at = Math.floor(Date.now() / 1000) - 120;
      leaveMessage(pbx.dataDir, {
        mailbox: "201", caller: "5551000", name: "Carol Client", business: "sales.acme", at, seconds: 1.5, file: "vm-ui-1.wav",
      });
      const [message] = (await pbx.api("list_voicemail", { mailbox: "201" })).messages;
      assert.ok(message, "the message is stored");

      // The inbox (read afresh, as after a reload) shows it as new, with the count in the nav.
      await page.goto(`${pbx.url}/#/voicemail`);
      await page.reload();
      const row = page.getByTestId(`voicemail-${message.id}`);
      await row.waitFor({ timeout: T });
      const text = await row.textContent();
      assert.match(text, /Carol Client \(5551000\)/);
      assert.match(text, /sales\.acme/);
      assert.match(text, /Today/);
      assert.match(text, /0:01/, "the length as the player counts it");
      assert.match(text, /New/);
      await page.getByTestId("mailbox-201").getByText("Alice (201)").waitFor({ timeout: T });
      await page.getByTestId("voicemail-count").getByText("1").waitFor({ timeout: T });

      // It plays in the browser: the player loads the WAV from the API and its time moves.
      const played = await page.getByTestId(`voicemail-${message.id}-audio`).evaluate(
        (audio) =>
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no playback (error ${audio.error?.code ?? "none"})`)), 8000);
            audio.addEventListener("ended", () => {
              clearTimeout(timer);
              resolve({ duration: audio.duration, time: audio.currentTime });
            });
            audio.addEventListener("error", () => reject(new Error(`audio error ${audio.error?.code}`)));
            audio.play().catch(reject);
          }),
      );
      assert.ok(Math.abs(played.duration - 1.5) < 0.1, `the player read the WAV's length (${played.duration} s)`);
      assert.ok(played.time > 1.4, `it played to the end (${played.time} s)`);

      // Playing it counts as heard, here and in the store.
      await page.getByTestId(`voicemail-${message.id}-heard`).getByText("Mark as new").waitFor({ timeout: T });
      await until(async () => (await pbx.api("list_voicemail")).messages[0].heard === true, { what: "the message marked heard" });
      await page.getByTestId("voicemail-count").waitFor({ state: "detached", timeout: T });

      // Mark it new again, then heard by the button.
      await page.getByTestId(`voicemail-${message.id}-heard`).click();
      await until(async () => (await pbx.api("list_voicemail")).messages[0].heard === false, { what: "the message new again" });
      await page.getByTestId("voicemail-count").getByText("1").waitFor({ timeout: T });

      // Download: the same WAV, saved under a name that says whose box and who called.
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: T }),
        row.getByRole("link", { name: /Download/ }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^voicemail-201-\d{8}-\d{4}-from-5551000\.wav$/);
      const saved = join(env.workdir, "downloaded.wav");
      await download.saveAs(saved);
      assert.deepEqual(readFileSync(saved), readFileSync(join(pbx.dataDir, "voicemail", "vm-ui-1.wav")));

      await page.screenshot({ path: join(screenshotDir(env.workdir), "voicemail.png") });

      // Delete, after a confirmation: gone from the page, the store and the disk.
      await page.getByTestId(`voicemail-${message.id}-delete`).click();
      const confirm = page.getByRole("dialog", { name: "Delete this message?" });
      await confirm.getByRole("button", { name: "Delete message" }).click();
      await row.waitFor({ state: "detached", timeout: T });
      await page.getByRole("heading", { name: "No voicemail" }).waitFor({ timeout: T });
      assert.equal((await pbx.api("list_voicemail")).messages.length, 0);
      assert.equal(existsSync(join(pbx.dataDir, "voicemail", "vm-ui-1.wav")), false, "the file is removed");
    });
  } finally {
    await env.tearDown();
  }
});
