"""An INVITE flood at 500 a second from 127.0.0.5 (new calls to unknown numbers, each with
its own Call-ID) gets that address banned, and a phone on 127.0.0.1 places ten calls
through it, all answered, the first with tones both ways."""

import socket
import threading
import time
import uuid

from harness.calls import PJ_TONE_2, assert_two_way_audio, connect, talk_and_hang_up

FLOODER = "127.0.0.5"
RATE = 500
CALLS = 10


def flood(port: int, stop: threading.Event, sent: list[int]) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((FLOODER, 0))
    local = s.getsockname()[1]
    start = time.monotonic()
    n = 0
    while not stop.is_set():
        call = uuid.uuid4().hex
        msg = (f"INVITE sip:{9000 + n % 1000}@127.0.0.1 SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {FLOODER}:{local};branch=z9hG4bK{call};rport\r\n"
               f"Max-Forwards: 70\r\nFrom: <sip:x@{FLOODER}>;tag={call[:8]}\r\n"
               f"To: <sip:{9000 + n % 1000}@127.0.0.1>\r\nCall-ID: {call}\r\nCSeq: 1 INVITE\r\n"
               f"Contact: <sip:x@{FLOODER}:{local}>\r\nContent-Length: 0\r\n\r\n").encode()
        try:
            s.sendto(msg, ("127.0.0.1", port))
        except OSError:
            pass
        n += 1
        # Pace to RATE a second.
        delay = start + n / RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    sent.append(n)
    s.close()


def test_calls_go_through_while_one_address_floods_invites(pbx, phones):
    alice = phones.pj_registered(pbx, "1001")
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)

    stop = threading.Event()
    sent: list[int] = []
    flooder = threading.Thread(target=flood, args=(pbx.port, stop, sent), daemon=True)
    flooder.start()
    answered = 0
    try:
        time.sleep(1.0)
        for i in range(CALLS):
            connect(alice, bob, pbx.uri("1002"))
            talk_and_hang_up(alice, bob, talk_s=2.5 if i == 0 else 0.3)
            if i == 0:
                assert_two_way_audio(alice, bob)
            answered += 1
    finally:
        stop.set()
        flooder.join(timeout=5)
    assert sent and sent[0] > RATE, f"the flood sent only {sent}"
    assert answered == CALLS
    bans = [line for line in pbx.log_text().splitlines() if "source banned" in line and FLOODER in line]
    assert len(bans) == 1 and "flood" in bans[0], bans
    assert pbx.alive()
