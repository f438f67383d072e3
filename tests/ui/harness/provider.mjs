// The simulated SIP trunk provider (tests/e2e/harness/provider.py) in a child process,
// driven over JSON lines by tests/e2e/harness/provider_worker.py: a digest registrar the
// PBX signs in to, and a caller that rings the PBX's registered contact as "Jane Doe".

import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO } from "./pbx.mjs";
import { findPython } from "./phone.mjs";

const WORKER = join(REPO, "tests/e2e/harness/provider_worker.py");
const REPLY_SLACK_MS = 5_000;

export class SimProvider {
  constructor(workdir, name) {
    this.name = name;
    this.workdir = join(workdir, name);
    mkdirSync(this.workdir, { recursive: true });
    this.replies = new Map();
    this.waiters = new Set();
    this.nextId = 0;
  }

  /** Starts the provider on a free loopback port with these credentials. */
  static async start(workdir, { name = "provider", username = "acme", password = "s3cret", host = "127.0.0.3" } = {}) {
    const p = new SimProvider(workdir, name);
    const stderr = openSync(join(p.workdir, "worker.stderr"), "a");
    p.proc = spawn(findPython(), [WORKER], {
      cwd: p.workdir,
      stdio: ["pipe", "pipe", stderr],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    p.exited = new Promise((r) => p.proc.once("exit", r));
    p.proc.once("exit", () => p.#notify());
    createInterface({ input: p.proc.stdout }).on("line", (line) => {
      try {
        const msg = JSON.parse(line);
        p.replies.set(msg.id, msg);
      } catch {
        return;
      }
      p.#notify();
    });
    const started = await p.cmd("start", { workdir, name, username, password, host });
    p.port = started.port;
    p.addr = started.addr;
    p.host = started.host;
    p.username = username;
    p.password = password;
    return p;
  }

  #notify() {
    for (const w of [...this.waiters]) w();
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Runs a worker command; its own waits have `timeout` seconds, the reply a little more. */
  cmd(cmd, args = {}) {
    const id = ++this.nextId;
    const limitMs = (args.timeout ?? 20) * 1000 + REPLY_SLACK_MS;
    this.proc.stdin.write(JSON.stringify({ id, cmd, args }) + "\n");
    return new Promise((resolve, reject) => {
      const done = (fn) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        fn();
      };
      const poll = () => {
        const r = this.replies.get(id);
        if (r) {
          this.replies.delete(id);
          done(() => (r.ok ? resolve(r.result) : reject(new Error(`${this.name}: ${cmd} failed: ${r.error}`))));
        } else if (!this.alive()) {
          done(() => reject(new Error(`${this.name}: worker exited during ${cmd}\n${this.logText()}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no reply to ${cmd} within ${limitMs} ms`))), limitMs);
      this.waiters.add(poll);
      poll();
    });
  }

  waitBinding(timeout = 20) {
    return this.cmd("wait_binding", { timeout });
  }

  /** Calls `number` at the PBX's registered contact; resolves with the call's id. */
  async call(number, { display = "Jane Doe", caller = "+447700900123", target = null } = {}) {
    return (await this.cmd("call", { number, display, caller, target })).call;
  }

  async close() {
    if (this.alive()) {
      await this.cmd("shutdown", { timeout: 5 }).catch(() => {});
      const gone = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      if (!gone) {
        this.proc.kill("SIGKILL");
        await this.exited;
      }
    }
  }

  logText() {
    const tail = (file, n) => {
      try {
        return readFileSync(join(this.workdir, file), "utf8").slice(-n);
      } catch {
        return "";
      }
    };
    return (
      `--- ${this.name} worker stderr ---\n${tail("worker.stderr", 4000)}\n` +
      `--- ${this.name} SIP log (tail) ---\n${tail("sip.log", 12000)}`
    );
  }
}
