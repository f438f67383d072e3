"""An INVITE that does not come from the trunk never rings anyone.

It gets the very answer any unauthenticated request gets: the PBX's 401 digest
challenge, the same as for a stranger calling an extension. Each test first
shows the real trunk's call does ring, so the refusal is about the address.
"""

import time

import pytest

from harness import sipmsg
from harness.business import SALES_NAME, SALES_NUMBER, sales_office
from harness.calls import PJ_TONE
from harness.provider import Provider


def _challenge_shape(call) -> list[dict]:
    """Every WWW-Authenticate of the final answer, without the per-challenge values."""
    headers = call.final.get_all("www-authenticate") if call.final is not None else []
    assert headers, f"{call}: no WWW-Authenticate in the {call.final_code}"
    shapes = []
    for header in headers:
        p = sipmsg.auth_params(header)
        assert p.get("nonce"), header
        shapes.append({k: v for k, v in p.items() if k not in ("nonce", "opaque")})
    return sorted(shapes, key=repr)


def _assert_refused_like_any_stranger(office, stranger, call, alice, since: int):
    assert call.wait_final() == 401, [r.code for r in call.responses]
    reference = stranger.call("1001", target=office.uri("1001"), display="Mallory")
    assert reference.wait_final() == 401
    assert _challenge_shape(call) == _challenge_shape(reference)
    time.sleep(2)
    assert not alice.find(lambda e: e["type"] == "incoming", since), "a phone rang for a call that is not the trunk's"
    assert not call.audio.packets_in, "media flowed on a refused call"


def _assert_the_trunk_call_rings(provider, alice, target=None):
    call = provider.call(SALES_NUMBER, target=target)
    alice.wait_incoming()
    call.wait_ringing()
    call.hangup()  # CANCEL
    assert call.wait_final() == 487
    alice.wait_disconnected()


def test_registration_trunk_a_stranger_calling_the_business_number_is_challenged(office, provider, stranger,
                                                                                 phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    sales_office(office, provider, members=["1001"])
    _assert_the_trunk_call_rings(provider, alice)
    mark = alice.mark()

    call = stranger.call(SALES_NUMBER, target=f"sip:{SALES_NUMBER}@{office.addr}")
    _assert_refused_like_any_stranger(office, stranger, call, alice, mark)
    records = [r for r in office.history() if r.get("business_name") == SALES_NAME]
    assert len(records) == 1, f"only the trunk's call reached sales.acme: {records}"


@pytest.mark.parametrize("where", ["another address", "the same address, another port"])
def test_ip_trunk_only_accepts_calls_from_its_address(office, provider, stranger, phones, tmp_path, request, where):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    # The trunk's entry names the provider's port, so even its own address on another port is not the trunk.
    sales_office(office, provider, members=["1001"], mode="ip")
    if where != "another address":
        stranger = Provider(tmp_path, "neighbour", username="nobody", password="nothing", host=provider.host)
        request.node._e2e_artifacts.append(stranger)
    direct = f"sip:{SALES_NUMBER}@{office.addr}"
    try:
        _assert_the_trunk_call_rings(provider, alice, target=direct)
        mark = alice.mark()
        call = stranger.call(SALES_NUMBER, target=direct)
        _assert_refused_like_any_stranger(office, stranger, call, alice, mark)
    finally:
        if where != "another address":
            stranger.close()
