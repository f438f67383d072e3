"""SRTP towards a phone the PBX calls (RFC 4568 SDES): a pjsua2 phone that takes nothing but
RTP/SAVP, registered over TLS, is *called* by a plain-RTP baresip phone. The PBX offers it
RTP/SAVP with a key of its own; tones go both ways, and on the wire its leg carries no
readable tone while the plain leg does. The same phone then joins a conference room with
the plain phone, and each hears the other through the room's mixer."""

from __future__ import annotations

import time

import pytest

from harness.admin import AdminPbx
from harness.calls import BARESIP_TONE, PJ_TONE, TALK_S, assert_two_way_audio, connect
from harness.tones import analyse
from test_a_phone_with_srtp_calls_a_plain_phone_and_its_leg_is_encrypted import (
    SRTP_80_TAG, LoopbackCapture, pcmu_rtp, tone_share)
from test_phones_register_over_tls_and_call_through_the_pbx import TlsPbx

# "You are the only person in this conference" is over before the tones are measured.
SETTLE_S = 4.0
LISTEN_S = 2.5


class TlsAdminPbx(TlsPbx, AdminPbx):
    """The PBX with SIP over TLS and its admin API (to add a conference room)."""


@pytest.fixture
def office(switchboard_bin, tmp_path, request):
    p = TlsAdminPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def srtp_only_alice(office, phones):
    alice = phones.pj("alice", tone_hz=PJ_TONE, transport="tls", tls_ca=str(office.cert_path),
                      srtp="mandatory", codecs=["PCMU/"])
    alice.register(office.tls_addr, "1001", office.ext["1001"].password, display="Alice")
    assert alice.wait_registration() == 200, alice.last_reg
    return alice


def test_a_plain_phone_calls_an_srtp_only_phone_over_tls_with_tones_both_ways(office, phones):
    alice = srtp_only_alice(office, phones)
    bob = phones.baresip_registered(office, "1002", tone_hz=BARESIP_TONE)

    capture = LoopbackCapture()
    connect(bob, alice, office.uri("1001"))
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    alice.wait_disconnected()
    datagrams = capture.stop()
    assert_two_way_audio(alice, bob)

    log = alice.log_text()
    assert "RTP/SAVP" in log and "a=crypto:" in log, "the PBX did not offer alice SRTP"

    tones = (PJ_TONE, BARESIP_TONE)
    encrypted = [p for d in datagrams if (p := pcmu_rtp(d, SRTP_80_TAG)) is not None]
    plain = [p for d in datagrams if (p := pcmu_rtp(d, 0)) is not None]
    assert len(encrypted) > 100, f"{len(encrypted)} SRTP packets of {len(datagrams)} datagrams"
    toned = [p for p in encrypted if max(tone_share(p, hz) for hz in tones) > 0.3]
    assert not toned, f"{len(toned)} of {len(encrypted)} SRTP payloads are plain tone"
    assert any(tone_share(p, PJ_TONE) > 0.5 for p in plain), "alice's tone never reached the plain leg"


def test_an_srtp_only_phone_joins_a_conference_room_and_hears_a_plain_phone(office, phones):
    office.api("add_conference_room", {"number": "800", "name": "Board"})
    alice = srtp_only_alice(office, phones)
    bob = phones.baresip_registered(office, "1002", tone_hz=BARESIP_TONE)
    alice.call(f"sip:800@{office.tls_addr};transport=tls")
    alice.wait_state("confirmed")
    bob.call(office.uri("800"))
    bob.wait_state("confirmed")
    time.sleep(SETTLE_S)
    heard = alice.restart_recording()
    time.sleep(LISTEN_S)
    alice.stop_recording()
    bob.hangup()
    bob.wait_disconnected()
    heard_bob = bob.last_recording()
    alice.hangup()
    alice.wait_disconnected()

    report = analyse(heard, [BARESIP_TONE, PJ_TONE], skip_s=0.2)
    assert report.fraction(BARESIP_TONE) >= 0.3, f"alice does not hear bob: {report}"
    assert report.fraction(PJ_TONE) <= 0.05, f"alice hears herself: {report}"
    report = analyse(heard_bob, [PJ_TONE, BARESIP_TONE], skip_s=0.0, last_s=LISTEN_S)
    assert report.fraction(PJ_TONE) >= 0.3, f"bob does not hear alice: {report}"
