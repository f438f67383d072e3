"""Staff outside the office over TLS: the softphone registers to the PBX's SIP-over-TLS
listener through a NAT (harness/nat.py relays the TLS connection from its own address and
port), trusting the PBX by its certificate fingerprint; the PBX calls it down that
connection, with tones both ways. A setup link made by a PBX that serves TLS sets the
remote phone up for TLS, pinned to the certificate the link names."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from harness import net
from harness.admin import AdminPbx
from harness.calls import PJ_TONE, TALK_S
from harness.nat import OUTSIDE_IP, Nat
from harness.tones import assert_hears
from test_a_softphone_behind_a_nat_registers_and_calls_both_ways import ProvisionedPhone
from test_the_softphone_calls_and_is_called_through_the_pbx import SOFT_TONE, SoftPhone


class TlsPbx(AdminPbx):
    """The office PBX also taking SIP over TLS on a port of its own."""

    def __init__(self, binary, workdir):
        super().__init__(binary, workdir)
        self.tls_port = net.free_port()

    def serve_args(self) -> list[str]:
        return super().serve_args() + ["--tls-listen", f"127.0.0.1:{self.tls_port}"]


@pytest.fixture
def pbx(switchboard_bin, tmp_path, request):
    p = TlsPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def test_a_softphone_behind_a_nat_over_tls_is_called_and_calls(pbx, phones, tmp_path):
    fingerprint = pbx.api("get_settings")["tls_fingerprint"]
    assert fingerprint, "the PBX shows its certificate's fingerprint"
    nat = Nat(("127.0.0.1", pbx.tls_port))
    try:
        bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
        server = SimpleNamespace(addr=nat.addr("tcp"), ext=pbx.ext)
        soft = SoftPhone(tmp_path, server, "1001", "--tls", "--fingerprint", fingerprint, "--auto-answer")
        phones.all.append(soft)
        assert soft.wait_event("registered")["expires"] > 0

        regs = [r for r in pbx.api("list_registrations")["registrations"] if r["extension"] == "1001"]
        mapped = {f"{ip}:{port}" for ip, port in nat.mapped["tcp"]}
        assert regs and all(r["address"] in mapped and r["address"].startswith(OUTSIDE_IP) for r in regs), \
            (regs, mapped)

        bob.call(pbx.uri("1001"))
        assert soft.wait_event("incoming")["number"] == "1002"
        bob.wait_state("confirmed")
        soft.wait_event("answered")
        time.sleep(TALK_S)
        bob.hangup()
        bob.wait_disconnected()
        soft.wait_event("ended")
        soft.close()
        assert_hears(soft.record, PJ_TONE, [SOFT_TONE])
        assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])
    finally:
        nat.close()


def test_a_setup_link_from_a_pbx_with_tls_sets_up_a_pinned_tls_phone(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    link = pbx.api("create_setup_link", {"extension": "1001"})["link"]
    soft = ProvisionedPhone(tmp_path, link, "remote1001", "--dial", "1002")
    phones.all.append(soft)
    provisioned = soft.wait_event("provisioned")
    assert provisioned["transport"] == "tls", provisioned
    assert provisioned["server"].endswith(f":{pbx.tls_port}"), provisioned
    assert soft.wait_event("registered")["expires"] > 0
    regs = [r for r in pbx.api("list_registrations")["registrations"] if r["extension"] == "1001"]
    assert [r["transport"] for r in regs] == ["tls"], regs

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
