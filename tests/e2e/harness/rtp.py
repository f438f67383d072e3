"""A G.711 µ-law RTP endpoint for the simulated provider: plays a sine, records what arrives.

`RtpTone` owns one UDP socket (symmetric RTP: it sends from the port it
advertised, so a PBX that latches onto the source finds it). A sender thread
emits 20 ms PCMU frames of its tone once a remote address is known; a receiver
thread decodes every PCMU (and PCMA) packet that arrives while recording is on.
`save_wav` writes what was heard so `tones.assert_hears` can judge it, the same
detector the phones' recordings go through.
"""

from __future__ import annotations

import math
import random
import socket
import struct
import threading
import time
import wave
from pathlib import Path

from . import net

RATE = 8000
FRAME = 160  # 20 ms at 8 kHz
PCMU = 0
PCMA = 8


def _ulaw_encode(sample: int) -> int:
    """ITU-T G.711 µ-law of a 16-bit sample."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    if sample < 0:
        sample = -sample
    sample = min(sample, clip) + bias
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _ulaw_decode(byte: int) -> int:
    byte = ~byte & 0xFF
    sign = byte & 0x80
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return -magnitude if sign else magnitude


def _alaw_decode(byte: int) -> int:
    byte ^= 0x55
    sign = byte & 0x80
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    if exponent == 0:
        magnitude = (mantissa << 4) + 8
    else:
        magnitude = ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if sign else -magnitude


ULAW_DECODE = [_ulaw_decode(b) for b in range(256)]
ALAW_DECODE = [_alaw_decode(b) for b in range(256)]


def ulaw_frames(freq: float, amplitude: float = 0.3) -> list[bytes]:
    """One second of a sine as 50 µ-law frames (whole cycles when freq is whole, so it loops)."""
    peak = amplitude * 32767
    samples = [_ulaw_encode(int(round(peak * math.sin(2 * math.pi * freq * i / RATE)))) for i in range(RATE)]
    return [bytes(samples[i:i + FRAME]) for i in range(0, RATE, FRAME)]


class RtpTone:
    """Sends `tone_hz` as PCMU to the remote address; records decoded audio that arrives."""

    def __init__(self, tone_hz: float, host: str = net.HOST):
        self.tone_hz = float(tone_hz)
        self.host = host
        lo, _ = net.port_block(2)
        self.port = lo
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, self.port))
        self.sock.settimeout(0.2)
        self.remote: tuple[str, int] | None = None
        self.frames = ulaw_frames(self.tone_hz)
        self.samples: list[int] = []
        self.recording = False
        self.packets_in = 0
        self.packets_out = 0
        self.payload_types: dict[int, int] = {}
        self.sources: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._send_on = threading.Event()
        self._rx = threading.Thread(target=self._receive, name=f"rtp-rx-{self.port}", daemon=True)
        self._tx = threading.Thread(target=self._send, name=f"rtp-tx-{self.port}", daemon=True)
        self._rx.start()
        self._tx.start()

    def start(self, remote: tuple[str, int]) -> None:
        """Starts sending to `remote` and recording what arrives."""
        with self._lock:
            self.remote = remote
            self.samples = []
            self.recording = True
        self._send_on.set()

    def stop(self) -> None:
        """Stops sending and recording (the socket stays open until `close`)."""
        self._send_on.clear()
        with self._lock:
            self.recording = False

    def close(self) -> None:
        self.stop()
        self._stop.set()
        self._send_on.set()
        self._tx.join(timeout=2)
        self._rx.join(timeout=2)
        self.sock.close()

    def _send(self) -> None:
        seq = random.randrange(1 << 16)
        ts = random.randrange(1 << 32)
        ssrc = random.randrange(1 << 32)
        first = True
        i = 0
        next_at = time.monotonic()
        while not self._stop.is_set():
            if not self._send_on.is_set():
                self._send_on.wait(0.2)
                next_at = time.monotonic()
                continue
            remote = self.remote
            if remote is None:
                continue
            header = struct.pack("!BBHII", 0x80, (0x80 if first else 0) | PCMU, seq, ts, ssrc)
            try:
                self.sock.sendto(header + self.frames[i % len(self.frames)], remote)
                self.packets_out += 1
            except OSError:
                pass
            first = False
            seq = (seq + 1) & 0xFFFF
            ts = (ts + FRAME) & 0xFFFFFFFF
            i += 1
            next_at += FRAME / RATE
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.monotonic()  # fell behind (loaded machine): don't burst

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data, src = self.sock.recvfrom(2048)
            except (socket.timeout, OSError):
                continue
            if len(data) < 12 or data[0] >> 6 != 2:
                continue  # not RTP (RTCP lands on the next port, but be safe)
            pt = data[1] & 0x7F
            if 72 <= pt <= 76:
                continue  # RFC 5761: RTCP multiplexed on the RTP port
            offset = 12 + 4 * (data[0] & 0x0F)
            if data[0] & 0x10 and len(data) >= offset + 4:  # header extension
                offset += 4 + 4 * struct.unpack("!H", data[offset + 2:offset + 4])[0]
            payload = data[offset:]
            if data[0] & 0x20 and payload:  # padding
                payload = payload[:-payload[-1]]
            with self._lock:
                self.packets_in += 1
                self.payload_types[pt] = self.payload_types.get(pt, 0) + 1
                self.sources.add(src)
                if not self.recording:
                    continue
                if pt == PCMU:
                    self.samples.extend(ULAW_DECODE[b] for b in payload)
                elif pt == PCMA:
                    self.samples.extend(ALAW_DECODE[b] for b in payload)

    def save_wav(self, path: Path) -> Path:
        """Writes what was heard while recording as 8 kHz 16-bit mono."""
        with self._lock:
            samples = list(self.samples)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
        return Path(path)

    def __str__(self) -> str:
        return (f"rtp {self.host}:{self.port} → {self.remote}: {self.packets_out} sent, {self.packets_in} received "
                f"(payload types {self.payload_types}, from {sorted(self.sources)})")
