"""Call forwarding to an outside number for a provider's call: sales.acme rings Alice
(1001), who forwards every call to her mobile. The PBX sends the call back out through the
trunk on a second line (with the provider's 407 answered), the caller and the "mobile"
hear each other, Alice's desk phone never rings, and both lines are free afterwards.
"""

import time

from harness.admin import dest, registration_trunk, route
from harness.business import SALES_LABEL, SALES_NAME, SALES_TYPED, SALES_NUMBER, TRUNK_NAME
from harness.calls import PJ_TONE, TALK_S
from harness.provider import PROVIDER_TONE

# The mobile's tone, apart from the caller's and the desk phone's.
MOBILE_TONE = 1300


def test_a_provider_call_to_an_extension_forwarded_to_a_mobile_goes_back_out(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    trunk = office.save_trunk(registration_trunk(provider, name=TRUNK_NAME, channels=2))
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("extension", "1001"), label=SALES_LABEL,
                              trunk=trunk["id"])
    office.save_outbound_routes([route([trunk["id"]], ["0."], strip=1, prepend="+44")])
    office.set_outbound_permission("1001", True)
    provider.wait_binding(timeout=20)
    row = next(r for r in office.api("list_call_forwarding")["extensions"] if r["number"] == "1001")
    office.api("save_call_forwarding", {"forwarding": {**row, "forward_always": "07700900123"}})
    answerer = provider.accept_calls(tone_hz=MOBILE_TONE)

    call = provider.call(SALES_NUMBER)
    out = provider.wait_outbound(1)
    assert out.number == "+447700900123", out.invite.uri
    assert [code for _, code, _ in answerer.attempts] == [407, 200], answerer.attempts
    call.wait_answered()
    assert office.trunk_state(trunk["id"])["lines_in_use"] == 2
    time.sleep(TALK_S)
    call.hangup()
    call.wait_ended()
    out.wait("ended")

    call.assert_hears(MOBILE_TONE, [PROVIDER_TONE, PJ_TONE])
    out.assert_hears(PROVIDER_TONE, [MOBILE_TONE, PJ_TONE])
    assert not alice.find(lambda e: e["type"] == "incoming"), "the desk phone must not ring"
    deadline = time.monotonic() + 5
    while office.trunk_state(trunk["id"])["lines_in_use"] != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert office.trunk_state(trunk["id"])["lines_in_use"] == 0
