"""Tone generation and detection for the end-to-end tests.

Each phone sends a sine of its own frequency into the call and records what it
hears. A call "has audio both ways" when each recording is dominated by the
*other* phone's frequency and holds (almost) none of its own: that is what a
person would notice as "I can hear you", and it also catches a PBX that echoes a
phone's own audio back to it.

Detection uses the Goertzel algorithm on short blocks (pure Python; no numpy on
the test machines). Short blocks keep the measure robust against the small gaps
and phase jumps that jitter buffers and packet-loss concealment introduce.
"""

from __future__ import annotations

import math
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

# Length of one analysis block. 50 ms gives a 20 Hz main lobe, plenty to tell
# 440 Hz from 1000 Hz, and still tolerates the odd glitch between blocks.
BLOCK_S = 0.05


def write_sine_wav(path: Path, freq: float, rate: int = 8000, seconds: float = 1.0,
                   amplitude: float = 0.3, channels: int = 1) -> Path:
    """Writes a 16-bit PCM sine. `seconds * freq` should be whole so it loops cleanly."""
    frames = int(rate * seconds)
    peak = amplitude * 32767
    data = bytearray()
    for i in range(frames):
        v = int(round(peak * math.sin(2 * math.pi * freq * i / rate)))
        data += struct.pack("<h", v) * channels
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(data))
    return path


@dataclass
class Pcm:
    rate: int
    samples: list[float]  # mono, -1.0 .. 1.0

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def read_wav(path: Path) -> Pcm:
    """Reads a 16-bit PCM WAV, mixing channels down to mono.

    Parses the RIFF chunks itself instead of using `wave`, because a recorder
    that was killed (or is still writing) leaves a zero or bogus data size in the
    header; the data then simply runs to the end of the file.
    """
    raw = Path(path).read_bytes()
    if len(raw) < 12 or raw[0:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a RIFF/WAVE file ({len(raw)} bytes)")
    pos = 12
    fmt = None
    data = b""
    while pos + 8 <= len(raw):
        cid = raw[pos:pos + 4]
        size = struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", raw[body:body + 16])
        if cid == b"data":
            end = body + size
            if size == 0 or size == 0xFFFFFFFF or end > len(raw):
                end = len(raw)
            data = raw[body:end]
            break
        pos = body + size + (size & 1)
    if fmt is None:
        raise ValueError(f"{path}: no fmt chunk")
    audio_format, channels, rate, _, _, bits = fmt
    if audio_format not in (1, 0xFFFE) or bits != 16:
        raise ValueError(f"{path}: only 16-bit PCM is supported (format {audio_format}, {bits} bits)")
    frame = 2 * channels
    n = len(data) // frame
    ints = struct.unpack(f"<{n * channels}h", data[:n * frame])
    if channels == 1:
        samples = [v / 32768.0 for v in ints]
    else:
        samples = [sum(ints[i * channels:(i + 1) * channels]) / (channels * 32768.0) for i in range(n)]
    return Pcm(rate=rate, samples=samples)


def _goertzel(block: list[float], rate: int, freq: float) -> float:
    """Power of `freq` in `block`, scaled so a sine of amplitude A gives A²/2."""
    n = len(block)
    coeff = 2.0 * math.cos(2.0 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in block:
        s0 = x + coeff * s1 - s2
        s2 = s1
        s1 = s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return 2.0 * power / (n * n)


@dataclass
class ToneReport:
    """What a recording holds, as fractions of its total power."""

    path: str
    seconds: float  # analysed length
    rms: float  # full scale = 1.0
    fractions: dict[float, float]  # frequency -> share of total power (0..1)

    def fraction(self, freq: float) -> float:
        return self.fractions[float(freq)]

    def __str__(self) -> str:
        parts = ", ".join(f"{f:g} Hz: {v:.3f}" for f, v in sorted(self.fractions.items()))
        return f"{self.path}: {self.seconds:.2f} s analysed, rms {self.rms:.4f}; power share {parts}"


def analyse(path: Path, freqs: list[float], skip_s: float = 0.5, last_s: float | None = None) -> ToneReport:
    """Measures the share of total power at each of `freqs`.

    `skip_s` drops the start (ringback, codec start-up, jitter-buffer fill);
    `last_s`, when given, analyses only the final seconds of the recording.
    """
    pcm = read_wav(path)
    samples = pcm.samples[int(skip_s * pcm.rate):]
    if last_s is not None:
        samples = samples[-int(last_s * pcm.rate):]
    block = max(1, int(BLOCK_S * pcm.rate))
    blocks = [samples[i:i + block] for i in range(0, len(samples) - block + 1, block)]
    total = sum(x * x for b in blocks for x in b) / max(1, len(blocks) * block)
    fractions = {}
    for f in freqs:
        if not blocks or total <= 0:
            fractions[float(f)] = 0.0
            continue
        p = sum(_goertzel(b, pcm.rate, f) for b in blocks) / len(blocks)
        fractions[float(f)] = p / total
    return ToneReport(path=str(path), seconds=len(blocks) * block / max(1, pcm.rate),
                      rms=math.sqrt(total), fractions=fractions)


# Thresholds. A clean G.711 sine puts > 0.9 of its power at its frequency; a
# dropped packet or two costs a few percent. The absent tone must stay below
# 5 % (−13 dB), far above G.711 noise yet far below any real leak.
MIN_PRESENT = 0.5
MAX_ABSENT = 0.05
MIN_RMS = 0.01  # about −40 dBFS; silence and comfort noise sit well below
MIN_SECONDS = 0.5
# Neighbours must be this much weaker than the tone itself (spectral purity).
NEIGHBOUR_OFFSETS = (-150.0, 150.0)
NEIGHBOUR_MAX_RATIO = 0.1


def assert_hears(path: Path, expect_hz: float, absent_hz: float | list[float], skip_s: float = 0.5,
                 last_s: float | None = None) -> ToneReport:
    """Asserts the recording is dominated by `expect_hz` and lacks every `absent_hz`."""
    absent = [absent_hz] if isinstance(absent_hz, (int, float)) else list(absent_hz)
    neighbours = [expect_hz + d for d in NEIGHBOUR_OFFSETS]
    report = analyse(path, [expect_hz, *absent, *neighbours], skip_s=skip_s, last_s=last_s)
    assert report.seconds >= MIN_SECONDS, f"recording too short: {report}"
    assert report.rms >= MIN_RMS, f"recording is (nearly) silent: {report}"
    present = report.fraction(expect_hz)
    assert present >= MIN_PRESENT, f"expected {expect_hz:g} Hz tone not found: {report}"
    for f in absent:
        assert report.fraction(f) <= MAX_ABSENT, f"unexpected {f:g} Hz tone present: {report}"
    for n in neighbours:
        assert report.fraction(n) <= NEIGHBOUR_MAX_RATIO * present, f"{expect_hz:g} Hz is not a clean tone: {report}"
    return report
