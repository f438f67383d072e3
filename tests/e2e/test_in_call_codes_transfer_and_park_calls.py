"""Feature codes pressed during a call on pjsua2 phones (RFC 4733 telephone-events from
`Call.dialDtmf`): `##` + number + `#` sends the other party to that number, `*2` +
number + `#` consults it first and joins it when the presser hangs up, `*70` (or the
Transfer key to `*70`) parks the other party in slot `*71` with music and tells the
parker the slot, and dialling `*71` takes it; keys sent by SIP INFO reach an RFC 4733
phone as events. Afterwards the tones prove who talks to whom."""

from __future__ import annotations

import time

from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, connect
from harness.keys import keys_heard, press_keys, press_keys_by_info
from harness.tones import analyse, assert_hears, write_sine_wav
from harness.transfer import blind_transfer, place_call

CAROL_TONE = 1100
# The music's tone, apart from every phone's tone and its ±150 Hz neighbours.
MUSIC_TONE = 1500


def _alice_and_carol_talk(alice, carol):
    """Alice and Carol record afresh and talk; each hears only the other."""
    alice.restart_recording()
    carol.restart_recording()
    time.sleep(TALK_S)
    assert_hears(alice.stop_recording(), CAROL_TONE, [PJ_TONE, PJ_TONE_2, MUSIC_TONE])
    assert_hears(carol.stop_recording(), PJ_TONE, [CAROL_TONE, PJ_TONE_2, MUSIC_TONE])


