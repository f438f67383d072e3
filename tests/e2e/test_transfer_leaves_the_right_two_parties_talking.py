"""Blind and attended transfer with pjsua2 phones, as their transfer keys do it (REFER,
REFER with Replaces): afterwards the transferred party and the target hear each other's
tone and nobody hears the transferor."""

import time

from harness.calls import BARESIP_TONE, PJ_TONE, PJ_TONE_2, TALK_S, connect
from harness.tones import assert_hears
from harness.transfer import attended_transfer, baresip_blind_transfer, blind_transfer, place_call

CAROL_TONE = 1100


def _disconnected(phone, call: int, since: int = 0):
    return phone.wait_for(
        lambda e: e["type"] == "state" and e["state"] == "disconnected" and e.get("call") == call,
        10.0, since, f"call {call} to end")


def _talk_and_check(alice, carol, bob):
    """Alice and Carol record afresh, talk, Alice hangs up; each heard only the other."""
    alice.restart_recording()
    carol.restart_recording()
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    carol.wait_disconnected()
    assert_hears(alice.last_recording(), CAROL_TONE, [PJ_TONE, PJ_TONE_2])
    assert_hears(carol.last_recording(), PJ_TONE, [CAROL_TONE, PJ_TONE_2])


def test_bob_blind_transfers_alice_to_carol(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    incoming = connect(alice, bob, pbx.uri("1002"))

    blind_transfer(bob, pbx.uri("1003"), call=incoming["call"])
    ringing = carol.wait_incoming()
    assert ringing["display"] == "Alice", f"Carol should see Alice calling: {ringing}"
    bob.wait_disconnected()
    carol.answer()
    carol.wait_state("confirmed")
    assert alice.call_states()[-1] == "confirmed", "Alice stays in her call"
    _talk_and_check(alice, carol, bob)


def test_alice_blind_transfers_bob_whom_she_called_to_carol(pbx, phones):
    # The caller transfers: Bob keeps his relay socket, Carol takes Alice's.
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    connect(alice, bob, pbx.uri("1002"))

    blind_transfer(alice, pbx.uri("1003"))
    ringing = carol.wait_incoming()
    assert ringing["display"] == "Bob", f"Carol should see Bob calling: {ringing}"
    alice.wait_disconnected()
    carol.answer()
    carol.wait_state("confirmed")
    bob.restart_recording()
    carol.restart_recording()
    time.sleep(TALK_S)
    carol.hangup()
    carol.wait_disconnected()
    bob.wait_disconnected()
    assert_hears(bob.last_recording(), CAROL_TONE, [PJ_TONE, PJ_TONE_2])
    assert_hears(carol.last_recording(), PJ_TONE_2, [CAROL_TONE, PJ_TONE])


def test_bob_attended_transfers_alice_to_carol(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    first = connect(alice, bob, pbx.uri("1002"))["call"]

    bob.hold()  # as a desk phone does before consulting
    second = place_call(bob, pbx.uri("1003"))
    carol.wait_incoming()
    carol.answer()
    carol.wait_state("confirmed")
    bob.wait_state("confirmed")

    mark = carol.mark()
    bob_mark = bob.mark()
    attended_transfer(bob, call=first, other=second)
    carol.wait_for(lambda e: e["type"] == "reinvite", 10.0, mark, "Carol's re-INVITE")
    carol.wait_media("active", since=mark)
    _disconnected(bob, first, bob_mark)
    _disconnected(bob, second, bob_mark)
    _talk_and_check(alice, carol, bob)


def test_baresip_blind_transfers_alice_to_carol(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.baresip_registered(pbx, "1002", tone_hz=BARESIP_TONE)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    connect(alice, bob, pbx.uri("1002"))

    baresip_blind_transfer(bob, pbx.uri("1003"))
    ringing = carol.wait_incoming()
    assert ringing["display"] == "Alice", f"Carol should see Alice calling: {ringing}"
    bob.wait_disconnected()
    carol.answer()
    carol.wait_state("confirmed")
    alice.restart_recording()
    carol.restart_recording()
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    carol.wait_disconnected()
    assert_hears(alice.last_recording(), CAROL_TONE, [PJ_TONE, BARESIP_TONE])
    assert_hears(carol.last_recording(), PJ_TONE, [CAROL_TONE, BARESIP_TONE])


def test_a_transfer_to_a_missing_number_keeps_the_call(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    incoming = connect(alice, bob, pbx.uri("1002"))

    mark, bob_mark = alice.mark(), bob.mark()
    blind_transfer(bob, pbx.uri("1999"), call=incoming["call"])
    time.sleep(2.0)
    for phone, since in ((alice, mark), (bob, bob_mark)):
        ended = phone.find(lambda e: e["type"] == "state" and e["state"] == "disconnected", since)
        assert not ended, f"{phone} was hung up: {ended}"
    alice.restart_recording()
    bob.restart_recording()
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    bob.wait_disconnected()
    assert_hears(alice.last_recording(), PJ_TONE_2, PJ_TONE)
    assert_hears(bob.last_recording(), PJ_TONE, PJ_TONE_2)
