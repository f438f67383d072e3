"""Calls that cannot be connected fail with the right status and call record."""

from harness.calls import ring


def test_extension_without_a_phone_gives_480(pbx, phones):
    alice = phones.pj_registered(pbx, "1001")
    alice.call(pbx.uri("1003"))  # Carol exists but never registered
    assert alice.wait_disconnected() == 480
    assert pbx.wait_cdr("1001", "1003")["outcome"] == "unavailable"


def test_unknown_number_gives_404(pbx, phones):
    alice = phones.baresip_registered(pbx, "1001")
    alice.call(pbx.uri("9999"))
    assert alice.wait_disconnected() == 404
    assert pbx.wait_cdr("1001", "9999")["outcome"] == "not_found"


def test_busy_callee_gives_486_to_the_caller(pbx, phones):
    alice = phones.pj_registered(pbx, "1001")
    bob = phones.baresip_registered(pbx, "1002")

    ring(alice, bob, pbx.uri("1002"))
    bob.reject(486)

    assert alice.wait_disconnected() == 486
    cdr = pbx.wait_cdr("1001", "1002")
    assert cdr["outcome"] == "busy", cdr


def test_busy_pjsua2_callee_gives_486_to_a_baresip_caller(pbx, phones):
    alice = phones.baresip_registered(pbx, "1001")
    bob = phones.pj_registered(pbx, "1002")

    ring(alice, bob, pbx.uri("1002"))
    bob.reject(486)

    assert alice.wait_disconnected() == 486
    assert pbx.wait_cdr("1001", "1002")["outcome"] == "busy"
