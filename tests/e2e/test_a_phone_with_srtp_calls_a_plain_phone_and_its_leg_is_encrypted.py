"""SRTP with SDES keys (RFC 3711, RFC 4568): a pjsua2 phone that takes nothing but RTP/SAVP,
signalling over TLS, calls a plain-RTP baresip phone through the PBX. Tones go both ways;
on the wire the encrypted phone's packets carry no tone (their payload is not the G.711 of
either tone) while the plain leg's do, so the relay decrypts one leg into the other."""

from __future__ import annotations

import math
import socket
import sqlite3
import struct
import threading
import time

import pytest

from harness.calls import BARESIP_TONE, PJ_TONE, PJ_TONE_2, TALK_S, assert_two_way_audio, connect
from harness.pbx import Pbx
from test_phones_register_over_tls_and_call_through_the_pbx import TlsPbx

ETH_P_ALL = 3
G711_FRAME = 160
SRTP_80_TAG = 10


def _ulaw(byte: int) -> int:
    byte = ~byte & 0xFF
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    sample = ((mantissa << 3) + 0x84) << exponent
    sample -= 0x84
    return -sample if sign else sample


def tone_share(payload: bytes, hz: float, rate: int = 8000) -> float:
    """The share of a μ-law frame's power at `hz` (Goertzel): near 1 for a pure tone,
    near 0 for noise such as an encrypted payload."""
    samples = [_ulaw(b) for b in payload]
    coeff = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    total = sum(x * x for x in samples) * len(samples) / 2
    return power / total if total else 0.0


class LoopbackCapture:
    """Every UDP datagram on the loopback interface (needs CAP_NET_RAW, as root in CI)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.payloads: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                frame, meta = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            if meta[2] == socket.PACKET_OUTGOING:
                continue  # each loopback datagram shows once going out and once coming in
            ip = frame[14:]
            if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_UDP:
                continue
            header = (ip[0] & 0x0F) * 4
            self.payloads.append(bytes(ip[header + 8:]))

    def stop(self) -> list[bytes]:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()
        return self.payloads


def pcmu_rtp(datagram: bytes, tail: int) -> bytes | None:
    """The 160-byte payload of a PCMU RTP packet with `tail` bytes after it, else None."""
    if len(datagram) != 12 + G711_FRAME + tail or datagram[0] >> 6 != 2 or datagram[1] & 0x7F != 0:
        return None
    return datagram[12:12 + G711_FRAME]


@pytest.fixture
def tls_pbx(switchboard_bin, tmp_path):
    p = TlsPbx(switchboard_bin, tmp_path / "pbx")
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def test_an_srtp_only_phone_over_tls_calls_a_plain_phone_with_tones_both_ways(tls_pbx, phones):
    alice = phones.pj("alice", tone_hz=PJ_TONE, transport="tls", tls_ca=str(tls_pbx.cert_path),
                      srtp="mandatory", codecs=["PCMU/"])
    alice.register(tls_pbx.tls_addr, "1001", tls_pbx.ext["1001"].password, display="Alice")
    assert alice.wait_registration() == 200, alice.last_reg
    bob = phones.baresip_registered(tls_pbx, "1002", tone_hz=BARESIP_TONE)

    capture = LoopbackCapture()
    connect(alice, bob, f"sip:1002@{tls_pbx.tls_addr};transport=tls")
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    bob.wait_disconnected()
    datagrams = capture.stop()
    assert_two_way_audio(alice, bob)

    log = alice.log_text()
    assert "RTP/SAVP" in log and "a=crypto:" in log, "alice's call was not SRTP"

    tones = (PJ_TONE, BARESIP_TONE)
    encrypted = [p for d in datagrams if (p := pcmu_rtp(d, SRTP_80_TAG)) is not None]
    plain = [p for d in datagrams if (p := pcmu_rtp(d, 0)) is not None]
    # Alice's leg both ways: SRTP packets, none of which carries either tone.
    assert len(encrypted) > 100, f"{len(encrypted)} SRTP packets of {len(datagrams)} datagrams"
    toned = [p for p in encrypted if max(tone_share(p, hz) for hz in tones) > 0.3]
    assert not toned, f"{len(toned)} of {len(encrypted)} SRTP payloads are plain tone"
    # Bob's leg: plain G.711 carrying alice's tone (decrypted by the relay) and bob's own.
    assert any(tone_share(p, PJ_TONE) > 0.5 for p in plain), "alice's tone never reached the plain leg"
    assert any(tone_share(p, BARESIP_TONE) > 0.5 for p in plain), "bob's tone not on the plain leg"


def require_srtp(pbx, required: str, keys_over_plain_signalling: bool) -> None:
    """Saves the owner's SRTP rules (the rows the Settings page writes) before the PBX starts."""
    db = sqlite3.connect(pbx.data_dir / "switchboard.db")
    with db:
        for key, value in (("srtp_required", required),
                           ("srtp_keys_over_plain_signalling", "true" if keys_over_plain_signalling else "false")):
            db.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
    db.close()


def test_where_srtp_is_required_a_plain_phone_is_refused_and_an_srtp_phone_gets_through(
        switchboard_bin, tmp_path, phones):
    pbx = Pbx(switchboard_bin, tmp_path / "pbx")
    pbx.add_extension("1001", "Alice")
    pbx.add_extension("1002", "Bob")
    pbx.add_extension("1003", "Carol")
    # Every phone must encrypt; keys over UDP allowed on this test bench (RFC 4568 §8.3).
    require_srtp(pbx, "all", keys_over_plain_signalling=True)
    pbx.start()
    try:
        alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE, srtp="mandatory", codecs=["PCMU/"])
        bob = phones.baresip_registered(pbx, "1002", tone_hz=BARESIP_TONE)
        carol = phones.pj_registered(pbx, "1003", tone_hz=PJ_TONE_2, srtp="mandatory", codecs=["PCMU/"])

        # Bob offers plain RTP: 488 Not Acceptable Here, alice never rings.
        bob.call(pbx.uri("1001"))
        assert bob.wait_disconnected() == 488
        # Bob is offered SRTP too, refuses it, and is not called again with plain RTP.
        alice.call(pbx.uri("1002"))
        assert alice.wait_disconnected() in (480, 488)

        connect(alice, carol, pbx.uri("1003"))
        time.sleep(TALK_S)
        alice.hangup()
        alice.wait_disconnected()
        carol.wait_disconnected()
        assert_two_way_audio(alice, carol)
    finally:
        pbx.stop()
