// The real desktop app under a virtual display, driven through its own WebKitGTK window:
// it opens on the Extensions page, an extension added there is stored by the in-process
// PBX and a phone logs in with the password the window showed; the tray counts the phone;
// closing the window closes it (its web process ends) while the PBX keeps running, a second
// launch hands over to the running app and opens its window again, so does Open in the
// tray, and Quit in the tray stops the PBX.
//
// Run by tests/desktop/run, which builds the app and provides the display and D-Bus
// session (SWITCHBOARD_DESKTOP_BIN names the binary).

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { register } from "./sip_phone.mjs";
import { clickTrayItem, findTray, trayMenu } from "./tray.mjs";
import { appProcess, chooseThePhoneSystem, freePort, startDriver, x11Window } from "./harness.mjs";
import { Session, waitFor } from "./webdriver.mjs";

const APP = process.env.SWITCHBOARD_DESKTOP_BIN;
const ARTIFACTS = process.env.DESKTOP_ARTIFACTS ?? join(tmpdir(), "switchboard-desktop-test");

/** Runs the app binary once more and resolves with its exit code (null if still running). */
function launchAgain(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(APP, args, { stdio: ["ignore", "inherit", "inherit"] });
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

/** The pids of `pid`'s children named `name`. */
function pgrepChildren(pid, name) {
  try {
    return execFileSync("pgrep", ["-P", String(pid), "-x", name], { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when none matches
  }
}

async function apiAnswers(base) {
  try {
    await fetch(`${base}/api/status`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    return true;
  } catch {
    return false;
  }
}

async function statusLine(tray) {
  return (await trayMenu(tray))[0]?.label;
}

async function api(base, command, request = {}) {
  const res = await fetch(`${base}/api/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  assert.equal(res.status, 200, `${command} answers 200`);
  return res.json();
}

test("the desktop window adds an extension a phone logs in with, and keeps running in the tray", { timeout: 180_000 }, async () => {
  assert.ok(APP, "SWITCHBOARD_DESKTOP_BIN names the desktop binary");
  mkdirSync(ARTIFACTS, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), "switchboard-desktop-"));
  const sipPort = await freePort();
  const args = [
    "--data", data,
    "--listen", `127.0.0.1:${sipPort}`,
    "--rtp-ports", "41000-41099",
    "--http", "127.0.0.1:0",
  ];

  const driver = await startDriver();
  let session;
  let phone;
  try {
    session = await Session.start(driver.url, { "tauri:options": { application: APP, args } });

    // A new install asks what this PC is for; then the window shows the admin screens, and
    // a new database opens on the setup wizard.
    await chooseThePhoneSystem(session);
    const wizard = await waitFor("the setup wizard's heading", () => session.css("#setup-title"), 30_000);
    assert.equal(await session.text(wizard), "Set up Switchboard");
    assert.match(await session.title(), /Switchboard/);

    // The owner may leave the wizard for any page: Extensions, from the navigation.
    const extensionsLink = await waitFor("the Extensions link", () =>
      session.xpath("//nav//a[normalize-space()='Extensions']"),
    );
    await session.click(extensionsLink);
    const heading = await waitFor("the Extensions heading", () => session.css("#ext-title"), 30_000);
    assert.equal(await session.text(heading), "Extensions");

    // The window's platform layer finds the in-process API through the Tauri command.
    const base = await session.executeAsync(
      "const done = arguments[arguments.length - 1];" +
        "window.__TAURI_INTERNALS__.invoke('api_base_url').then(done, (e) => done('error: ' + e));",
    );
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/, "api_base_url gives the API's loopback address");

    // Empty at first: the page offers the next step.
    const addFirst = await waitFor("the empty page's add button", () =>
      session.xpath("//button[normalize-space()='Add the first extension']"),
    );
    await session.click(addFirst);

    const number = await waitFor("the Number field", () => session.css("#add-number"));
    await session.clear(number);
    await session.type(number, "2001");
    const name = await session.css("#add-name");
    await session.clear(name);
    await session.type(name, "Front Desk");
    const submit = await session.xpath("//form[.//*[@id='add-number']]//button[@type='submit']");
    assert.ok(submit, "the add form has a submit button");
    await session.click(submit);

    // The generated password is shown once.
    const shown = await waitFor("the new password", () => session.css("[data-testid='new-password']"));
    const password = (await session.text(shown)).trim();
    assert.ok(password.length >= 8, `a generated password is shown (got ${JSON.stringify(password)})`);
    writeFileSync(join(ARTIFACTS, "desktop-password-shown.png"), await session.screenshot());
    const done = await session.xpath("//button[starts-with(normalize-space(), 'Done')]");
    await session.click(done);

    // The list shows the new extension, and the PBX behind the API has it.
    const row = await waitFor("extension 2001 in the list", () => session.css("[data-testid='ext-2001-state']"));
    assert.ok(row);
    const listed = await waitFor("the name in the list", async () => {
      const cell = await session.xpath("//td[normalize-space()='Front Desk']");
      return cell && session.text(cell);
    });
    assert.equal(listed, "Front Desk");
    const { extensions } = await api(base, "list_extensions");
    const stored = extensions.find((e) => e.number === "2001");
    assert.ok(stored, "the API lists extension 2001");
    assert.equal(stored.name, "Front Desk");
    writeFileSync(join(ARTIFACTS, "desktop-extensions.png"), await session.screenshot());

    // The page reaches the screen (what the X server shows, not WebKit's own snapshot: the
    // app draws it without GL), and the app's own process never loaded a GL driver (with
    // compositing off it draws without one: src-tauri/src/webview_env.rs).
    const colours = Number(await x11Window("colours"));
    assert.ok(colours > 20, `the window shows the painted page (${colours} colours on screen)`);
    const app = appProcess(data);
    assert.ok(app, "the app's process is found by its data folder");
    const gl = app.mapped.filter((file) => /_dri\.so|libLLVM|libGLX_mesa|libEGL_mesa/.test(file));
    assert.deepEqual(gl, [], "the app's own process maps no GL driver");

    // The tray's status line counts registered phones.
    const tray = await waitFor("the tray icon on the session bus", () => findTray());
    await waitFor("the tray to say no phones are registered", async () => (await statusLine(tray)) === "No phones registered");

    // A phone logs in with the password the window showed; window and tray follow live.
    phone = await register({ port: sipPort, user: "2001", password });
    assert.equal(phone.status, 200, "the phone registers with the password the window showed");
    await waitFor("the window to show the phone online", async () =>
      /Phone online/.test(await session.text(await session.css("[data-testid='ext-2001-state']"))),
    );
    await waitFor("the tray to count the phone", async () => (await statusLine(tray)) === "1 phone registered");

    // Closing the window closes it for real, and its web process ends with it; the PBX and
    // its API keep running in the tray.
    const webProcesses = () => pgrepChildren(app.pid, "WebKitWebProces");
    assert.equal(webProcesses().length, 1, "the open window has its web process");
    assert.equal(await x11Window("state"), "viewable");
    await x11Window("close");
    await waitFor("the window to close", async () => (await x11Window("state")) === "absent");
    await waitFor("the window's web process to end", async () => webProcesses().length === 0);
    assert.ok(await apiAnswers(base), "the API still answers with the window closed");
    assert.equal(await statusLine(tray), "1 phone registered");

    // A second launch finds the running app over D-Bus, hands over and exits at once; the
    // running one opens its window again (no second PBX is started).
    const code = await launchAgain(args, 20_000);
    assert.equal(code, 0, "the second launch exits cleanly instead of starting a second PBX");
    await waitFor("the second launch to bring the window back", async () => (await x11Window("state")) === "viewable");
    await session.switchToWindow(await waitFor("the new window", async () => (await session.windowHandles())[0]));
    await waitFor("the Extensions page in the new window", () => session.xpath("//nav//a[normalize-space()='Extensions']"), 30_000);

    // Closed again, Open in the tray brings it back.
    await x11Window("close");
    await waitFor("the window to close again", async () => (await x11Window("state")) === "absent");
    const open = (await trayMenu(tray)).find((i) => i.label === "Open Switchboard");
    assert.ok(open, "the tray menu has Open");
    await clickTrayItem(tray, open.id);
    await waitFor("the window to show again", async () => (await x11Window("state")) === "viewable");
    assert.equal(webProcesses().length, 1, "the window opened again has a web process again");

    // Quit in the tray stops the PBX and the API.
    const quit = (await trayMenu(tray)).find((i) => i.label === "Quit Switchboard");
    assert.ok(quit, "the tray menu has Quit");
    await clickTrayItem(tray, quit.id);
    await waitFor("the API to stop after Quit", async () => !(await apiAnswers(base)));
  } finally {
    phone?.close();
    if (session) await session.end().catch(() => {});
    driver.stop();
  }
});
