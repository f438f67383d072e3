"""A transfer that joins a PCMU-only phone (pjsua2) to a phone that shares no codec with
it (baresip with Opus alone, or pjsua2 with G.722 alone): the PBX transcodes between
them from then on, and each hears the other's tone, whether the transfer was blind or
attended."""

import time

from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, connect
from harness.tones import assert_hears
from harness.transfer import attended_transfer, blind_transfer, place_call

CAROL_TONE = 1100


def _carol_opus(phones, pbx):
    return phones.baresip_registered(pbx, "1003", tone_hz=CAROL_TONE, audio_codecs="opus/48000/2")


def _alice_pcmu(phones, pbx):
    return phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE, codecs=["PCMU/"])


def _disconnected(phone, call: int, since: int = 0):
    return phone.wait_for(
        lambda e: e["type"] == "state" and e["state"] == "disconnected" and e.get("call") == call,
        10.0, since, f"call {call} to end")


def _talk_and_check(alice, carol, opus: bool = True):
    alice.restart_recording()
    if not opus:
        carol.restart_recording()
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    carol.wait_disconnected()
    assert_hears(alice.last_recording(), CAROL_TONE, [PJ_TONE, PJ_TONE_2])
    assert_hears(carol.last_recording(), PJ_TONE, [CAROL_TONE, PJ_TONE_2])
    if opus:
        log = carol.log_text()
        assert "Set audio encoder: opus" in log, f"Carol did not send Opus:\n{log[-2000:]}"


def test_bob_blind_transfers_a_pcmu_phone_to_an_opus_phone(pbx, phones):
    alice = _alice_pcmu(phones, pbx)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = _carol_opus(phones, pbx)
    incoming = connect(alice, bob, pbx.uri("1002"))

    blind_transfer(bob, pbx.uri("1003"), call=incoming["call"])
    carol.wait_incoming()
    bob.wait_disconnected()
    carol.answer()
    carol.wait_state("confirmed")
    assert alice.call_states()[-1] == "confirmed", "Alice stays in her call"
    time.sleep(0.5)
    _talk_and_check(alice, carol)


def test_bob_attended_transfers_a_pcmu_phone_to_a_g722_phone(pbx, phones):
    # Carol is re-INVITEd towards Alice's relay and answers in G.722: the relay starts
    # transcoding there (Bob's call to Carol was transcoded on the other relay).
    alice = _alice_pcmu(phones, pbx)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE, codecs=["G722/"])
    first = connect(alice, bob, pbx.uri("1002"))["call"]

    bob.hold()
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
    _talk_and_check(alice, carol, opus=False)
