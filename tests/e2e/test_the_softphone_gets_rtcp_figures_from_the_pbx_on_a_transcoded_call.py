"""The softphone offers only Opus and the pjsua2 phone only PCMU, so the PBX's relay
transcodes and each phone hears a stream of the relay's own. Reports forwarded from the
other phone would name a stream the softphone never sent; instead the relay reports to
each leg itself (RFC 3550 §7.2): the softphone's JSON status lines show the loss the PBX
measures of its audio and a round trip from the PBX's report echoing its sender report."""

from __future__ import annotations

from test_the_softphone_calls_and_is_called_through_the_pbx import SoftPhone

from harness.calls import PJ_TONE


def test_an_opus_softphone_calling_a_pcmu_phone_shows_far_loss_and_round_trip(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE, codecs=["PCMU/"])
    soft = SoftPhone(tmp_path, pbx, "1001", "--codecs", "opus", "--dial", "1002")
    phones.all.append(soft)
    assert soft.wait_event("registered")["expires"] > 0

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    codec = soft.wait_event("codec")
    assert codec["codec"].lower() == "opus", codec

    # The relay's first report comes 1-3 s in, the next ones about every 5 s; one after
    # our first SR carries its LSR/DLSR (RFC 3550 §6.4.1).
    figures = soft.wait_for(
        lambda e: e.get("event") == "quality" and e.get("round_trip_ms") is not None
        and e.get("far_loss_percent") is not None,
        15, what="a quality line with the PBX's loss figure and a round trip")
    # On loopback nothing is lost and the round trip is short.
    assert figures["far_loss_percent"] == 0, figures
    assert figures["round_trip_ms"] < 500, figures

    bob.hangup()
    bob.wait_disconnected()
    soft.wait_event("ended")
    soft.close()
