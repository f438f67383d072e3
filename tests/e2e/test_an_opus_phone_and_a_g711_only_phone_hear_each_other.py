"""An Opus-only phone (baresip) and a G.711-only phone (pjsua2, PCMU alone) share no codec:
the PBX answers each in its own codec and transcodes between them, and each hears the
other's tone, whichever of them calls; a hold puts the PCMU phone on music on hold and
resume brings the Opus phone's tone back.
"""

from __future__ import annotations

import time

from harness.calls import BARESIP_TONE, PJ_TONE, TALK_S, assert_two_way_audio, connect, talk_and_hang_up
from harness.tones import assert_hears, write_sine_wav

# The music's tone: apart from both phones' tones and their neighbours.
MUSIC_TONE = 1400


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


def test_the_pcmu_phone_hears_music_while_the_opus_phone_holds_and_its_tone_after(pbx_factory, phones):
    pbx = pbx_factory()
    write_sine_wav(pbx.data_dir / "music-on-hold.wav", MUSIC_TONE, rate=8000, seconds=2.0)
    pbx.add_extension("1001", "Alice")
    pbx.add_extension("1002", "Bob")
    pbx.start()
    alice = opus_phone(phones, pbx, "1001")
    bob = pcmu_phone(phones, pbx, "1002")
    connect(alice, bob, pbx.uri("1002"))

    mark = bob.mark()
    alice.hold()
    bob.wait_media("remote_hold", since=mark)
    heard_on_hold = bob.restart_recording()
    time.sleep(TALK_S)
    bob.stop_recording()
    assert_hears(heard_on_hold, MUSIC_TONE, [BARESIP_TONE, PJ_TONE])

    mark = bob.mark()
    alice.unhold()
    bob.wait_media("active", since=mark)
    heard_after = bob.restart_recording()
    talk_and_hang_up(alice, bob)
    assert_hears(heard_after, BARESIP_TONE, [PJ_TONE, MUSIC_TONE])
    assert_spoke_opus(alice)
