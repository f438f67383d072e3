"""Conference rooms, end to end with three real phones in three codecs.

- Alice (pjsua2, PCMU, 440 Hz), Bob (pjsua2, G.722, 700 Hz) and Carol (baresip, Opus,
  1000 Hz) dial room 800. Each hears the other two tones and not its own; the room's
  list shows the three with their codecs.
- A room with a PIN: three wrong PINs (RFC 4733 keys) and the PBX hangs up; the right PIN
  puts the caller in the room.
"""

from __future__ import annotations

import time

import pytest

from harness.admin import AdminPbx
from harness.calls import BARESIP_TONE, PJ_TONE, PJ_TONE_2
from harness.keys import press_keys
from harness.tones import analyse

# Long enough for "you are the only person in this conference" (played to the first
# caller) and the join tones to be over before the phones' tones are measured.
SETTLE_S = 5.0
LISTEN_S = 3.0
# Each of two tones mixed at equal level holds about half the power; this leaves room
# for codec noise and the limiter without accepting a tone that is missing.
MIN_EACH = 0.15
MAX_OWN = 0.05


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


def assert_hears_both(path, others: list[float], own: float) -> None:
    report = analyse(path, [*others, own], skip_s=0.2)
    assert report.rms >= 0.01, f"(nearly) silent: {report}"
    for f in others:
        assert report.fraction(f) >= MIN_EACH, f"{f:g} Hz missing: {report}"
    assert report.fraction(own) <= MAX_OWN, f"hears itself ({own:g} Hz): {report}"


def participants(office: AdminPbx, room: str) -> list[dict]:
    return [p for p in office.api("list_conference_rooms")["participants"] if p["room"] == room]


def test_three_phones_in_three_codecs_each_hear_the_other_two(office, phones):
    office.api("add_conference_room", {"number": "800", "name": "Board"})
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE, codecs=["PCMU/"])
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2, codecs=["G722/"])
    carol = phones.baresip_registered(office, "1003", tone_hz=BARESIP_TONE, audio_codecs="opus/48000/2")
    for phone in (alice, bob, carol):
        phone.call(office.uri("800"))
        phone.wait_state("confirmed")
    time.sleep(SETTLE_S)

    listed = participants(office, "800")
    assert sorted(p["number"] for p in listed) == ["1001", "1002", "1003"], listed
    assert all(p["in_room"] and not p["muted"] for p in listed), listed
    codecs = {p["number"]: p["codec"].lower() for p in listed}
    assert codecs == {"1001": "pcmu", "1002": "g722", "1003": "opus"}, codecs

    heard_alice = alice.restart_recording()
    heard_bob = bob.restart_recording()
    time.sleep(LISTEN_S)
    alice.stop_recording()
    bob.stop_recording()
    # Carol's phone records the whole call; it leaves first, so its last seconds are
    # the two others.
    carol.hangup()
    carol.wait_disconnected()
    heard_carol = carol.last_recording()
    for phone in (alice, bob):
        phone.hangup()
        phone.wait_disconnected()

    assert_hears_both(heard_alice, [PJ_TONE_2, BARESIP_TONE], PJ_TONE)
    assert_hears_both(heard_bob, [PJ_TONE, BARESIP_TONE], PJ_TONE_2)
    report = analyse(heard_carol, [PJ_TONE, PJ_TONE_2, BARESIP_TONE], skip_s=0.0, last_s=LISTEN_S)
    assert report.fraction(PJ_TONE) >= MIN_EACH and report.fraction(PJ_TONE_2) >= MIN_EACH, str(report)
    assert report.fraction(BARESIP_TONE) <= MAX_OWN, str(report)

    deadline = time.monotonic() + 5
    while participants(office, "800") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert participants(office, "800") == []


def test_wrong_pins_end_the_call_and_the_right_one_joins(office, phones):
    office.api("add_conference_room", {"number": "801", "name": "Private", "pin": "4711"})
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    alice.call(office.uri("801"))
    alice.wait_state("confirmed")
    listed = participants(office, "801")
    assert [p["in_room"] for p in listed] == [False], listed
    for _ in range(3):
        time.sleep(1.0)
        press_keys(alice, "1234#")
    # "That PIN is not correct", twice, then "too many wrong PINs", "goodbye" and BYE.
    alice.wait_disconnected(timeout=30)
    assert participants(office, "801") == []

    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    bob.call(office.uri("801"))
    bob.wait_state("confirmed")
    time.sleep(1.0)
    press_keys(bob, "4711#")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listed = participants(office, "801")
        if listed and listed[0]["in_room"]:
            break
        time.sleep(0.2)
    assert [(p["number"], p["in_room"]) for p in listed] == [("1002", True)], listed
    bob.hangup()
    bob.wait_disconnected()


def test_a_call_transferred_into_the_room_hears_who_is_there(office, phones):
    from harness.calls import connect
    from harness.tones import assert_hears
    from harness.transfer import blind_transfer

    office.api("add_conference_room", {"number": "800", "name": "Board"})
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    carol = phones.baresip_registered(office, "1003", tone_hz=BARESIP_TONE)
    carol.call(office.uri("800"))
    carol.wait_state("confirmed")

    incoming = connect(alice, bob, office.uri("1002"))
    blind_transfer(bob, office.uri("800"), call=incoming["call"])
    bob.wait_disconnected()
    deadline = time.monotonic() + 10
    while len(participants(office, "800")) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(p["number"] for p in participants(office, "800")) == ["1001", "1003"]
    assert alice.call_states()[-1] == "confirmed", "Alice stays in her call"
    time.sleep(1.0)

    heard = alice.restart_recording()
    time.sleep(LISTEN_S)
    alice.stop_recording()
    alice.hangup()
    alice.wait_disconnected()
    carol.hangup()
    carol.wait_disconnected()
    assert_hears(heard, BARESIP_TONE, [PJ_TONE, PJ_TONE_2])
