// What both desktop tests need: tauri-driver, a free port, and the app's X11 window.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "./webdriver.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const TAURI_DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";

/** A TCP port nobody listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts tauri-driver (which starts WebKitWebDriver) on free ports. */
export async function startDriver() {
  const port = await freePort();
  const nativePort = await freePort();
  const child = spawn(TAURI_DRIVER, ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor("tauri-driver to listen", async () => {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    const res = await fetch(`${url}/status`);
    return res.ok;
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/** The window's X11 state ("viewable", "hidden", "absent"), or closes it like its close button. */
export function x11Window(command, title = "Switchboard") {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", [join(HERE, "x11_window.py"), command, title], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`x11_window.py ${command}: exit ${code}`))));
  });
}


/**
 * The app's own process (not its WebKit helpers) started with `--data dataDir`: its pid
 * and the files it has mapped (shared libraries included), read from /proc.
 */
export function appProcess(dataDir) {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // the process ended while we looked
    }
    const i = argv.indexOf("--data");
    if (i < 0 || argv[i + 1] !== dataDir || !/switchboard-desktop$/.test(argv[0])) continue;
    const mapped = new Set(
      readFileSync(`/proc/${entry}/maps`, "utf8")
        .split("\n")
        .map((line) => line.split(/\s+/)[5])
        .filter(Boolean),
    );
    return { pid: Number(entry), mapped: [...mapped] };
  }
  return null;
}

/** The in-process API's address, as the window's platform layer learns it (`error: …` when none). */
export function apiBase(session) {
  return session.executeAsync(
    "const done = arguments[arguments.length - 1];" +
      "window.__TAURI_INTERNALS__.invoke('api_base_url').then(done, (e) => done('error: ' + e));",
  );
}

/** POSTs one API command; the parsed answer, or throws with the status. */
export async function apiCall(base, command, request = {}) {
  const res = await fetch(`${base}/api/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!res.ok) throw new Error(`${command}: HTTP ${res.status}`);
  return res.json();
}

/**
 * Answers a new install's first-run question in the window: this PC runs the phone
 * system. Resolves with the API's address once the app has started its PBX.
 */
export async function chooseThePhoneSystem(session) {
  const choice = await waitFor(
    "the first-run question",
    () => session.xpath("//button[starts-with(normalize-space(), 'This PC runs the office phone system')]"),
    30_000,
  );
  await session.click(choice);
  return waitFor(
    "the phone system to start",
    async () => {
      const base = await apiBase(session);
      if (!/^http/.test(base)) return null;
      return (await apiCall(base, "get_app_mode")).pbx_running ? base : null;
    },
    30_000,
  );
}
