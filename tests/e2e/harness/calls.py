"""Call scenarios shared by the tests: set up a call, talk, hang up, check the tones."""

from __future__ import annotations

import time

from .phone import Phone
from .tones import assert_hears

# The tones each kind of phone sends by default; any two phones in one call
# must differ so each can tell the other's audio from its own.
PJ_TONE = 440
PJ_TONE_2 = 700
BARESIP_TONE = 1000

# How long two phones "talk" before hanging up: long enough for 0.5 s of
# start-up to be skipped and well over a second of tone to be analysed.
TALK_S = 2.5


def ring(caller: Phone, callee: Phone, uri: str):
    """Caller dials `uri`; waits until the callee rings and the caller hears ringing."""
    caller.call(uri)
    incoming = callee.wait_incoming()
    caller.wait_state("early")
    return incoming


def connect(caller: Phone, callee: Phone, uri: str):
    """Dials, lets it ring, answers; returns the callee's incoming-call event."""
    incoming = ring(caller, callee, uri)
    callee.answer()
    caller.wait_state("confirmed")
    callee.wait_state("confirmed")
    return incoming


def talk_and_hang_up(caller: Phone, callee: Phone, hang_up: Phone | None = None, talk_s: float = TALK_S) -> float:
    """Lets the call run, hangs up from `hang_up` (default: caller); returns the talk time."""
    start = time.monotonic()
    time.sleep(talk_s)
    (hang_up or caller).hangup()
    caller.wait_disconnected()
    callee.wait_disconnected()
    return time.monotonic() - start


def assert_two_way_audio(a: Phone, b: Phone, others: tuple[Phone, ...] = ()) -> None:
    """Each phone heard the other's tone, not its own (nor any bystander's)."""
    ra = a.last_recording()
    rb = b.last_recording()
    stray = [p.tone_hz for p in others]
    assert_hears(ra, b.tone_hz, [a.tone_hz, *stray])
    assert_hears(rb, a.tone_hz, [b.tone_hz, *stray])
