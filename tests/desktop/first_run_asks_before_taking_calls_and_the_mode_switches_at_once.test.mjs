// A new install of the desktop app asks what the PC is for before anything takes calls:
// the question is in the window and the SIP port is free. "This PC runs the office phone
// system" starts the PBX (the port is bound); switching to "connect to my office" and back
// takes effect at once, without restarting the app: a call in progress is ended with BYE to
// both phones, the port is let go, then bound again.
//
// Run by tests/desktop/run (SWITCHBOARD_DESKTOP_BIN names the app; SWITCHBOARD_BIN the
// command-line program, by default next to it, whose headless phones make the call).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { apiBase, apiCall, chooseThePhoneSystem, freePort, startDriver } from "./harness.mjs";
import { Session, waitFor } from "./webdriver.mjs";

const APP = process.env.SWITCHBOARD_DESKTOP_BIN;
const CLI = process.env.SWITCHBOARD_BIN ?? (APP && join(dirname(APP), "switchboard"));

/** A headless phone (`switchboard phone`) whose JSON event lines are collected. */
function phone(args) {
  const child = spawn(CLI, ["phone", ...args], { stdio: ["ignore", "pipe", "ignore"] });
  const events = [];
  let buffered = "";
  child.stdout.on("data", (d) => {
    buffered += d;
    const lines = buffered.split("\n");
    buffered = lines.pop();
    for (const line of lines) {
      try {
        events.push(JSON.parse(line));
      } catch {
        // not an event line
      }
    }
  });
  return { events, stop: () => child.kill("SIGTERM") };
}

/** Whether something holds the UDP port on 127.0.0.1 (binding it fails). */
function udpPortBound(port) {
  return new Promise((resolve) => {
    const probe = createSocket("udp4");
    probe.once("error", () => {
      probe.close();
      resolve(true);
    });
    probe.bind(port, "127.0.0.1", () => probe.close(() => resolve(false)));
  });
}

/** Asks for the mode over the API and waits for the app to run it, on its new API address. */
async function switchTo(session, base, phoneOnly) {
  await apiCall(base, "set_app_mode", { phone_only: phoneOnly });
  return waitFor(`the app to run ${phoneOnly ? "phone-only" : "the phone system"}`, async () => {
    const now = await apiBase(session);
    if (!/^http/.test(now)) return null;
    const mode = await apiCall(now, "get_app_mode");
    return mode.chosen && mode.pbx_running === !phoneOnly ? now : null;
  }, 30_000);
}

test("a new install asks first, then starts and stops its PBX as the mode changes", { timeout: 120_000 }, async () => {
  assert.ok(APP, "SWITCHBOARD_DESKTOP_BIN names the desktop binary");
  const data = mkdtempSync(join(tmpdir(), "switchboard-desktop-firstrun-"));
  const sipPort = await freePort();
  const args = ["--data", data, "--listen", `127.0.0.1:${sipPort}`, "--rtp-ports", "41200-41299", "--http", "127.0.0.1:0"];

  const driver = await startDriver();
  let session;
  const phones = [];
  try {
    session = await Session.start(driver.url, { "tauri:options": { application: APP, args } });

    // The question, and nothing listening for phones yet.
    const question = await waitFor("the first-run page", () => session.css("[data-testid='first-run']"), 30_000);
    assert.match(await session.text(question), /what is this PC for/);
    const first = await apiBase(session);
    assert.match(first, /^http:\/\/127\.0\.0\.1:\d+$/, "the API answers the question, on this computer only");
    assert.deepEqual(await apiCall(first, "get_app_mode"), { chosen: false, phone_only: false, pbx_running: false });
    assert.equal(await udpPortBound(sipPort), false, "no SIP port before the choice");

    // This PC runs the phone system: the PBX starts and takes SIP.
    let base = await chooseThePhoneSystem(session);
    await waitFor("the SIP port to be bound", () => udpPortBound(sipPort));
    await waitFor("the setup wizard", () => session.css("#setup-title"), 30_000);

    // A call through the PBX.
    const alice = await apiCall(base, "add_extension", { number: "1001", name: "Alice" });
    const bob = await apiCall(base, "add_extension", { number: "1002", name: "Bob" });
    const server = ["--server", `127.0.0.1:${sipPort}`];
    phones.push(phone([...server, "--user", "1002", "--password", bob.password, "--auto-answer", "--tone", "440"]));
    await waitFor("Bob's phone to register", () => phones[0].events.some((e) => e.event === "registered"));
    phones.push(phone([...server, "--user", "1001", "--password", alice.password, "--dial", "1002", "--tone", "1000"]));
    await waitFor("the call to be answered", () => phones[1].events.some((e) => e.event === "answered"), 20_000);

    // Connect to my office, from Settings (the same command): the PBX ends the call with BYE
    // to both phones and stops; the port is free.
    base = await switchTo(session, base, true);
    assert.equal(await udpPortBound(sipPort), false, "the SIP port is let go at once");
    for (const [who, p] of [["Bob", phones[0]], ["Alice", phones[1]]]) {
      const ended = p.events.find((e) => e.event === "ended");
      assert.equal(ended?.reason, "remote", `${who}'s call was ended by the PBX's BYE (${JSON.stringify(p.events)})`);
    }

    // And back: the PBX starts again in the same process.
    base = await switchTo(session, base, false);
    assert.equal(await udpPortBound(sipPort), true, "the SIP port is bound again");
    assert.equal((await apiCall(base, "get_app_mode")).phone_only, false);
  } finally {
    for (const p of phones) p.stop();
    if (session) await session.end().catch(() => {});
    driver.stop();
    // The app keeps running in the tray after its window's session ends: end it (its data
    // folder names it) so the next test's launch is not taken as a second instance.
    await new Promise((resolve) => spawn("pkill", ["-f", data]).on("exit", resolve));
  }
});
