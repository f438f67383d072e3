"""Staff outside the office: the softphone registers to the PBX through a NAT (a rewriting
relay on loopback, harness/nat.py) over UDP and over TCP. The PBX reaches it through the
NAT's mapping for an incoming call, and a call goes both ways with tones. A setup link sets
up `switchboard phone --provision` once (a second use is refused), and that phone calls."""

from __future__ import annotations

import subprocess
import threading
import time
from types import SimpleNamespace

import pytest

from harness.admin import AdminPbx
from harness.calls import PJ_TONE, TALK_S
from harness.nat import OUTSIDE_IP, Nat
from harness.pbx import find_binary
from harness.phone import Phone
from harness.tones import assert_hears
from test_the_softphone_calls_and_is_called_through_the_pbx import SOFT_TONE, SoftPhone


@pytest.fixture
def pbx(switchboard_bin, tmp_path, request):
    """The office PBX with its admin API, to see where it registered each phone."""
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


@pytest.fixture
def nat(pbx):
    host, port = pbx.addr.rsplit(":", 1)
    n = Nat((host, int(port)))
    yield n
    n.close()


def _behind_nat(phones, tmp_path, pbx, nat, transport, number, *extra) -> SoftPhone:
    # The softphone is given the NAT's inside address as its server.
    server = SimpleNamespace(addr=nat.addr(transport), ext=pbx.ext)
    flags = ["--tcp"] if transport == "tcp" else []
    soft = SoftPhone(tmp_path, server, number, *flags, *extra)
    phones.all.append(soft)
    assert soft.wait_event("registered")["expires"] > 0
    return soft


def _registered_via_nat(pbx, number: str, transport: str, nat: Nat) -> dict:
    """The PBX's registration of `number`: its source must be the NAT's outside mapping."""
    deadline = time.monotonic() + 10
    regs = []
    while time.monotonic() < deadline:
        regs = [r for r in pbx.api("list_registrations")["registrations"] if r["extension"] == number]
        if regs and all(r["address"].startswith(OUTSIDE_IP) for r in regs):
            break
        time.sleep(0.2)
    assert regs, f"{number} is not registered"
    mapped = {f"{ip}:{port}" for ip, port in nat.mapped[transport]}
    for r in regs:
        assert r["address"] in mapped, (r, mapped)
    return regs[0]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_a_softphone_behind_a_nat_is_called_and_calls_with_tones_both_ways(pbx, phones, tmp_path, nat,
                                                                           transport):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _behind_nat(phones, tmp_path, pbx, nat, transport, "1001", "--auto-answer")
    _registered_via_nat(pbx, "1001", transport, nat)

    # In: the PBX reaches the softphone through the NAT's mapping.
    bob.call(pbx.uri("1001"))
    incoming = soft.wait_event("incoming")
    assert incoming["number"] == "1002", incoming
    bob.wait_state("confirmed")
    soft.wait_event("answered")
    time.sleep(TALK_S)
    bob.hangup()
    bob.wait_disconnected()
    soft.wait_event("ended")
    soft.close()
    assert_hears(bob.last_recording(), SOFT_TONE, [PJ_TONE])
    assert_hears(soft.record, PJ_TONE, [SOFT_TONE])


def test_a_softphone_behind_a_nat_over_tcp_calls_out(pbx, phones, tmp_path, nat):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    soft = _behind_nat(phones, tmp_path, pbx, nat, "tcp", "1001", "--dial", "1002")

    bob.wait_incoming()
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


class ProvisionedPhone(SoftPhone):
    """`switchboard phone --provision LINK`: set up from a setup link alone."""

    def __init__(self, workdir, link: str, name: str, *extra: str):
        # SoftPhone's own start takes a password; this one has only the link.
        Phone.__init__(self, name, SOFT_TONE, workdir / name)
        self.record = self.workdir / "heard.wav"
        self.log = self.workdir / "stderr.log"
        args = [str(find_binary()), "phone", "--provision", link, "--tone", str(SOFT_TONE),
                "--record", str(self.record), *extra]
        self._stderr = open(self.log, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()


def test_a_setup_link_sets_up_a_phone_once_and_it_calls(pbx, phones, tmp_path):
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE)
    made = pbx.api("create_setup_link", {"extension": "1001"})
    link = made["link"]
    assert pbx.ext["1001"].password not in link

    soft = ProvisionedPhone(tmp_path, link, "remote1001", "--dial", "1002")
    phones.all.append(soft)
    provisioned = soft.wait_event("provisioned")
    assert provisioned["user"] == "1001", provisioned
    assert soft.wait_event("registered")["expires"] > 0
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

    # The link is spent: a second copy of the app is refused and does not start.
    again = ProvisionedPhone(tmp_path, link, "again1001")
    phones.all.append(again)
    assert again.proc.wait(timeout=20) != 0
    again.close()
    assert "refused" in again.log.read_text(errors="replace")
    states = {s["extension"]: s["state"] for s in pbx.api("list_setup_links")["links"]}
    assert states == {"1001": "used"}
