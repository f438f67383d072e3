"""Call pickup with pjsua2 phones: Carol dials *8 and Bob's extension while Bob's phone
rings; she gets the call, Bob's phone stops ringing, and Alice and Carol hear each other."""

from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, assert_two_way_audio, talk_and_hang_up

CAROL_TONE = 1100


def test_carol_picks_up_the_call_ringing_at_bob(pbx, phones):
    alice = phones.pj_registered(pbx, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(pbx, "1003", tone_hz=CAROL_TONE)
    alice.call(pbx.uri("1002"))
    bob.wait_incoming()
    alice.wait_state("early")

    carol.call(pbx.uri("*81002"))
    carol.wait_state("confirmed")
    alice.wait_state("confirmed")
    bob.wait_disconnected()

    talk_and_hang_up(alice, carol, talk_s=TALK_S)
    assert_two_way_audio(alice, carol, others=(bob,))
