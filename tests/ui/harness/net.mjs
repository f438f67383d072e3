// Free loopback ports for the PBX, its admin API and the phones' audio.

import dgram from "node:dgram";
import net from "node:net";

export const HOST = "127.0.0.1";

function bindUdp(port) {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.once("error", () => {
      s.close();
      resolve(false);
    });
    s.bind(port, HOST, () => {
      const got = s.address().port;
      s.close(() => resolve(got));
    });
  });
}

function bindTcp(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, HOST, () => {
      const got = s.address().port;
      s.close(() => resolve(got));
    });
  });
}

const used = new Set();

/** A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both). */
export async function freePort() {
  for (let i = 0; i < 200; i++) {
    const port = await bindUdp(0);
    if (!port || used.has(port)) continue;
    if (await bindTcp(port)) {
      used.add(port);
      return port;
    }
  }
  throw new Error("no free UDP+TCP port on 127.0.0.1");
}

// Blocks start at a pid-derived offset so parallel runs rarely collide; each is probed.
let nextBlock = 30000 + ((process.pid * 53) % 200) * 100;

/** A range [lo, hi] of `size` UDP ports, all bindable now and not handed out before. */
export async function portBlock(size = 100) {
  for (let i = 0; i < 400; i++) {
    const lo = nextBlock;
    nextBlock += size;
    if (nextBlock + size > 60000) nextBlock = 30000;
    const hi = lo + size - 1;
    let ok = true;
    for (const p of [lo, lo + 1, (lo + hi) >> 1, hi - 1, hi]) {
      if (used.has(p) || !(await bindUdp(p))) {
        ok = false;
        break;
      }
    }
    if (ok) {
      for (let p = lo; p <= hi; p++) used.add(p);
      return [lo, hi];
    }
  }
  throw new Error("no free RTP port block");
}
