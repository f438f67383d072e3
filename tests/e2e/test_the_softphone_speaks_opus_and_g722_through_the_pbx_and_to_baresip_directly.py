"""The built-in softphone (`switchboard phone`, headless) offers Opus, G.722 and G.711 and
follows the answer: through the PBX it talks Opus to an Opus-only baresip and G.722 to a
G.722-only pjsua2 phone; and with no PBX between, it calls a baresip phone directly in
Opus, and is called by it at the address it listens on. Tones pass both ways every time,
and the softphone reports the codec it uses."""

from __future__ import annotations

import time

from harness.calls import BARESIP_TONE, PJ_TONE, TALK_S
from harness.tones import assert_hears
from test_the_softphone_calls_and_is_called_through_the_pbx import SoftPhone

# Apart from both other phones' tones.
SOFT_TONE = 600


def _softphone(phones, tmp_path, pbx, number, *extra) -> SoftPhone:
    soft = SoftPhone(tmp_path, pbx, number, "--file-rate", "16000", *extra, tone_hz=SOFT_TONE)
    phones.all.append(soft)
    assert soft.wait_event("registered")["expires"] > 0
    return soft


def _assert_baresip_spoke_opus(phone) -> None:
    log = phone.log_text()
    assert "Set audio encoder: opus" in log, f"baresip did not send Opus:\n{log[-2000:]}"


def test_the_softphone_calls_an_opus_only_baresip_through_the_pbx_in_opus(pbx, phones, tmp_path):
    bob = phones.baresip_registered(pbx, "1002", tone_hz=BARESIP_TONE, audio_codecs="opus/48000/2")
    soft = _softphone(phones, tmp_path, pbx, "1001", "--dial", "1002")

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    codec = soft.wait_event("codec")
    assert (codec["codec"], codec["clock_rate"]) == ("opus", 48000), codec
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    assert soft.wait_event("ended")["reason"] == "remote"
    soft.close()

    _assert_baresip_spoke_opus(bob)
    assert_hears(bob.last_recording(), SOFT_TONE, [BARESIP_TONE])
    assert_hears(soft.record, BARESIP_TONE, [SOFT_TONE])


def test_a_g722_only_pjsua2_phone_calls_the_softphone_which_answers_in_g722(pbx, phones, tmp_path):
    alice = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE, codecs=["G722/"])
    soft = _softphone(phones, tmp_path, pbx, "1001", "--auto-answer")

    alice.call(pbx.uri("1001"))
    soft.wait_event("incoming")
    alice.wait_state("confirmed")
    soft.wait_event("answered")
    codec = soft.wait_event("codec")
    assert (codec["codec"], codec["clock_rate"]) == ("G722", 8000), codec
    time.sleep(TALK_S)
    alice.hangup()
    alice.wait_disconnected()
    soft.wait_event("ended")
    soft.close()

    assert_hears(alice.last_recording(), SOFT_TONE, [PJ_TONE])
    assert_hears(soft.record, PJ_TONE, [SOFT_TONE])


def test_the_softphone_calls_baresip_directly_without_a_pbx_in_opus(phones, tmp_path, switchboard_bin):
    bob = phones.baresip("bob", tone_hz=BARESIP_TONE, audio_codecs="opus/48000/2,PCMU/8000/1")
    target = f"sip:bob@127.0.0.1:{bob.port}"
    soft = DirectSoftPhone(tmp_path, f"127.0.0.1:{bob.port}", target)
    phones.all.append(soft)

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    codec = soft.wait_event("codec")
    assert codec["codec"] == "opus", codec
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    assert soft.wait_event("ended")["reason"] == "remote"
    soft.close()

    assert not any(e.get("event") == "registered" for e in soft.events), soft.log_text()
    _assert_baresip_spoke_opus(bob)
    assert_hears(bob.last_recording(), SOFT_TONE, [BARESIP_TONE])
    assert_hears(soft.record, BARESIP_TONE, [SOFT_TONE])


def test_baresip_calls_the_softphone_directly_without_a_pbx(phones, tmp_path):
    bob = phones.baresip("bob", tone_hz=BARESIP_TONE, audio_codecs="opus/48000/2,PCMU/8000/1")
    soft = DirectSoftPhone(tmp_path, f"127.0.0.1:{bob.port}", None, "--listen", "127.0.0.1:0",
                           "--auto-answer")
    phones.all.append(soft)
    listening = soft.wait_event("listening")["address"]

    bob.call(f"sip:alice@{listening}")
    incoming = soft.wait_event("incoming")
    assert incoming["number"] == "bob", incoming
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    assert soft.wait_event("codec")["codec"] == "opus"
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    assert soft.wait_event("ended")["reason"] == "remote"
    soft.close()

    assert not any(e.get("event") == "registered" for e in soft.events), soft.log_text()
    assert_hears(bob.last_recording(), SOFT_TONE, [BARESIP_TONE])
    assert_hears(soft.record, BARESIP_TONE, [SOFT_TONE])


class DirectSoftPhone(SoftPhone):
    """`switchboard phone --no-register`: calls another phone's address (`target`) with no
    PBX, or with `--listen` waits for that phone's call."""

    def __init__(self, workdir, server: str, target: str | None, *extra: str):
        class NoPbx:
            addr = server
            ext = {"alice": type("Ext", (), {"password": "unused"})()}

        dial = ["--dial", target] if target else []
        super().__init__(workdir, NoPbx(), "alice", "--no-register", "--codecs", "opus,pcmu",
                         "--file-rate", "16000", *dial, *extra, tone_hz=SOFT_TONE)
