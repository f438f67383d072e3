"""A caller from the provider who dials conference.acme joins the conference room the
business name leads to: the provider's tone reaches the phone already in the room, and
that phone's tone reaches the caller; the history says the room answered."""

import time

from harness.admin import dest, registration_trunk
from harness.calls import PJ_TONE, TALK_S
from harness.provider import PROVIDER_TONE
from harness.tones import assert_hears

CONFERENCE_NAME = "conference.acme"
CONFERENCE_NUMBER = "+442071234571"


def test_a_provider_call_to_conference_acme_joins_the_room(office, provider, phones):
    office.api("add_conference_room", {"number": "800", "name": "Board"})
    trunk = office.save_trunk(registration_trunk(provider))
    office.save_business_name(CONFERENCE_NAME, CONFERENCE_NUMBER, dest("conference", "800"), label="Conference",
                              trunk=trunk["id"])
    provider.wait_binding()
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    alice.call(office.uri("800"))
    alice.wait_state("confirmed")

    call = provider.call(CONFERENCE_NUMBER)
    call.wait_answered()
    # The join tones and "you are the only person" (played to Alice) are over by then.
    time.sleep(4.0)
    heard = alice.restart_recording()
    time.sleep(TALK_S)
    alice.stop_recording()
    call.hangup()
    alice.hangup()
    alice.wait_disconnected()

    assert_hears(heard, PROVIDER_TONE, [PJ_TONE])
    call.assert_hears(PJ_TONE, [PROVIDER_TONE])
    record = office.wait_history(lambda r: r.get("business_name") == CONFERENCE_NAME)
    assert record["answered_by"] == "conference 800", record
