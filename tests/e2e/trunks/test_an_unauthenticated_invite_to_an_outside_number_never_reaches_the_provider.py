"""A stranger cannot make the PBX call out: an unauthenticated INVITE for an outside
number is challenged and nothing reaches the provider, even though an extension that
is allowed to call out would be sent through the trunk with that very number."""

import time

from harness.admin import registration_trunk, route
from harness.calls import PJ_TONE

OUTSIDE = "02071234567"


def test_an_unauthenticated_invite_to_an_outside_number_never_reaches_the_provider(office, provider, stranger,
                                                                                   phones):
    phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    trunk = office.save_trunk(registration_trunk(provider))
    office.save_outbound_routes([route([trunk["id"]], ["0."], strip=1, prepend="+44")])
    office.set_outbound_permission("1001", True)
    provider.wait_binding()
    answerer = provider.accept_calls()

    # From an address no phone registered from, claiming to be the allowed extension.
    call = stranger.call(OUTSIDE, target=f"sip:{OUTSIDE}@{office.addr}", display="Alice", caller="1001")
    assert call.wait_final() == 401, [r.code for r in call.responses]
    time.sleep(2)
    assert not answerer.attempts, f"an INVITE reached the provider: {answerer.attempts}"
    assert not provider.outbound_calls(), "the provider saw an outbound call"
    assert not call.audio.packets_in, "media flowed on a refused call"
    assert office.trunk_state(trunk["id"])["lines_in_use"] == 0
