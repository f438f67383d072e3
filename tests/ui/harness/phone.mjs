// A pjsua2 softphone in a child process, driven over JSON lines on stdin/stdout by the
// end-to-end tests' worker (tests/e2e/harness/pj_worker.py):
//   request  {"id": 1, "cmd": "make_call", "args": {"uri": "sip:..."}}
//   reply    {"id": 1, "ok": true, "result": ...} or {"id": 1, "ok": false, "error": "..."}
//   event    {"event": {"type": "reg"|"incoming"|"state"|"media"|..., ...}}

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { portBlock } from "./net.mjs";
import { REPO } from "./pbx.mjs";

const WORKER = join(REPO, "tests/e2e/harness/pj_worker.py");
const REPLY_TIMEOUT_MS = 15_000;

/** The Python that has pjsua2: $PYTHON, the end-to-end tests' venv, else python3. */
export function findPython() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(REPO, "tests/e2e/.venv/bin/python");
  return existsSync(venv) ? venv : "python3";
}

/** A 16-bit mono PCM sine WAV (the worker plays it into calls). */
function writeSineWav(path, freq, rate = 16000, seconds = 1) {
  const frames = rate * seconds;
  const buf = Buffer.alloc(44 + frames * 2);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + frames * 2, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(frames * 2, 40);
  for (let i = 0; i < frames; i++) {
    buf.writeInt16LE(Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * freq * i) / rate)), 44 + i * 2);
  }
  writeFileSync(path, buf);
  return path;
}

export class PjPhone {
  constructor(workdir, name) {
    this.name = name;
    this.workdir = join(workdir, `pjsua2-${name}`);
    mkdirSync(this.workdir, { recursive: true });
    this.events = [];
    this.replies = new Map();
    this.waiters = new Set();
    this.nextId = 0;
    this.callStart = 0;
  }

  /** Starts the worker and its SIP transport on an ephemeral UDP port of 127.0.0.1. */
  static async start(workdir, name, toneHz = 440) {
    const phone = new PjPhone(workdir, name);
    const stderr = openSync(join(phone.workdir, "worker.stderr"), "a");
    phone.proc = spawn(findPython(), [WORKER], {
      cwd: phone.workdir,
      stdio: ["pipe", "pipe", stderr],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    phone.exited = new Promise((r) => phone.proc.once("exit", r));
    phone.proc.once("exit", () => phone.#notify());
    createInterface({ input: phone.proc.stdout }).on("line", (line) => phone.#onLine(line));
    const tone = writeSineWav(join(phone.workdir, `tone-${toneHz}.wav`), toneHz);
    const [lo, hi] = await portBlock(40);
    const started = await phone.cmd("start", {
      tone_wav: tone,
      record_dir: phone.workdir,
      log_file: join(phone.workdir, "pjsua.log"),
      transport: "udp",
      rtp_port: lo,
      rtp_range: hi - lo,
    });
    phone.port = started.port;
    return phone;
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  #onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.event) this.events.push({ ...msg.event, t: Date.now() });
    else this.replies.set(msg.id, msg);
    this.#notify();
  }

  #notify() {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `check()` returns a value (re-checked on every message), or rejects at the deadline. */
  #waitUntil(check, timeoutMs, describe) {
    return new Promise((resolve, reject) => {
      const done = (fn) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        fn();
      };
      const poll = () => {
        let v;
        try {
          v = check();
        } catch (err) {
          done(() => reject(err));
          return;
        }
        if (v !== undefined) done(() => resolve(v));
        else if (!this.alive()) done(() => reject(new Error(`${this.name}: worker exited while waiting for ${describe()}\n${this.logText()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${describe()}`))), timeoutMs);
      this.waiters.add(poll);
      poll();
    });
  }

  /** Sends a command to the worker and waits for its reply. */
  async cmd(cmd, args = {}, timeoutMs = REPLY_TIMEOUT_MS) {
    const id = ++this.nextId;
    this.proc.stdin.write(JSON.stringify({ id, cmd, args }) + "\n");
    const reply = await this.#waitUntil(
      () => {
        const r = this.replies.get(id);
        if (r) this.replies.delete(id);
        return r;
      },
      timeoutMs,
      () => `the reply to ${cmd}`,
    );
    if (!reply.ok) throw new Error(`${this.name}: ${cmd} failed: ${reply.error}`);
    return reply.result;
  }

  /** The first event from `since` on matching `pred`. */
  waitFor(pred, { timeoutMs = 10_000, since = 0, what = "an event" } = {}) {
    return this.#waitUntil(
      () => this.events.slice(since).find(pred),
      timeoutMs,
      () => `${what}; events since: ${JSON.stringify(this.events.slice(since).slice(-10))}`,
    );
  }

  /** Registers `user` at `registrar` ("127.0.0.1:5060"); resolves with the final status code. */
  async register(registrar, user, password) {
    const since = this.events.length;
    this.user = user;
    await this.cmd("account", { user, domain: registrar, password, registrar, expires: 300 });
    const ev = await this.waitFor((e) => e.type === "reg" && !(e.code >= 100 && e.code < 200), {
      since,
      what: "a final REGISTER response",
    });
    return ev.code;
  }

  async call(uri) {
    this.callStart = this.events.length;
    await this.cmd("make_call", { uri });
  }

  async waitIncoming() {
    const ev = await this.waitFor((e) => e.type === "incoming", { since: this.callStart, what: "an incoming call" });
    this.callStart = this.events.indexOf(ev);
    return ev;
  }

  waitState(state, timeoutMs = 10_000) {
    return this.waitFor((e) => e.type === "state" && e.state === state, {
      since: this.callStart,
      timeoutMs,
      what: `call state ${state}`,
    });
  }

  answer() {
    return this.cmd("answer", { code: 200 });
  }

  hangup() {
    return this.cmd("hangup");
  }

  async close() {
    if (this.alive()) {
      try {
        await this.cmd("shutdown", {}, 5000);
      } catch {
        // killed below
      }
      const gone = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      if (!gone) {
        this.proc.kill("SIGKILL");
        await this.exited;
      }
    }
  }

  logText() {
    const tail = (p, n) => {
      try {
        return readFileSync(p, "utf8").slice(-n);
      } catch {
        return "";
      }
    };
    return `--- ${this.name} worker stderr ---\n${tail(join(this.workdir, "worker.stderr"), 4000)}\n--- pjsua log (tail) ---\n${tail(join(this.workdir, "pjsua.log"), 8000)}`;
  }
}
