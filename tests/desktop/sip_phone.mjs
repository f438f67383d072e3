// Just enough of a SIP phone to log in: REGISTER over UDP, answering the PBX's digest
// challenge (RFC 3261 §22.4, RFC 8760 for SHA-256) with the extension's password.

import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

const hex = (n) => randomBytes(n).toString("hex");

function header(message, name) {
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, "gim");
  return [...message.matchAll(re)].map((m) => m[1].trim());
}

function params(challenge) {
  const out = {};
  for (const m of challenge.replace(/^Digest\s+/i, "").matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]+))/g)) {
    out[m[1].toLowerCase()] = m[2] ?? m[3];
  }
  return out;
}

/** The challenge we can answer, preferring MD5 (what most desk phones speak). */
function pickChallenge(challenges) {
  const parsed = challenges.map(params);
  const algo = (p) => (p.algorithm ?? "MD5").toUpperCase();
  return parsed.find((p) => algo(p) === "MD5") ?? parsed.find((p) => algo(p) === "SHA-256");
}

function digest(c, { user, password, uri }) {
  const algo = (c.algorithm ?? "MD5").toUpperCase() === "SHA-256" ? "sha256" : "md5";
  const h = (s) => createHash(algo).update(s).digest("hex");
  const ha1 = h(`${user}:${c.realm}:${password}`);
  const ha2 = h(`REGISTER:${uri}`);
  const fields = [`username="${user}"`, `realm="${c.realm}"`, `nonce="${c.nonce}"`, `uri="${uri}"`];
  let response;
  if (c.qop && c.qop.split(",").map((q) => q.trim()).includes("auth")) {
    const cnonce = hex(8);
    response = h(`${ha1}:${c.nonce}:00000001:${cnonce}:auth:${ha2}`);
    fields.push("qop=auth", "nc=00000001", `cnonce="${cnonce}"`);
  } else {
    response = h(`${ha1}:${c.nonce}:${ha2}`);
  }
  fields.push(`response="${response}"`, `algorithm=${c.algorithm ?? "MD5"}`);
  if (c.opaque) fields.push(`opaque="${c.opaque}"`);
  return `Digest ${fields.join(", ")}`;
}

/**
 * Registers `user` with `password` at the PBX on 127.0.0.1:`port`; resolves with the final
 * status code (200 when the password was right). The socket stays open (the phone stays
 * reachable) until `close()`.
 */
export async function register({ port, user, password, timeoutMs = 10_000 }) {
  const socket = createSocket("udp4");
  await new Promise((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const local = socket.address().port;
  const uri = `sip:127.0.0.1:${port}`;
  const callId = `${hex(8)}@127.0.0.1`;
  const fromTag = hex(4);

  const request = (cseq, authorization) =>
    [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${hex(8)};rport`,
      "Max-Forwards: 70",
      `From: <sip:${user}@127.0.0.1>;tag=${fromTag}`,
      `To: <sip:${user}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${user}@127.0.0.1:${local}>`,
      "Expires: 300",
      "User-Agent: desktop-smoke-test",
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");

  const finalResponse = (cseq) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off("message", onMessage);
        reject(new Error(`no final response to REGISTER (CSeq ${cseq})`));
      }, timeoutMs);
      function onMessage(buf) {
        const text = buf.toString("utf8");
        const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]);
        if (!status || status < 200 || !header(text, "CSeq").some((v) => v.startsWith(`${cseq} `))) return;
        clearTimeout(timer);
        socket.off("message", onMessage);
        resolve({ status, text });
      }
      socket.on("message", onMessage);
      socket.send(request(cseq, authorizationFor.get(cseq)), port, "127.0.0.1");
    });
  const authorizationFor = new Map();

  let answer = await finalResponse(1);
  if (answer.status === 401) {
    const challenge = pickChallenge(header(answer.text, "WWW-Authenticate"));
    if (!challenge) throw new Error("the PBX offered no digest algorithm this phone speaks");
    authorizationFor.set(2, digest(challenge, { user, password, uri }));
    answer = await finalResponse(2);
  }
  return { status: answer.status, close: () => socket.close() };
}
