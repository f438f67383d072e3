"""The softphone encrypts its audio (SRTP with SDES keys, RFC 4568) when it signals over TLS:
with "SRTP required for all phones" the PBX refuses plain offers with 488, so the softphone
(registered over TLS, pinned to the PBX's certificate) only gets through by offering SRTP.
It calls a pjsua2 phone that must encrypt too, and tones pass both ways."""

from __future__ import annotations

import time
from types import SimpleNamespace

from harness.calls import PJ_TONE, TALK_S
from harness.tones import assert_hears
from test_a_phone_with_srtp_calls_a_plain_phone_and_its_leg_is_encrypted import require_srtp
from test_phones_register_over_tls_and_call_through_the_pbx import TlsPbx
from test_the_softphone_calls_and_is_called_through_the_pbx import SOFT_TONE, SoftPhone


def test_the_softphone_over_tls_calls_an_srtp_phone_where_srtp_is_required(
        switchboard_bin, tmp_path, phones):
    pbx = TlsPbx(switchboard_bin, tmp_path / "pbx")
    pbx.add_extension("1001", "Alice")
    pbx.add_extension("1002", "Bob")
    require_srtp(pbx, "all", keys_over_plain_signalling=False)
    pbx.start()
    try:
        bob = phones.pj("bob", tone_hz=PJ_TONE, transport="tls", tls_ca=str(pbx.cert_path),
                        srtp="mandatory", codecs=["PCMU/"])
        bob.register(pbx.tls_addr, "1002", pbx.ext["1002"].password, display="Bob")
        assert bob.wait_registration() == 200, bob.last_reg

        server = SimpleNamespace(addr=pbx.tls_addr, ext=pbx.ext)
        soft = SoftPhone(tmp_path, server, "1001", "--tls", "--fingerprint", pbx.fingerprint(),
                         "--dial", "1002")
        phones.all.append(soft)
        assert soft.wait_event("registered")["expires"] > 0

        bob.wait_incoming()
        bob.answer()
        bob.wait_state("confirmed")
        soft.wait_event("answered")
        codec = soft.wait_event("codec")
        assert codec["encrypted"] is True, codec
        time.sleep(TALK_S)
        bob.hangup()
        bob.wait_disconnected()
        soft.wait_event("ended")
        soft.close()

        log = bob.log_text()
        assert "RTP/SAVP" in log and "a=crypto:" in log, "bob's call was not SRTP"
        assert_hears(soft.record, PJ_TONE, [SOFT_TONE])
        assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])
    finally:
        pbx.stop()
