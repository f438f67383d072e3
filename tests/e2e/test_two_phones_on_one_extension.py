"""An extension with two phones: both ring, the first to answer gets the call."""

from harness.calls import BARESIP_TONE, PJ_TONE, PJ_TONE_2, assert_two_way_audio, talk_and_hang_up


def test_both_ring_first_answer_wins_the_other_stops(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    desk = phones.pj_registered(pbx, "1002", name="bob-desk", tone_hz=PJ_TONE_2)
    laptop = phones.baresip_registered(pbx, "1002", name="bob-laptop", tone_hz=BARESIP_TONE)

    alice.call(pbx.uri("1002"))
    desk.wait_incoming()
    laptop.wait_incoming()
    alice.wait_state("early")

    desk.answer()
    alice.wait_state("confirmed")
    desk.wait_state("confirmed")
    laptop.wait_disconnected()
    assert not laptop.is_ringing()
    assert not laptop.find(lambda e: e["type"] == "state" and e["state"] == "confirmed")

    talk_and_hang_up(alice, desk)
    assert_two_way_audio(alice, desk, others=(laptop,))
    assert pbx.wait_cdr("1001", "1002")["outcome"] == "answered"
