// A database found damaged at start: the desktop window shows a plain page naming the file
// and the newest backup (date, size) with "Restore this backup" and "Open the data folder";
// restoring puts the backup back, keeps the damaged file in a replaced-… folder, and the
// app starts with the backup's data.
//
// Run by tests/desktop/run (SWITCHBOARD_DESKTOP_BIN names the app; SWITCHBOARD_BIN the
// command-line program, by default next to it).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync, readdirSync, existsSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { apiBase, apiCall, freePort, startDriver } from "./harness.mjs";
import { Session, waitFor } from "./webdriver.mjs";

const APP = process.env.SWITCHBOARD_DESKTOP_BIN;
const CLI = process.env.SWITCHBOARD_BIN ?? (APP && join(dirname(APP), "switchboard"));
const ARTIFACTS = process.env.DESKTOP_ARTIFACTS ?? join(tmpdir(), "switchboard-desktop-test");

function run(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} ${args.join(" ")}: exit ${code}`))));
  });
}

test("a damaged database offers the newest backup, and restoring it starts the app", { timeout: 120_000 }, async () => {
  assert.ok(APP, "SWITCHBOARD_DESKTOP_BIN names the desktop binary");
  mkdirSync(ARTIFACTS, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), "switchboard-desktop-damaged-"));
  // An office with one extension, backed up, then the database file damaged.
  await run(CLI, ["--data", data, "extension", "add", "2001", "--name", "Front Desk"]);
  const out = await run(CLI, ["--data", data, "backup", "create", "--json"]);
  const made = JSON.parse(out.slice(out.indexOf("{")));
  assert.ok(made.name, "the backup has a name");
  const fd = openSync(join(data, "switchboard.db"), "r+");
  writeSync(fd, Buffer.from("this is not a database header!!!"), 0, 32, 0);
  closeSync(fd);

  const sipPort = await freePort();
  const args = ["--data", data, "--listen", `127.0.0.1:${sipPort}`, "--rtp-ports", "41300-41399", "--http", "127.0.0.1:0"];
  const driver = await startDriver();
  let session;
  try {
    session = await Session.start(driver.url, { "tauri:options": { application: APP, args } });

    const heading = await waitFor("the restore page", () => session.css("#restore-title"), 30_000);
    assert.equal(await session.text(heading), "The database is damaged");
    assert.match(await session.text(await session.css("[data-testid='damaged-file']")), /switchboard\.db/);
    const offered = await session.text(await session.css("[data-testid='offered-backup']"));
    assert.ok(offered.includes(made.name), `the newest backup is named (${offered})`);
    assert.match(offered, /\d+(\.\d)? (kB|MB)/, "with its size");
    assert.ok(await session.xpath("//button[normalize-space()='Open the data folder']"), "the data folder can be opened");
    writeFileSync(join(ARTIFACTS, "desktop-damaged-database.png"), await session.screenshot());

    await session.click(await session.xpath("//button[normalize-space()='Restore this backup']"));

    // The app starts with the backup's data; the damaged file is kept aside.
    const base = await waitFor("the API after the restore", async () => {
      const b = await apiBase(session);
      return /^http/.test(b) ? b : null;
    }, 30_000);
    const { extensions } = await apiCall(base, "list_extensions");
    assert.deepEqual(extensions.map((e) => e.number), ["2001"]);
    const replaced = readdirSync(data).filter((n) => n.startsWith("replaced-"));
    assert.equal(replaced.length, 1, "one replaced-… folder");
    assert.ok(existsSync(join(data, replaced[0], "switchboard.db")), "the damaged database is kept");
    await waitFor("the admin screens", () => session.xpath("//nav//a[normalize-space()='Extensions']"), 30_000);
  } finally {
    if (session) await session.end().catch(() => {});
    driver.stop();
    await new Promise((resolve) => spawn("pkill", ["-f", data]).on("exit", resolve));
  }
});
