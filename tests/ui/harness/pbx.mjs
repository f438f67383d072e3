// One `switchboard serve` on loopback with its own data folder, SIP port, RTP range and
// admin (HTTP) port, the way an owner runs it.

import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { HOST, freePort, portBlock } from "./net.mjs";
import { sleep } from "./wait.mjs";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const READY_TIMEOUT_MS = 30_000;

/** $SWITCHBOARD_BIN, else the newest cargo build of the binary. */
export function findBinary() {
  if (process.env.SWITCHBOARD_BIN) return resolve(process.env.SWITCHBOARD_BIN);
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, "target");
  const found = ["debug", "release"]
    .map((p) => join(target, p, "switchboard"))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) {
    throw new Error(`no switchboard binary under ${target}: run \`cargo build -p switchboard\` (or set SWITCHBOARD_BIN)`);
  }
  return found[0];
}

/** Sends a SIP OPTIONS over UDP; resolves with the status code, or 0 without an answer. */
function sipOptions(port, timeoutMs = 500) {
  return new Promise((done) => {
    const sock = dgram.createSocket("udp4");
    const tag = randomBytes(6).toString("hex");
    const timer = setTimeout(() => {
      sock.close();
      done(0);
    }, timeoutMs);
    sock.on("message", (msg) => {
      const m = /^SIP\/2\.0 (\d{3})/.exec(msg.toString("latin1"));
      if (!m) return;
      clearTimeout(timer);
      sock.close();
      done(Number(m[1]));
    });
    sock.bind(0, HOST, () => {
      const local = sock.address().port;
      const req =
        `OPTIONS sip:${HOST}:${port} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP ${HOST}:${local};branch=z9hG4bK${tag}\r\n` +
        `Max-Forwards: 70\r\n` +
        `From: <sip:probe@${HOST}>;tag=${tag}\r\n` +
        `To: <sip:${HOST}:${port}>\r\n` +
        `Call-ID: ${tag}@${HOST}\r\n` +
        `CSeq: 1 OPTIONS\r\n` +
        `Content-Length: 0\r\n\r\n`;
      sock.send(req, port, HOST);
    });
  });
}

export class Pbx {
  constructor(workdir) {
    this.workdir = workdir;
    this.dataDir = join(workdir, "data");
    this.logPath = join(workdir, "switchboard.log");
    this.binary = findBinary();
    this.proc = null;
  }

  static async start(workdir) {
    const pbx = new Pbx(workdir);
    mkdirSync(pbx.dataDir, { recursive: true });
    pbx.sipPort = await freePort();
    pbx.httpPort = await freePort();
    pbx.rtp = await portBlock(100);
    await pbx.#spawn();
    return pbx;
  }

  get sipAddr() {
    return `${HOST}:${this.sipPort}`;
  }

  /** The admin UI's address, as `serve` prints it. */
  get url() {
    return `http://${HOST}:${this.httpPort}`;
  }

  /** What a phone dials to reach `number` through this PBX. */
  uri(number) {
    return `sip:${number}@${this.sipAddr}`;
  }

  args() {
    return [
      "--data", this.dataDir,
      "serve",
      "--listen", this.sipAddr,
      "--rtp-ports", `${this.rtp[0]}-${this.rtp[1]}`,
      "--http", `${HOST}:${this.httpPort}`,
    ];
  }

  async #spawn() {
    const log = openSync(this.logPath, "a");
    this.proc = spawn(this.binary, this.args(), {
      cwd: this.workdir,
      stdio: ["ignore", log, log],
      env: { RUST_LOG: "debug", RUST_BACKTRACE: "1", ...process.env },
    });
    this.exited = new Promise((r) => this.proc.once("exit", (code, sig) => r(code ?? sig)));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`switchboard serve exited (${this.proc.exitCode ?? this.proc.signalCode}) before it was ready:\n${this.logTail()}`);
      }
      const api = await this.api("status", {}).then(() => true, () => false);
      if (api && (await sipOptions(this.sipPort)) === 200) return;
      await sleep(150);
    }
    throw new Error(`switchboard serve was not ready within ${READY_TIMEOUT_MS} ms (API at ${this.url}, SIP at ${this.sipAddr}):\n${this.logTail()}`);
  }

  /** Runs an API command over HTTP (for setting up what a test does not exercise in the page). */
  async api(command, request = {}) {
    const res = await fetch(`${this.url}/api/${command}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${command} → ${res.status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Stops and starts again on the same ports and data (a restart the owner would do). */
  async restart() {
    await this.stop();
    await this.#spawn();
  }

  async stop() {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill("SIGTERM");
    const done = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      p.kill("SIGKILL");
      await this.exited;
    }
  }

  logTail(n = 20_000) {
    try {
      return readFileSync(this.logPath, "utf8").slice(-n);
    } catch {
      return "(no log)";
    }
  }
}
