// What both desktop tests need: tauri-driver, a free port, and the app's X11 window.

import { spawn } from "node:child_process";
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

