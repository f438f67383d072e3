"""The built-in softphone (`switchboard phone`) through the PBX with pjsua2 phones: it
transfers a call blind and after asking first, and the two phones left hear each other's
tones; a second call rings while it is in one, and answering it puts the first on hold."""

from __future__ import annotations

import time

from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S
from harness.tones import assert_hears
from test_the_softphone_calls_and_is_called_through_the_pbx import SOFT_TONE, _softphone


def _transferred(soft, bob, carol) -> None:
    """Carol takes the call; the softphone leaves it; Bob and Carol hear each other."""
    carol.wait_incoming()
    carol.answer()
    carol.wait_state("confirmed")
    soft.wait_for(lambda e: e.get("event") == "transfer" and e["progress"] == "Succeeded", 10,
                  what="the transfer succeeded")
    time.sleep(TALK_S)
    assert not bob.find(lambda e: e["type"] == "state" and e.get("state") == "disconnected"), \
        "Bob was dropped instead of transferred"
    bob.hangup()
    bob.wait_disconnected()
    carol.wait_disconnected()
    assert_hears(bob.last_recording(), PJ_TONE_2, [SOFT_TONE], last_s=1.5)
    assert_hears(carol.last_recording(), PJ_TONE, [SOFT_TONE], last_s=1.5)


def test_the_softphone_transfers_a_call_blind_and_the_two_phones_hear_each_other(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    carol = phones.pj_registered(pbx, "1003", tone_hz=PJ_TONE_2)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--dial", "1002", "--transfer-to", "1003")

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_for(lambda e: e.get("event") == "transfer" and e["progress"] == "Accepted", 10,
                  what="the REFER accepted")
    _transferred(soft, bob, carol)
    assert soft.wait_event("ended")["call"] == soft.wait_event("answered")["call"]


def test_the_softphone_asks_first_then_joins_the_two_phones(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    carol = phones.pj_registered(pbx, "1003", tone_hz=PJ_TONE_2)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--dial", "1002", "--transfer-to", "1003",
                      "--ask-first")

    bob.wait_incoming()
    mark = bob.mark()
    bob.answer()
    bob.wait_state("confirmed")
    # Asking first puts Bob on hold while Carol is called.
    bob.wait_media("remote_hold", since=mark)
    _transferred(soft, bob, carol)
    soft.wait_for(lambda e: len([x for x in soft.events if x.get("event") == "ended"]) >= 2, 10,
                  what="both of the softphone's calls ended")


def test_a_second_call_rings_during_a_call_and_answering_it_holds_the_first(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    carol = phones.pj_registered(pbx, "1003", tone_hz=PJ_TONE_2)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--auto-answer")

    bob.call(pbx.uri("1001"))
    bob.wait_state("confirmed")
    mark = bob.mark()
    carol.call(pbx.uri("1001"))
    second = soft.wait_for(lambda e: e.get("event") == "incoming" and e["number"] == "1003", 10,
                           what="the second call rings")
    assert second["call"] != soft.wait_event("incoming")["call"]
    # Answered (by --auto-answer): Bob's call goes on hold (pjsua2 sees sendonly/inactive).
    bob.wait_media("remote_hold", since=mark)
    carol.wait_state("confirmed")
    soft.wait_for(lambda e: e.get("event") == "answered" and e["call"] == second["call"], 10,
                  what="the second call answered")
    time.sleep(TALK_S)
    carol.hangup()
    carol.wait_disconnected()
    bob.hangup()
    bob.wait_disconnected()
    assert_hears(carol.last_recording(), SOFT_TONE, [PJ_TONE], last_s=1.5)
