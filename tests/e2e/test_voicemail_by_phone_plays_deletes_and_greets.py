"""Voicemail by phone (`*97`) and greetings, end to end with pjsua2 phones.

- Alice leaves Bob a message (her tone); Bob's lamp lights. Bob dials *97 on his own
  phone, enters his PIN with RFC 4733 key presses, presses 1 and hears Alice's tone
  (Goertzel on what his phone recorded); 3 deletes the message: it leaves the list and
  the disk, and the lamp goes off; # says goodbye and the PBX hangs up.
- Bob records his greeting by phone (*97, PIN, 5, his tone after the beep, #); the next
  caller hears his tone before the beep.
- Three wrong PINs end the call.
- A greeting uploaded for Bob (a WAV holding a known tone) is what the next caller
  hears before the beep; a file that is not audio is refused on the `file` field.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from harness.admin import AdminPbx
from harness.calls import PJ_TONE, PJ_TONE_2
from harness.keys import press_keys
from harness.tones import assert_hears, write_sine_wav
from test_voicemail_takes_a_message_and_lights_the_lamp import MwiWatcher, wait_messages

PIN = "7392"
# The default greeting and the beep, then the message.
GREETING_S = 5.5
MESSAGE_S = 3.0
# The uploaded greeting's tone: apart from both phones' tones.
GREETING_TONE = 1200


@pytest.fixture
def office(switchboard_bin, tmp_path, request):
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    p.api("enable_mailbox", {"number": "1002", "pin": PIN})
    # The PBX notices database changes made by the API within a second.
    time.sleep(1.5)
    yield p
    p.stop()


def leave_message(office: AdminPbx, alice) -> dict:
    alice.call(office.uri("1002"))  # Bob has no phone registered yet
    alice.wait_state("confirmed")
    time.sleep(GREETING_S + MESSAGE_S)
    alice.hangup()
    alice.wait_disconnected()
    messages = wait_messages(office, "1002")
    assert len(messages) == 1, messages
    return messages[0]


def wait_until(what: str, check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.3)


def test_star_97_plays_the_message_and_delete_turns_the_lamp_off(office, phones):
    watcher = MwiWatcher(office, "1002", office.ext["1002"].password)
    try:
        assert watcher.subscribe() == 200
        alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
        leave_message(office, alice)
        watcher.wait_notify("Messages-Waiting: yes")
        voicemail_dir = office.data_dir / "voicemail"
        assert len(list(voicemail_dir.glob("*.wav"))) == 1

        bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
        bob.call(office.uri("*97"))
        bob.wait_state("confirmed")
        time.sleep(1.0)
        press_keys(bob, PIN + "#")
        # The PIN is checked, then "You have one new message" starts; 1 cuts it short
        # and plays "Message one from 1 0 0 1" (about 5 s), then the message (3 s).
        time.sleep(2.5)
        heard = bob.restart_recording()
        press_keys(bob, "1")
        time.sleep(7.0)
        bob.stop_recording()
        # The last 1.5 s lie inside the message.
        assert_hears(heard, PJ_TONE, [PJ_TONE_2], skip_s=0.0, last_s=1.5)

        # Playing it marked it heard (saved): the lamp goes off, the count says 0 new, 1 old.
        watcher.wait_notify("Voice-Message: 0/1")
        # 3 deletes it.
        press_keys(bob, "3")
        wait_until("the message deleted",
                   lambda: not office.api("list_voicemail", {"mailbox": "1002"})["messages"])
        wait_until("the message's file removed", lambda: not list(voicemail_dir.glob("*.wav")))
        box = next(b for b in office.api("list_mailboxes")["mailboxes"] if b["number"] == "1002")
        assert (box["new_count"], box["saved_count"]) == (0, 0), box
        last = wait_until(
            "a NOTIFY saying no message waits",
            lambda: (watcher._receive(time.monotonic() + 0.3) or True)
            and watcher.notifies
            and "Messages-Waiting: no" in watcher.notifies[-1].body.decode()
            and "Voice-Message: 0/0" in watcher.notifies[-1].body.decode()
            and watcher.notifies[-1])
        assert "Messages-Waiting: yes" in "".join(n.body.decode() for n in watcher.notifies[:-1])
        assert last is not None

        # # says goodbye; the PBX hangs up.
        press_keys(bob, "#")
        bob.wait_disconnected(timeout=10)
    finally:
        watcher.close()


def test_a_greeting_recorded_by_phone_is_played_to_the_next_caller(office, phones):
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    bob.call(office.uri("*97"))
    bob.wait_state("confirmed")
    time.sleep(1.0)
    press_keys(bob, PIN + "#")
    time.sleep(2.5)
    # 5: "Please record your greeting after the tone…", the beep, then Bob's phone
    # keeps sending its tone, which is recorded until #.
    press_keys(bob, "5")
    time.sleep(7.0)
    press_keys(bob, "#")
    greeting = office.data_dir / "greetings" / "1002.wav"
    wait_until("the greeting saved", greeting.exists)
    time.sleep(1.0)
    press_keys(bob, "#")
    bob.wait_disconnected(timeout=10)
    assert any(g["number"] == "1002" and g["custom"] for g in office.api("list_greetings")["greetings"])
    assert_hears(greeting, PJ_TONE_2, [PJ_TONE], skip_s=0.3)

    # Bob is busy: Alice goes to his voicemail and hears his greeting.
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    alice.call(office.uri("1002"))
    bob.wait_incoming()
    bob.reject(486)
    alice.wait_state("confirmed")
    heard = alice.restart_recording()
    time.sleep(2.5)
    alice.stop_recording()
    alice.hangup()
    alice.wait_disconnected()
    assert_hears(heard, PJ_TONE_2, [PJ_TONE], skip_s=0.5)


def test_three_wrong_pins_end_the_call(office, phones):
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    bob.call(office.uri("*97"))
    bob.wait_state("confirmed")
    time.sleep(1.0)
    for _ in range(3):
        press_keys(bob, "1111#")
        # Each wrong PIN is checked before the next one counts.
        time.sleep(2.0)
    bob.wait_disconnected(timeout=10)


def upload_greeting(office: AdminPbx, number: str, data: bytes, name: str) -> tuple[int, dict]:
    import json

    req = urllib.request.Request(f"{office.url}/api/greetings/{number}?name={name}", data=data,
                                 method="POST", headers={"content-type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(req, timeout=20) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_an_uploaded_greeting_is_played_to_callers(office, phones, tmp_path):
    status, body = upload_greeting(office, "1002", b"this is not audio at all", "hello.wav")
    assert status == 422, body
    assert "file" in body["error"]["fields"], body

    wav = tmp_path / "greeting.wav"
    write_sine_wav(wav, GREETING_TONE, rate=16000, seconds=3.0)
    status, body = upload_greeting(office, "1002", wav.read_bytes(), "greeting.wav")
    assert status == 200, body
    assert body["custom"] is True
    greetings = office.api("list_greetings")["greetings"]
    assert next(g for g in greetings if g["number"] == "1002")["custom"] is True

    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    alice.call(office.uri("1002"))
    alice.wait_state("confirmed")
    heard = alice.restart_recording()
    time.sleep(2.5)
    alice.stop_recording()
    alice.hangup()
    alice.wait_disconnected()
    assert_hears(heard, GREETING_TONE, [PJ_TONE, PJ_TONE_2], skip_s=0.5)

    # Back to the default: the greeting's tone is gone.
    office.api("remove_greeting", {"number": "1002"})
    alice.call(office.uri("1002"))
    alice.wait_state("confirmed")
    heard = alice.restart_recording()
    time.sleep(2.5)
    alice.stop_recording()
    alice.hangup()
    alice.wait_disconnected()
    with pytest.raises(AssertionError):
        assert_hears(heard, GREETING_TONE, [PJ_TONE, PJ_TONE_2], skip_s=0.5)
