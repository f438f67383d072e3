"""Calls between extensions go through the PBX with audio both ways and a call record."""

import time

from harness.calls import BARESIP_TONE, PJ_TONE, assert_two_way_audio, connect, talk_and_hang_up


def _assert_answered_cdr(pbx, caller, callee, talk_s):
    cdr = pbx.wait_cdr(caller, callee)
    assert cdr["outcome"] == "answered", cdr
    duration = float(cdr["duration_s"])
    assert 0 < duration <= talk_s + 2, cdr


def test_pjsua2_calls_baresip_through_the_pbx(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.baresip_registered(pbx, "1002", tone_hz=BARESIP_TONE)

    incoming = connect(alice, bob, pbx.uri("1002"))
    assert "1001" in incoming["from"]
    start = time.monotonic()
    talk_and_hang_up(alice, bob)
    talk_s = time.monotonic() - start

    assert_two_way_audio(alice, bob)
    _assert_answered_cdr(pbx, "1001", "1002", talk_s)


def test_baresip_calls_pjsua2_through_the_pbx(pbx, phones):
    alice = phones.baresip_registered(pbx, "1001", tone_hz=BARESIP_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)

    incoming = connect(alice, bob, pbx.uri("1002"))
    assert "1001" in incoming["from"]
    start = time.monotonic()
    talk_and_hang_up(alice, bob, hang_up=bob)
    talk_s = time.monotonic() - start

    assert_two_way_audio(alice, bob)
    _assert_answered_cdr(pbx, "1001", "1002", talk_s)


def test_callee_sees_the_callers_name(pbx, phones):
    alice = phones.baresip_registered(pbx, "1001", tone_hz=BARESIP_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)

    alice.call(pbx.uri("1002"))
    incoming = bob.wait_incoming()
    assert "Alice" in incoming["display"] or "Alice" in incoming["from"], incoming
    alice.hangup()
    bob.wait_disconnected()
