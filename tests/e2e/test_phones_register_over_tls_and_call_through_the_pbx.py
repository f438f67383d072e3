"""SIP over TLS: the PBX serves TLS next to UDP/TCP with the certificate it generated. A
pjsua2 phone trusting that certificate registers over TLS and calls a UDP phone, tones
both ways; the built-in softphone pinned to the certificate's fingerprint registers and
calls over TLS, and with a wrong fingerprint it is refused with a clear error."""

from __future__ import annotations

import hashlib
import ssl
import subprocess
import time
from types import SimpleNamespace

import pytest

from harness import net
from harness.calls import BARESIP_TONE, PJ_TONE, TALK_S, assert_two_way_audio, connect, talk_and_hang_up
from harness.pbx import Pbx, find_binary
from harness.tones import assert_hears
from test_the_softphone_calls_and_is_called_through_the_pbx import SOFT_TONE, SoftPhone


class TlsPbx(Pbx):
    """The harness's PBX with SIP over TLS on a port of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tls_port = net.free_port()

    @property
    def tls_addr(self) -> str:
        return f"127.0.0.1:{self.tls_port}"

    def serve_args(self) -> list[str]:
        return super().serve_args() + ["--tls-listen", self.tls_addr]

    @property
    def cert_path(self):
        return self.data_dir / "tls" / "cert.pem"

    def fingerprint(self) -> str:
        """SHA-256 of the certificate the PBX made, computed here from its file."""
        der = ssl.PEM_cert_to_DER_cert(self.cert_path.read_text())
        return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


@pytest.fixture
def tls_pbx(switchboard_bin, tmp_path):
    p = TlsPbx(switchboard_bin, tmp_path / "pbx")
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def test_a_pjsua2_phone_registers_over_tls_and_calls_a_udp_phone_with_tones_both_ways(tls_pbx, phones):
    alice = phones.pj("alice", tone_hz=PJ_TONE, transport="tls", tls_ca=str(tls_pbx.cert_path))
    alice.register(tls_pbx.tls_addr, "1001", tls_pbx.ext["1001"].password, display="Alice")
    assert alice.wait_registration() == 200, alice.last_reg
    bob = phones.baresip_registered(tls_pbx, "1002", tone_hz=BARESIP_TONE)

    incoming = connect(alice, bob, f"sip:1002@{tls_pbx.tls_addr};transport=tls")
    assert "1001" in incoming["from"], incoming
    talk_and_hang_up(alice, bob)
    assert_two_way_audio(alice, bob)

    # And the other way: the PBX reaches alice down her TLS connection.
    incoming = connect(bob, alice, tls_pbx.uri("1001"))
    assert "1002" in incoming["from"], incoming
    talk_and_hang_up(bob, alice, hang_up=alice)
    assert_two_way_audio(bob, alice)


def test_the_softphone_pinned_to_the_fingerprint_registers_and_calls_over_tls(tls_pbx, phones, tmp_path):
    bob = phones.pj_registered(tls_pbx, "1002", tone_hz=PJ_TONE)
    # The softphone's server is the PBX's TLS address.
    at_tls = SimpleNamespace(addr=tls_pbx.tls_addr, ext=tls_pbx.ext)
    soft = SoftPhone(tmp_path, at_tls, "1001", "--tls", "--fingerprint", tls_pbx.fingerprint(),
                     "--dial", "1002")
    phones.all.append(soft)
    assert soft.wait_event("registered")["expires"] > 0, soft.log_text()

    bob.wait_incoming()
    bob.answer()
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    soft.wait_event("ended")
    soft.close()

    assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])
    assert_hears(soft.record, PJ_TONE, [SOFT_TONE])


def test_the_softphone_refuses_a_server_whose_certificate_has_another_fingerprint(tls_pbx, tmp_path):
    wrong = ":".join(["00"] * 32)
    res = subprocess.run(
        [str(find_binary()), "phone", "--server", tls_pbx.tls_addr, "--user", "1001",
         "--password", tls_pbx.ext["1001"].password, "--tone", "440", "--record", str(tmp_path / "heard.wav"),
         "--tls", "--fingerprint", wrong],
        capture_output=True, text=True, timeout=30)
    assert res.returncode != 0, res
    assert "fingerprint" in res.stderr, res.stderr
    assert tls_pbx.fingerprint() in res.stderr, res.stderr
    assert '"registered"' not in res.stdout, res.stdout
