// The app's own phone in the real desktop app, its main window closed: a call from
// `switchboard phone` raises a desktop notification naming the caller and opens the small
// incoming-call window on top (caller and Answer), Answer there takes the call, the window
// closes by itself and the main window opens on the Phone page; then a second launch with a
// clicked `sip:` link hands it to the running app, which calls that number.
//
// Run by tests/desktop/run (SWITCHBOARD_DESKTOP_BIN names the app; SWITCHBOARD_BIN the
// `switchboard` command, else the one next to the app).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { chooseThePhoneSystem, freePort, startDriver, x11Window } from "./harness.mjs";
import { Session, waitFor } from "./webdriver.mjs";

const APP = process.env.SWITCHBOARD_DESKTOP_BIN;
const CLI = process.env.SWITCHBOARD_BIN ?? (APP && join(dirname(APP), "switchboard"));
const ARTIFACTS = process.env.DESKTOP_ARTIFACTS ?? join(tmpdir(), "switchboard-desktop-test");
const INCOMING_TITLE = "Incoming call · Switchboard";

/** A notification server on the session bus (notifications.py); `shown` fills as it is asked. */
async function startNotificationServer() {
  const child = spawn("/usr/bin/python3", [join(dirname(new URL(import.meta.url).pathname), "notifications.py")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const shown = [];
  let ready = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === "ready") ready = true;
    else shown.push(JSON.parse(line));
  });
  await waitFor("the notification server to own its name", async () => ready, 10_000);
  return { shown, stop: () => child.kill("SIGTERM") };
}

async function api(base, command, request = {}) {
  const res = await fetch(`${base}/api/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = await res.json();
  assert.equal(res.status, 200, `${command}: ${JSON.stringify(body)}`);
  return body;
}

function run(bin, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ["ignore", "inherit", "inherit"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test("a call rings in a window on top, is answered there, and a sip: link dials", { timeout: 150_000 }, async () => {
  assert.ok(APP, "SWITCHBOARD_DESKTOP_BIN names the desktop binary");
  mkdirSync(ARTIFACTS, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), "switchboard-desktop-call-"));
  const sipPort = await freePort();
  const args = ["--data", data, "--listen", `127.0.0.1:${sipPort}`, "--rtp-ports", "41100-41199", "--http", "127.0.0.1:0"];
  // A tone instead of a sound card, for the app's phone.
  process.env.SWITCHBOARD_PHONE_AUDIO = `file:660:${join(data, "heard.wav")}`;

  const notifications = await startNotificationServer();
  const driver = await startDriver();
  let session;
  let caller;
  try {
    session = await Session.start(driver.url, { "tauri:options": { application: APP, args } });
    // A new install: this PC runs the phone system.
    const base = await chooseThePhoneSystem(session);
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);

    // The app's phone is extension 201 of its own PBX; 202 calls it.
    const me = await api(base, "add_extension", { number: "201", name: "Front desk" });
    const desk = await api(base, "add_extension", { number: "202", name: "Bob" });
    await api(base, "save_phone_account", { server: `127.0.0.1:${sipPort}`, transport: "udp", user: "201", password: me.password });
    await waitFor("the app's phone to register", async () => (await api(base, "get_phone")).registration.state === "registered");
    const [main] = await session.windowHandles();

    // The window closed: the app runs on in the tray, the page's own notifier gone with it.
    await x11Window("close");
    await waitFor("the main window to close", async () => (await x11Window("state")) === "absent");

    caller = spawn(CLI, ["phone", "--server", `127.0.0.1:${sipPort}`, "--user", "202", "--password", desk.password, "--dial", "201", "--tone", "440"], {
      stdio: ["ignore", "inherit", "inherit"],
    });

    // The incoming-call window opens on top, showing who calls, with Answer.
    await waitFor("the call ringing on the app's phone", async () =>
      (await api(base, "get_phone")).calls.some((c) => c.direction === "in" && c.state === "ringing"), 20_000,
    );
    const popup = await waitFor("the incoming-call window", async () => (await session.windowHandles()).find((h) => h !== main), 30_000);
    assert.equal(await x11Window("state", INCOMING_TITLE), "viewable");
    await session.switchToWindow(popup);
    const name = await waitFor("the caller in the window", () => session.css("[data-testid='incoming-name']"));
    assert.match(await session.text(await session.css("[data-testid='incoming-window']")), /202/);
    assert.ok(name);
    writeFileSync(join(ARTIFACTS, "desktop-incoming-call.png"), await session.screenshot());
    const answer = await session.xpath("//button[starts-with(normalize-space(), 'Answer')]");
    // The window closes as the click is answered, so WebDriver may lose it mid-reply.
    await session.click(answer).catch((e) => {
      if (!/no such window/.test(e.message)) throw e;
    });

    // Answered: the call talks, and the window goes away by itself.
    await waitFor("the call to be answered", async () =>
      (await api(base, "get_phone")).calls.some((c) => c.direction === "in" && c.state === "talking"),
    );
    await waitFor("the incoming-call window to close", async () => (await x11Window("state", INCOMING_TITLE)) === "absent");

    // The notification came from the app itself, once, naming the caller.
    const calls = notifications.shown.filter((n) => n.summary === "Incoming call");
    assert.equal(calls.length, 1, `one incoming-call notification (got ${JSON.stringify(notifications.shown)})`);
    assert.match(calls[0].body, /202/);

    // A call answered in its window brings the main window up on the Phone page.
    await waitFor("the main window to open", async () => (await x11Window("state")) === "viewable");
    const reopened = await waitFor("the main window's handle", async () =>
      (await session.windowHandles()).find((h) => h !== main && h !== popup),
    );
    await session.switchToWindow(reopened);
    await waitFor("the Phone page", () => session.css("#phone-title"), 30_000);
    const talking = (await api(base, "get_phone")).calls.find((c) => c.state === "talking");
    await api(base, "phone_hang_up", { call: talking.id });
    caller.kill("SIGTERM");
    caller = null;

    // A clicked sip: link starts a second launch, which hands the link to the running app.
    const code = await run(APP, [...args, `sip:202@127.0.0.1:${sipPort}`], 20_000);
    assert.equal(code, 0, "the second launch hands over and exits");
    await waitFor("the link's call to 202", async () =>
      (await api(base, "get_phone")).calls.some((c) => c.direction === "out" && c.number === "202"),
    );
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    caller?.kill("SIGTERM");
    if (session) await session.end().catch(() => {});
    driver.stop();
    notifications.stop();
    // The app keeps running in the tray once its window is gone, and would take the next
    // test's launch as a second instance: end it (its data folder names it).
    await run("pkill", ["-f", data], 5_000);
  }
});
