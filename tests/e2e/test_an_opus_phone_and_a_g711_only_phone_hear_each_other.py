"""An Opus-only phone (baresip) and a G.711-only phone (pjsua2, PCMU alone) share no codec:
the PBX answers each in its own codec and transcodes between them, and each hears the
other's tone, whichever of them calls.
"""

from __future__ import annotations

from harness.calls import BARESIP_TONE, PJ_TONE, assert_two_way_audio, connect, talk_and_hang_up


def opus_phone(phones, pbx, number: str):
    return phones.baresip_registered(pbx, number, tone_hz=BARESIP_TONE, audio_codecs="opus/48000/2")


def pcmu_phone(phones, pbx, number: str):
    return phones.pj_registered(pbx, number, tone_hz=PJ_TONE, codecs=["PCMU/"])


def assert_spoke_opus(phone) -> None:
    """The baresip phone's own log names the codec its audio stream encoded with."""
    log = phone.log_text()
    assert "Set audio encoder: opus" in log, f"the phone did not send Opus:\n{log[-2000:]}"


def test_an_opus_phone_calls_a_pcmu_phone_and_tones_pass_both_ways(pbx, phones):
    alice = opus_phone(phones, pbx, "1001")
    bob = pcmu_phone(phones, pbx, "1002")
    connect(alice, bob, pbx.uri("1002"))
    talk_and_hang_up(alice, bob)
    assert_two_way_audio(alice, bob)
    assert_spoke_opus(alice)


def test_a_pcmu_phone_calls_an_opus_phone_and_tones_pass_both_ways(pbx, phones):
    alice = pcmu_phone(phones, pbx, "1001")
    bob = opus_phone(phones, pbx, "1002")
    connect(alice, bob, pbx.uri("1002"))
    talk_and_hang_up(alice, bob)
    assert_two_way_audio(alice, bob)
    assert_spoke_opus(bob)
