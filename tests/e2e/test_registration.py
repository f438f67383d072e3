"""Phones register to the PBX with digest auth; wrong credentials are refused."""

import pytest

from harness.calls import BARESIP_TONE, PJ_TONE


def test_pjsua2_and_baresip_register_with_digest_auth(pbx, phones):
    alice = phones.pj("alice", PJ_TONE)
    alice.register(pbx.addr, "1001", pbx.ext["1001"].password, display="Alice")
    bob = phones.baresip("bob", BARESIP_TONE, registrar=pbx.addr, user="1002",
                         password=pbx.ext["1002"].password, display="Bob")

    assert alice.wait_registration() == 200, alice.last_reg
    assert bob.wait_registration() == 200, bob.last_reg


def test_registration_over_tcp_succeeds(pbx, phones):
    alice = phones.pj("alice", PJ_TONE, transport="tcp")
    alice.register(pbx.addr, "1001", pbx.ext["1001"].password)
    assert alice.wait_registration() == 200, alice.last_reg


@pytest.mark.parametrize("kind", ["pjsua2", "baresip"])
def test_wrong_password_is_refused(pbx, phones, kind):
    wrong = pbx.ext["1001"].password + "x"
    if kind == "pjsua2":
        phone = phones.pj("mallory", PJ_TONE)
        phone.register(pbx.addr, "1001", wrong)
    else:
        phone = phones.baresip("mallory", BARESIP_TONE, registrar=pbx.addr, user="1001", password=wrong)
    assert phone.wait_registration() in (401, 403), phone.last_reg


def test_unknown_user_is_refused(pbx, phones):
    phone = phones.pj("mallory", PJ_TONE)
    phone.register(pbx.addr, "4711", "guess")
    assert phone.wait_registration() in (401, 403, 404), phone.last_reg


def test_a_refused_phone_cannot_be_called(pbx, phones):
    alice = phones.pj_registered(pbx, "1001")
    mallory = phones.pj("mallory", PJ_TONE)
    mallory.register(pbx.addr, "1002", "not-the-password")
    assert mallory.wait_registration() in (401, 403)

    alice.call(pbx.uri("1002"))
    assert alice.wait_disconnected() == 480
    assert not mallory.find(lambda e: e["type"] == "incoming")
