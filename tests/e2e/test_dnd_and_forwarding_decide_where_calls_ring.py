"""Do-not-disturb, call forwarding and music on hold with real pjsua2 phones.

- Bob dials *78: the PBX answers with its confirmation tone (1400 Hz beeps, detected in
  what Bob's phone recorded), hangs up by itself, and the admin API shows Bob in
  do-not-disturb; Alice's call to Bob is then refused as busy without Bob's phone
  ringing. *79 turns it off again. With Bob's mailbox on, do-not-disturb sends the
  caller to his voicemail instead.
- Bob's calls forwarded always (set through the API) ring Carol instead, and Alice and
  Carol hear each other.
- Music on hold uploaded through the API (a stereo 22.05 kHz WAV, converted by the PBX)
  is what a held phone hears at once, without a restart.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from harness.admin import AdminPbx
from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, assert_two_way_audio, connect, talk_and_hang_up
from harness.tones import analyse, assert_hears, write_sine_wav

CAROL_TONE = 1100
# The PBX's confirmation tone (crates/engine/src/forwarding.rs).
CONFIRMATION_TONE = 1400
# The uploaded music's tone: apart from the phones' tones and their ±150 Hz neighbours.
MUSIC_TONE = 1800


@pytest.fixture
def office(switchboard_bin, tmp_path, request):
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.add_extension("1003", "Carol")
    p.start()
    yield p
    p.stop()


def forwarding_of(pbx: AdminPbx, number: str) -> dict:
    rows = pbx.api("list_call_forwarding")["extensions"]
    return next(r for r in rows if r["number"] == number)


def dial_code(phone, pbx: AdminPbx, code: str) -> None:
    """Dials a settings code; the PBX answers, plays its tone and hangs up by itself."""
    phone.call(pbx.uri(code))
    phone.wait_state("confirmed")
    phone.wait_disconnected(timeout=10)


def test_star_78_is_confirmed_by_a_tone_and_makes_the_extension_busy(office, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)

    dial_code(bob, office, "*78")
    heard = bob.last_recording()
    report = analyse(heard, [CONFIRMATION_TONE, PJ_TONE_2], skip_s=0.0)
    assert report.fraction(CONFIRMATION_TONE) >= 0.5, f"no confirmation tone: {report}"
    assert report.fraction(PJ_TONE_2) <= 0.05, f"Bob heard himself: {report}"
    assert forwarding_of(office, "1002")["dnd"] is True

    alice.call(office.uri("1002"))
    code = alice.wait_disconnected()
    assert code == 486, f"Alice's call ended with {code}"
    assert not bob.find(lambda e: e["type"] == "incoming"), "Bob's phone must not ring"

    dial_code(bob, office, "*79")
    assert forwarding_of(office, "1002")["dnd"] is False
    connect(alice, bob, office.uri("1002"))
    talk_and_hang_up(alice, bob, talk_s=TALK_S)
    assert_two_way_audio(alice, bob)


def test_forward_always_rings_carol_instead_of_bob(office, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(office, "1003", tone_hz=CAROL_TONE)
    row = forwarding_of(office, "1002")
    office.api("save_call_forwarding", {"forwarding": {**row, "forward_always": "1003"}})

    connect(alice, carol, office.uri("1002"))
    talk_and_hang_up(alice, carol, talk_s=TALK_S)
    assert_two_way_audio(alice, carol, others=(bob,))
    assert not bob.find(lambda e: e["type"] == "incoming"), "Bob's phone must not ring"


def test_uploaded_music_on_hold_is_heard_at_once(office, phones, tmp_path):
    music = write_sine_wav(tmp_path / "music.wav", MUSIC_TONE, rate=22050, seconds=2.0, channels=2)
    req = urllib.request.Request(f"{office.url}/api/music-on-hold?name=music.wav", data=music.read_bytes(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=20) as res:
        assert res.status == 200
    assert office.api("get_music_on_hold")["music"]["custom"] is True

    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    connect(alice, bob, office.uri("1002"))
    mark, alice_mark = bob.mark(), alice.mark()
    alice.hold()
    alice.wait_media("local_hold", since=alice_mark)
    bob.wait_media("remote_hold", since=mark)
    heard_on_hold = bob.restart_recording()
    time.sleep(TALK_S)
    bob.stop_recording()
    alice.hangup()
    alice.wait_disconnected()
    bob.wait_disconnected()
    assert_hears(heard_on_hold, MUSIC_TONE, [PJ_TONE, PJ_TONE_2])


def test_do_not_disturb_sends_callers_to_voicemail_when_the_mailbox_is_on(office, phones):
    office.api("enable_mailbox", {"number": "1002", "pin": "482913"})
    row = forwarding_of(office, "1002")
    office.api("save_call_forwarding", {"forwarding": {**row, "dnd": True}})
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)

    alice.call(office.uri("1002"))
    alice.wait_state("confirmed")
    time.sleep(1.0)
    alice.hangup()
    alice.wait_disconnected()
    assert not bob.find(lambda e: e["type"] == "incoming"), "Bob's phone must not ring"
    # The call record is written a moment after the call ends.
    deadline = time.monotonic() + 10
    while True:
        calls = office.api("call_history", {"limit": 5})["calls"]
        if calls or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [c.get("answered_by") for c in calls] == ["voicemail 1002"], calls
