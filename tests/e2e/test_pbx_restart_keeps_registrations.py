"""Registrations survive a PBX restart: phones need not re-register to be reached."""

from harness.calls import BARESIP_TONE, PJ_TONE, assert_two_way_audio, connect, talk_and_hang_up


def test_call_reaches_phones_registered_before_a_restart(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.baresip_registered(pbx, "1002", tone_hz=BARESIP_TONE)
    regs_before = len(alice.find(lambda e: e["type"] == "reg")), len(bob.find(lambda e: e["type"] == "reg"))

    pbx.restart()

    connect(alice, bob, pbx.uri("1002"))
    talk_and_hang_up(alice, bob)
    assert_two_way_audio(alice, bob)

    regs_after = len(alice.find(lambda e: e["type"] == "reg")), len(bob.find(lambda e: e["type"] == "reg"))
    assert regs_after == regs_before, "a phone re-registered; the test no longer proves persistence"
    assert pbx.exit_codes == [0], f"serve did not exit cleanly on SIGTERM: {pbx.exit_codes}"


def test_reverse_call_after_a_restart(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.baresip_registered(pbx, "1002", tone_hz=BARESIP_TONE)

    pbx.restart()

    connect(bob, alice, pbx.uri("1001"))
    talk_and_hang_up(bob, alice)
    assert_two_way_audio(alice, bob)
