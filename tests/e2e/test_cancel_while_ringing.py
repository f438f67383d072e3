"""A caller who gives up while the phone rings stops the ringing (CANCEL)."""

from harness.calls import ring


def test_caller_hangs_up_while_ringing(pbx, phones):
    alice = phones.pj_registered(pbx, "1001")
    bob = phones.baresip_registered(pbx, "1002")

    ring(alice, bob, pbx.uri("1002"))
    assert bob.is_ringing()
    alice.hangup()

    assert alice.wait_disconnected() == 487
    bob.wait_disconnected()
    assert not bob.is_ringing()
    assert pbx.wait_cdr("1001", "1002")["outcome"] == "cancelled"


def test_baresip_caller_hangs_up_while_pjsua2_rings(pbx, phones):
    alice = phones.baresip_registered(pbx, "1001")
    bob = phones.pj_registered(pbx, "1002")

    ring(alice, bob, pbx.uri("1002"))
    alice.hangup()

    assert bob.wait_disconnected() == 487
    assert pbx.wait_cdr("1001", "1002")["outcome"] == "cancelled"
