"""The harness itself works: phones call each other directly, no PBX involved.

These prove the phones, their control, their audio and the tone detector, so a
failing PBX test points at the PBX and not at the harness.
"""

from harness.calls import (BARESIP_TONE, PJ_TONE, PJ_TONE_2, assert_two_way_audio, connect, ring,
                           talk_and_hang_up)
from harness.tones import assert_hears


def test_pjsua2_calls_pjsua2_and_tones_go_both_ways(phones):
    alice = phones.pj("alice", PJ_TONE)
    bob = phones.pj("bob", PJ_TONE_2)
    alice.local_account()
    bob.local_account()

    connect(alice, bob, bob.uri)
    talk_and_hang_up(alice, bob)

    assert alice.wait_disconnected() == 200
    assert_two_way_audio(alice, bob)


def test_pjsua2_calls_baresip_and_tones_go_both_ways(phones):
    alice = phones.pj("alice", PJ_TONE)
    bob = phones.baresip("bob", BARESIP_TONE)
    alice.local_account()

    incoming = connect(alice, bob, bob.uri)
    assert "alice" in incoming["from"]
    talk_and_hang_up(alice, bob)

    assert_two_way_audio(alice, bob)


def test_baresip_calls_pjsua2_and_tones_go_both_ways(phones):
    alice = phones.baresip("alice", BARESIP_TONE)
    bob = phones.pj("bob", PJ_TONE)
    bob.local_account()

    incoming = connect(alice, bob, bob.uri)
    assert "alice" in incoming["from"]
    talk_and_hang_up(alice, bob, hang_up=bob)

    assert_two_way_audio(alice, bob)


def test_rejected_call_reports_busy_to_each_kind_of_caller(phones):
    pj = phones.pj("pj", PJ_TONE)
    bs = phones.baresip("bs", BARESIP_TONE)
    pj.local_account()

    ring(pj, bs, bs.uri)
    bs.reject(486)
    assert pj.wait_disconnected() == 486

    ring(bs, pj, pj.uri)
    pj.reject(486)
    assert bs.wait_disconnected() == 486


def test_caller_hanging_up_while_ringing_stops_the_ringing(phones):
    pj = phones.pj("pj", PJ_TONE)
    bs = phones.baresip("bs", BARESIP_TONE)
    pj.local_account()

    ring(pj, bs, bs.uri)
    assert bs.is_ringing()
    pj.hangup()
    assert pj.wait_disconnected() == 487
    bs.wait_disconnected()
    assert not bs.is_ringing()


def test_hold_and_resume_between_phones(phones):
    holder = phones.baresip("holder", BARESIP_TONE)
    held = phones.pj("held", PJ_TONE)
    held.local_account()
    connect(holder, held, held.uri)

    mark = held.mark()
    holder.hold()
    held.wait_media("remote_hold", since=mark)
    assert held.find(lambda e: e["type"] == "reinvite", mark), "held phone saw no re-INVITE"

    mark = held.mark()
    holder.unhold()
    held.wait_media("active", since=mark)
    resumed = held.restart_recording()
    talk_and_hang_up(holder, held)
    assert_hears(resumed, BARESIP_TONE, PJ_TONE)
