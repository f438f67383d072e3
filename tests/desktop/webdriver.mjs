// A small W3C WebDriver client: just the calls the desktop smoke test makes, over fetch.
// tauri-driver speaks this protocol and forwards it to WebKitWebDriver, which drives the
// app's real WebKitGTK window.

import { spawn } from "node:child_process";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {}

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    throw new WebDriverError(`${method} ${url}: ${res.status} ${v.error ?? ""} ${v.message ?? ""}`.trim());
  }
  return json.value;
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts the app named in `capabilities` and returns a session driving its window. */
  static async start(driverUrl, capabilities) {
    const value = await call("POST", `${driverUrl}/session`, { capabilities: { alwaysMatch: capabilities } });
    return new Session(driverUrl, value.sessionId);
  }

  url(path) {
    return `${this.base}/session/${this.id}${path}`;
  }

  async end() {
    await call("DELETE", this.url(""));
  }

  /** The element, or null when none matches yet. */
  async find(using, value) {
    try {
      const v = await call("POST", this.url("/element"), { using, value });
      return v[ELEMENT];
    } catch (e) {
      if (e instanceof WebDriverError && /no such element/.test(e.message)) return null;
      throw e;
    }
  }

  css(selector) {
    return this.find("css selector", selector);
  }

  xpath(expr) {
    return this.find("xpath", expr);
  }

  click(el) {
    return call("POST", this.url(`/element/${el}/click`), {});
  }

  clear(el) {
    return call("POST", this.url(`/element/${el}/clear`), {});
  }

  type(el, text) {
    return call("POST", this.url(`/element/${el}/value`), { text });
  }

  text(el) {
    return call("GET", this.url(`/element/${el}/text`));
  }

  property(el, name) {
    return call("GET", this.url(`/element/${el}/property/${name}`));
  }

  title() {
    return call("GET", this.url("/title"));
  }

  /** Runs `script` in the page; it ends by calling its last argument with the result. */
  executeAsync(script, args = []) {
    return call("POST", this.url("/execute/async"), { script, args });
  }

  /** The app's windows (WebDriver handles); the main window is the first. */
  windowHandles() {
    return call("GET", this.url("/window/handles"));
  }

  /** Drives window `handle` from now on. */
  switchToWindow(handle) {
    return call("POST", this.url("/window"), { handle });
  }

  /**
   * The virtual display as a PNG (ImageMagick's `import`; empty when it is missing). Not
   * WebDriver's screenshot: WebKitWebDriver takes it through the web process's
   * accelerated-compositing snapshot, which never answers now that the app turns
   * compositing off to save memory, and a hung request blocks every later command.
   */
  async screenshot() {
    return new Promise((resolve) => {
      const chunks = [];
      const child = spawn("import", ["-window", "root", "png:-"], { stdio: ["ignore", "pipe", "ignore"] });
      child.stdout.on("data", (d) => chunks.push(d));
      child.on("error", () => resolve(Buffer.alloc(0)));
      child.on("exit", (code) => resolve(code === 0 ? Buffer.concat(chunks) : Buffer.alloc(0)));
    });
  }
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor(what, probe, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
