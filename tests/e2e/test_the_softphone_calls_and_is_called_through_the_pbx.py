"""The built-in softphone, run headless (`switchboard phone`), registers with the PBX,
calls a pjsua2 phone and is called by it, with tones both ways, and sends keys."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

from harness.calls import PJ_TONE, TALK_S
from harness.keys import press_keys
from harness.pbx import Pbx, find_binary
from harness.phone import Phone
from harness.tones import assert_hears

SOFT_TONE = 1000


class SoftPhone(Phone):
    """`switchboard phone` in a child process; its JSON lines are the event log."""

    kind = "softphone"

    def __init__(self, workdir: Path, pbx: Pbx, number: str, *extra: str, tone_hz: float = SOFT_TONE):
        super().__init__(f"soft{number}", tone_hz, workdir / f"soft{number}")
        self.record = self.workdir / "heard.wav"
        self.log = self.workdir / "stderr.log"
        args = [str(find_binary()), "phone", "--server", pbx.addr, "--user", number,
                "--password", pbx.ext[number].password, "--tone", str(tone_hz),
                "--record", str(self.record), *extra]
        self._stderr = open(self.log, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                self._push(json.loads(line))
            except ValueError:
                self._push({"event": "garbage", "line": line})

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        events = "\n".join(json.dumps(e) for e in self.events)
        return f"{events}\n--- stderr ---\n{self.log.read_text(errors='replace')}"

    def wait_event(self, name: str, timeout: float = 10) -> dict:
        return self.wait_for(lambda e: e.get("event") == name, timeout, what=name)

    def close(self) -> None:
        """Stops it like Ctrl-C: calls hung up, recording closed."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()


def _softphone(phones, tmp_path, pbx, number, *extra) -> SoftPhone:
    soft = SoftPhone(tmp_path, pbx, number, *extra)
    phones.all.append(soft)
    assert soft.wait_event("registered")["expires"] > 0
    return soft


def test_the_softphone_calls_a_pjsua2_phone_and_tones_pass_both_ways(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--dial", "1002")

    incoming = bob.wait_incoming()
    assert "1001" in incoming["from"], incoming
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    assert soft.wait_event("ended")["reason"] == "remote"
    soft.close()

    assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])
    assert_hears(soft.record, PJ_TONE, [SOFT_TONE])


def test_a_pjsua2_phone_calls_the_softphone_which_answers_and_tones_pass_both_ways(pbx, phones, tmp_path):
    alice = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--auto-answer")

    alice.call(pbx.uri("1001"))
    incoming = soft.wait_event("incoming")
    assert incoming["number"] == "1002", incoming
    assert incoming["name"] == "Bob", incoming
    alice.wait_state("confirmed")
    soft.wait_event("answered")
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    soft.wait_event("ended")
    soft.close()

    assert_hears(alice.last_recording(), SOFT_TONE, [PJ_TONE])
    assert_hears(soft.record, PJ_TONE, [SOFT_TONE])


def test_keys_pass_both_ways_between_the_softphone_and_a_pjsua2_phone(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--dial", "1002", "--dtmf", "159#")

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(bob.find(lambda e: e["type"] == "dtmf")) < 4:
        time.sleep(0.2)
    keys = "".join(e["digit"] for e in bob.find(lambda e: e["type"] == "dtmf"))
    assert keys == "159#", bob.find(lambda e: e["type"] == "dtmf")

    press_keys(bob, "42")
    soft.wait_for(lambda e: len([k for k in soft.events if k.get("event") == "key"]) >= 2, 10,
                  what="two keys")
    assert [e["key"] for e in soft.events if e.get("event") == "key"] == ["4", "2"]
    bob.hangup()
    soft.wait_event("ended")


def test_the_softphone_puts_the_call_on_hold(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--dial", "1002", "--hold-after", "1")

    bob.wait_incoming()
    mark = bob.mark()
    bob.answer()
    bob.wait_state("confirmed")
    bob.wait_media("remote_hold", since=mark)
    held = soft.wait_for(lambda e: e.get("event") == "hold_changed" and e["held_locally"], 10,
                         what="hold accepted")
    assert held["call"] == soft.wait_event("answered")["call"]
    bob.hangup()
    soft.wait_event("ended")


def test_the_softphone_over_tcp_calls_and_is_called_with_tones_both_ways(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _softphone(phones, tmp_path, pbx, "1001", "--tcp", "--auto-answer", "--dial", "1002")

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    assert soft.wait_event("ended")["reason"] == "remote"
    assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])

    mark = soft.mark()
    bob.call(pbx.uri("1001"))
    incoming = soft.wait_for(lambda e: e.get("event") == "incoming", 10, since=mark, what="incoming")
    assert incoming["number"] == "1002", incoming
    bob.wait_state("confirmed")
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    soft.wait_for(lambda e: e.get("event") == "ended", 10, since=mark, what="ended")
    assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])
    soft.close()
    assert_hears(soft.record, PJ_TONE, [SOFT_TONE])
