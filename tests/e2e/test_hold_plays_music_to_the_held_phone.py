"""Hold with music: when one pjsua2 phone holds (`setHold`, a sendonly re-INVITE), the
other hears the PBX's music on hold instead of the holder's audio; after resume, each
hears the other again and no music.

The PBX plays the owner's `music-on-hold.wav` from its data folder when there is one; the
test puts a WAV with a known tone there before starting the PBX, so the music can be
told from either phone's tone by frequency (Goertzel, harness/tones.py).
"""

from __future__ import annotations

import time

from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, connect, talk_and_hang_up
from harness.tones import assert_hears, write_sine_wav

# The music's tone: apart from both phones' tones and their ±150 Hz neighbours.
MUSIC_TONE = 1200


def test_the_held_phone_hears_the_music_and_resume_restores_both_ways(pbx_factory, phones):
    pbx = pbx_factory()
    # Two seconds of a whole number of cycles loops without a click.
    write_sine_wav(pbx.data_dir / "music-on-hold.wav", MUSIC_TONE, rate=8000, seconds=2.0)
    pbx.add_extension("1001", "Alice")
    pbx.add_extension("1002", "Bob")
    pbx.start()

    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    connect(alice, bob, pbx.uri("1002"))

    # Before hold: Bob hears Alice, not music (so the music check below means something).
    heard = bob.restart_recording()
    time.sleep(TALK_S)
    bob.stop_recording()
    assert_hears(heard, PJ_TONE, [PJ_TONE_2, MUSIC_TONE])

    # Alice holds: her phone offers sendonly and keeps sending her tone, which the PBX must
    # replace with the music for Bob.
    mark, alice_mark = bob.mark(), alice.mark()
    alice.hold()
    alice.wait_media("local_hold", since=alice_mark)
    bob.wait_media("remote_hold", since=mark)
    heard_on_hold = bob.restart_recording()
    time.sleep(TALK_S)
    bob.stop_recording()
    assert_hears(heard_on_hold, MUSIC_TONE, [PJ_TONE, PJ_TONE_2])

    # Resume: the PBX stops the music and relays both ways again.
    mark, alice_mark = bob.mark(), alice.mark()
    alice.unhold()
    alice.wait_media("active", since=alice_mark)
    bob.wait_media("active", since=mark)
    heard_by_alice = alice.restart_recording()
    heard_by_bob = bob.restart_recording()
    talk_and_hang_up(alice, bob)
    assert_hears(heard_by_alice, PJ_TONE_2, [PJ_TONE, MUSIC_TONE])
    assert_hears(heard_by_bob, PJ_TONE, [PJ_TONE_2, MUSIC_TONE])
