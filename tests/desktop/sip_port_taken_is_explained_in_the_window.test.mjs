// When the PBX cannot start because its SIP port is taken (most often by the switchboard
// service), the desktop app still shows a window that says so in words (here once the
// first-run question is answered), and closing that window quits the app.
//
// Run by tests/desktop/run (SWITCHBOARD_DESKTOP_BIN names the binary).

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startDriver, x11Window } from "./harness.mjs";
import { Session, waitFor } from "./webdriver.mjs";

const APP = process.env.SWITCHBOARD_DESKTOP_BIN;

test("a taken SIP port is explained in the window, and closing it quits", { timeout: 120_000 }, async () => {
  assert.ok(APP, "SWITCHBOARD_DESKTOP_BIN names the desktop binary");
  // Another program holds the SIP port.
  const squatter = createSocket("udp4");
  await new Promise((resolve) => squatter.bind(0, "127.0.0.1", resolve));
  const port = squatter.address().port;
  const data = mkdtempSync(join(tmpdir(), "switchboard-desktop-"));
  const args = ["--data", data, "--listen", `127.0.0.1:${port}`, "--http", "127.0.0.1:0"];

  const driver = await startDriver();
  let session;
  try {
    session = await Session.start(driver.url, { "tauri:options": { application: APP, args } });
    // A new install starts the PBX once told this PC runs the phone system.
    const choice = await waitFor(
      "the first-run question",
      () => session.xpath("//button[starts-with(normalize-space(), 'This PC runs the office phone system')]"),
      30_000,
    );
    await session.click(choice);
    const heading = await waitFor(
      "the error heading",
      async () => {
        const h1 = await session.css("h1");
        return h1 && (await session.text(h1)) === "Switchboard could not start" && h1;
      },
      30_000,
    );
    assert.ok(heading);
    const explanation = await session.text(await session.css("p"));
    assert.match(explanation, new RegExp(`port ${port}\\b`), "it names the port");
    assert.match(explanation, /Stop that one/, "it says what to do");

    // Nothing keeps running behind it: closing the window ends the app.
    await x11Window("close");
    await waitFor("the app to quit", async () => (await x11Window("state")) === "absent");
  } finally {
    if (session) await session.end().catch(() => {});
    driver.stop();
    squatter.close();
  }
});
