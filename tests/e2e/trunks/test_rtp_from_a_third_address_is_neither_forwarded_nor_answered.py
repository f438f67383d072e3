"""RTP from an address the signalling never named is dropped by the relay (no "RTP bleed").

During an answered provider call, a third party on 127.0.0.9 sends a tone of its
own to the relay port the PBX gave the provider. Neither party of the call hears
that tone, and nothing comes back to the third address: the relay neither
forwards nor answers, and its latch stays on the provider.
"""

import socket
import struct
import threading
import time

from harness.business import SALES_NUMBER, sales_office
from harness.calls import PJ_TONE, TALK_S
from harness.provider import PROVIDER_TONE
from harness.rtp import FRAME, PCMU, ulaw_frames
from harness.tones import assert_hears

INJECTED_TONE = 1800
THIRD_ADDRESS = "127.0.0.9"


class Injector:
    """Sends 20 ms PCMU frames of `INJECTED_TONE` from the third address; counts what comes back."""

    def __init__(self, remote: tuple[str, int]):
        self.remote = remote
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((THIRD_ADDRESS, 0))
        self.sock.settimeout(0.1)
        self.sent = 0
        self.answers: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, daemon=True),
                         threading.Thread(target=self._receive, daemon=True)]
        for t in self._threads:
            t.start()

    def _send(self) -> None:
        frames = ulaw_frames(INJECTED_TONE, amplitude=0.6)
        seq, ts = 1, 1000
        while not self._stop.is_set():
            header = struct.pack("!BBHII", 0x80, PCMU, seq, ts, 0x5EC0FFEE)
            self.sock.sendto(header + frames[seq % len(frames)], self.remote)
            self.sent += 1
            seq, ts = seq + 1, ts + FRAME
            time.sleep(0.02)

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                _, src = self.sock.recvfrom(2048)
            except (socket.timeout, OSError):
                continue
            self.answers.append(src)

    def close(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)
        self.sock.close()


def test_rtp_from_a_third_address_reaches_neither_phone_and_gets_no_answer(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    sales_office(office, provider, members=["1001"])

    call = provider.call(SALES_NUMBER)
    alice.wait_incoming()
    alice.answer()
    call.wait_answered()
    alice.wait_state("confirmed")
    relay = call.audio.remote
    assert relay is not None, "the PBX's answer carried no audio address"

    injector = Injector(relay)
    try:
        time.sleep(TALK_S)
    finally:
        injector.close()
    call.hangup()
    alice.wait_disconnected()

    assert injector.sent > 20, f"only {injector.sent} packets were injected"
    assert not injector.answers, f"the relay answered the third address from {injector.answers}"
    assert THIRD_ADDRESS not in {host for host, _ in call.audio.sources}, call.audio
    # The call itself still carries both tones, and nobody hears the injected one.
    call.assert_hears(PJ_TONE, [PROVIDER_TONE, INJECTED_TONE])
    assert_hears(alice.last_recording(), PROVIDER_TONE, [PJ_TONE, INJECTED_TONE])
