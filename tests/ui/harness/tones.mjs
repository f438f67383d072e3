// What a phone heard: its recording read as PCM and the share of the power at a few
// frequencies (Goertzel over 50 ms blocks), as the end-to-end tests' tones.py measures it.

import { readFileSync } from "node:fs";

/** Samples (−1..1) and rate of a 16-bit PCM WAV; the first channel when there are more. */
export function readWav(path) {
  const buf = readFileSync(path);
  let rate = 8000;
  let channels = 1;
  let bits = 16;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = buf.toString("ascii", at, at + 4);
    const len = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === "fmt ") {
      channels = buf.readUInt16LE(body + 2);
      rate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === "data") {
      if (bits !== 16) throw new Error(`${path}: ${bits}-bit audio is not read here`);
      // A recorder still open has not written the length yet: read what is there.
      const end = len > 0 ? Math.min(buf.length, body + len) : buf.length;
      const step = 2 * channels;
      const samples = [];
      for (let i = body; i + 1 < end; i += step) samples.push(buf.readInt16LE(i) / 32768);
      return { rate, samples };
    }
    at = body + len + (len % 2);
  }
  throw new Error(`${path}: no audio data`);
}

function goertzel(block, rate, freq) {
  const k = Math.round((block.length * freq) / rate);
  const coeff = 2 * Math.cos((2 * Math.PI * k) / block.length);
  let s1 = 0;
  let s2 = 0;
  for (const x of block) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2)) / (block.length * block.length);
}

/** Share of the recording's power at each of `freqs` after `skipS` seconds, and its RMS. */
export function toneShares(path, freqs, skipS = 0.3) {
  const { rate, samples } = readWav(path);
  const rest = samples.slice(Math.floor(skipS * rate));
  const size = Math.max(1, Math.floor(0.05 * rate));
  const blocks = [];
  for (let i = 0; i + size <= rest.length; i += size) blocks.push(rest.slice(i, i + size));
  const total = blocks.reduce((sum, b) => sum + b.reduce((s, x) => s + x * x, 0), 0) / Math.max(1, blocks.length * size);
  const shares = {};
  for (const f of freqs) {
    shares[f] = blocks.length && total > 0 ? blocks.reduce((s, b) => s + goertzel(b, rate, f), 0) / blocks.length / total : 0;
  }
  return { rms: Math.sqrt(total), seconds: (blocks.length * size) / rate, shares };
}