def test_bob_presses_hash_hash_to_send_alice_to_carol(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    connect(alice, bob, pbx.uri("1002"))

    press_keys(bob, "##1003#")
    ringing = carol.wait_incoming()
    assert ringing["display"] == "Alice", f"Carol should see Alice calling: {ringing}"
    bob.wait_disconnected()
    carol.answer()
    carol.wait_state("confirmed")
    assert alice.call_states()[-1] == "confirmed", "Alice stays in her call"
    _alice_and_carol_talk(alice, carol)
    alice.hangup()
    alice.wait_disconnected()
    carol.wait_disconnected()


def test_bob_parks_alice_and_carol_takes_her_from_the_slot(pbx_factory, phones):
    pbx = pbx_factory()
    write_sine_wav(pbx.data_dir / "music-on-hold.wav", MUSIC_TONE, rate=8000, seconds=2.0)
    pbx.add_extension("1001", "Alice")
    pbx.add_extension("1002", "Bob")
    pbx.add_extension("1003", "Carol")
    pbx.start()
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    connect(alice, bob, pbx.uri("1002"))

    bob.restart_recording()
    press_keys(bob, "*70")
    # Bob hears "your call is parked at star seven one", then the PBX hangs up on him.
    bob.wait_disconnected(timeout=15.0)
    announcement = analyse(bob.last_recording(), [PJ_TONE], skip_s=1.5)
    assert announcement.rms >= 0.01, f"Bob heard no announcement: {announcement}"
    assert announcement.fraction(PJ_TONE) <= 0.05, f"Bob still heard Alice: {announcement}"
    # Alice waits with the music, not Bob's tone.
    alice.restart_recording()
    time.sleep(TALK_S)
    assert_hears(alice.stop_recording(), MUSIC_TONE, [PJ_TONE, PJ_TONE_2])

    carol.call(pbx.uri("*71"))
    carol.wait_state("confirmed")
    assert alice.call_states()[-1] == "confirmed", "Alice stays in her call"
    _alice_and_carol_talk(alice, carol)
    carol.hangup()
    carol.wait_disconnected()
    alice.wait_disconnected()

    # The slot is free again: nothing to take.
    bob_mark = bob.mark()
    bob.call(pbx.uri("*71"))
    bob.wait_for(lambda e: e["type"] == "state" and e["state"] == "disconnected", 10.0, bob_mark,
                 "the empty slot to refuse the call")


def test_keys_sent_by_info_reach_an_rfc4733_phone_as_events(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    connect(alice, bob, pbx.uri("1002"))
    mark = alice.mark()
    press_keys_by_info(bob, "19#")
    alice.wait_for(lambda e: e["type"] == "dtmf" and e["digit"] == "#", 10.0, mark,
                   "Alice to hear Bob's last key")
    assert keys_heard(alice, mark) == [("1", "rfc4733"), ("9", "rfc4733"), ("#", "rfc4733")]
    # Her own keys reach Bob as events too (both phones agreed to them).
    bob_mark = bob.mark()
    press_keys(alice, "42")
    bob.wait_for(lambda e: e["type"] == "dtmf" and e["digit"] == "2", 10.0, bob_mark,
                 "Bob to hear Alice's keys")
    assert [k for k, _ in keys_heard(bob, bob_mark)] == ["4", "2"]
    alice.hangup()
    alice.wait_disconnected()
    bob.wait_disconnected()


def test_bob_consults_carol_with_star_two_then_joins_her_to_alice(pbx_factory, phones):
    pbx = pbx_factory()
    write_sine_wav(pbx.data_dir / "music-on-hold.wav", MUSIC_TONE, rate=8000, seconds=2.0)
    pbx.add_extension("1001", "Alice")
    pbx.add_extension("1002", "Bob")
    pbx.add_extension("1003", "Carol")
    pbx.start()
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    connect(alice, bob, pbx.uri("1002"))

    bob_mark = bob.mark()
    press_keys(bob, "*21003#")
    ringing = carol.wait_incoming()
    assert ringing["display"] == "Bob", f"Carol should see Bob calling: {ringing}"
    carol.answer()
    carol.wait_state("confirmed")
    # Bob's phone was moved onto the consultation (a re-INVITE) and talks to Carol, while
    # Alice waits with the music.
    bob.wait_for(lambda e: e["type"] == "reinvite", 10.0, bob_mark, "Bob's re-INVITE")
    time.sleep(0.5)
    bob.restart_recording()
    carol.restart_recording()
    alice.restart_recording()
    time.sleep(TALK_S)
    assert_hears(bob.stop_recording(), CAROL_TONE, [PJ_TONE, PJ_TONE_2, MUSIC_TONE])
    assert_hears(carol.stop_recording(), PJ_TONE_2, [PJ_TONE, CAROL_TONE, MUSIC_TONE])
    assert_hears(alice.stop_recording(), MUSIC_TONE, [PJ_TONE_2, CAROL_TONE])

    # Bob hangs up: Alice and Carol are joined.
    carol_mark = carol.mark()
    bob.hangup()
    bob.wait_disconnected()
    carol.wait_for(lambda e: e["type"] == "reinvite", 10.0, carol_mark, "Carol's re-INVITE")
    carol.wait_media("active", since=carol_mark)
    assert alice.call_states()[-1] == "confirmed", "Alice stays in her call"
    time.sleep(0.5)
    _alice_and_carol_talk(alice, carol)
    alice.hangup()
    alice.wait_disconnected()
    carol.wait_disconnected()


def test_a_transfer_key_to_star_seventy_parks_the_call_too(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    incoming = connect(alice, bob, pbx.uri("1002"))

    blind_transfer(bob, pbx.uri("*70"), call=incoming["call"])
    bob.wait_disconnected(timeout=15.0)
    assert alice.call_states()[-1] == "confirmed", "Alice waits in the slot"
    carol.call(pbx.uri("*71"))
    carol.wait_state("confirmed")
    _alice_and_carol_talk(alice, carol)
    carol.hangup()
    carol.wait_disconnected()
    alice.wait_disconnected()


def test_bob_holds_alice_and_dials_star_seventy_to_park_her(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    first = connect(alice, bob, pbx.uri("1002"))["call"]

    bob.hold()  # as a desk phone does before dialling the park code
    time.sleep(0.5)
    bob_mark = bob.mark()
    second = place_call(bob, pbx.uri("*70"))
    bob.wait_for(lambda e: e["type"] == "state" and e.get("call") == second
                 and e["state"] == "confirmed", 10.0, bob_mark, "the *70 call to be answered")
    # The held call ends at once; the *70 call after the announcement.
    for call in (first, second):
        bob.wait_for(lambda e, c=call: e["type"] == "state" and e.get("call") == c
                     and e["state"] == "disconnected", 15.0, bob_mark, f"call {call} to end")
    assert alice.call_states()[-1] == "confirmed", "Alice waits in the slot"
    carol.call(pbx.uri("*71"))
    carol.wait_state("confirmed")
    _alice_and_carol_talk(alice, carol)
    carol.hangup()
    carol.wait_disconnected()
    alice.wait_disconnected()
