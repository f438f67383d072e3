"""The softphone and a pjsua2 phone exchange RTCP through the PBX's relay (pjsua2 sends
reports by default, on the port above RTP): the softphone's JSON status lines soon show
the call's quality — the loss the desk phone reports for our audio, the loss and jitter
we measure of its audio, and the round trip from its report echoing our sender report."""

from __future__ import annotations

from test_the_softphone_calls_and_is_called_through_the_pbx import SoftPhone

from harness.calls import PJ_TONE


def test_a_call_through_the_pbx_shows_loss_jitter_and_round_trip(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = SoftPhone(tmp_path, pbx, "1001", "--dial", "1002")
    phones.all.append(soft)
    assert soft.wait_event("registered")["expires"] > 0

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")

    # pjsua2 reports every 5 s or so; its first report may come before it heard our
    # first sender report, the next one echoes it (RFC 3550 §6.4.1 LSR/DLSR).
    figures = soft.wait_for(
        lambda e: e.get("event") == "quality" and e.get("round_trip_ms") is not None,
        15, what="a quality line with a round trip")
    # On loopback nothing is lost and the round trip is short.
    assert figures["far_loss_percent"] == 0, figures
    assert figures["loss_percent"] == 0, figures
    assert figures["jitter_ms"] is not None and figures["jitter_ms"] < 100, figures
    assert figures["round_trip_ms"] < 500, figures

    bob.hangup()
    bob.wait_disconnected()
    soft.wait_event("ended")
    soft.close()
