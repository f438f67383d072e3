"""A trunk carries at most its channel count of calls; the next one goes to overflow.

The history marks the call that found every line busy, so the owner can see
when to buy more channels.
"""

from harness.admin import dest
from harness.business import SALES_NUMBER, sales_office
from harness.calls import BARESIP_TONE, PJ_TONE

SECOND_CALLER = "+447700900456"


def _first_call_holds_the_only_line(office, provider, alice, trunk):
    first = provider.call(SALES_NUMBER)
    alice.wait_incoming()
    alice.answer()
    first.wait_answered()
    state = office.trunk_state(trunk["id"])
    assert (state["lines_in_use"], state["channels"]) == (1, 1), state
    return first


def test_a_call_beyond_the_channel_count_goes_to_the_overflow_destination(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    carol = phones.pj_registered(office, "1003", tone_hz=BARESIP_TONE)
    trunk = sales_office(office, provider, members=["1001"], channels=1, overflow=dest("extension", "1003"))
    first = _first_call_holds_the_only_line(office, provider, alice, trunk)

    second = provider.call(SALES_NUMBER, caller=SECOND_CALLER, display="John Roe")
    incoming = carol.wait_incoming()
    assert "John Roe" in incoming["display"], incoming
    second.wait_ringing()
    assert len(alice.find(lambda e: e["type"] == "incoming")) == 1, "the busy group was offered the overflow call"
    carol.answer()
    second.wait_answered()
    second.hangup()
    carol.wait_disconnected()
    first.hangup()
    alice.wait_disconnected()

    overflowed = office.wait_history(lambda r: SECOND_CALLER in r.get("caller_number", ""),
                                     what="the overflow call's record")
    assert overflowed["lines_busy"] is True, overflowed
    assert overflowed["answered_by"] == "1003", overflowed
    normal = office.wait_history(lambda r: SECOND_CALLER not in r.get("caller_number", ""),
                                 what="the first call's record")
    assert normal["lines_busy"] is False, normal
    assert normal["answered_by"] == "1001", normal


def test_without_overflow_a_call_beyond_the_channel_count_is_busy(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=BARESIP_TONE)
    trunk = sales_office(office, provider, members=["1001", "1002"], channels=1)
    first = _first_call_holds_the_only_line(office, provider, alice, trunk)
    bob.wait_disconnected()  # bob's ringing ended when alice answered

    second = provider.call(SALES_NUMBER, caller=SECOND_CALLER)
    assert second.wait_final() == 486, [r.code for r in second.responses]
    assert len(bob.find(lambda e: e["type"] == "incoming")) == 1, "a free phone rang although every line was busy"
    first.hangup()
    alice.wait_disconnected()

    busy = office.wait_history(lambda r: SECOND_CALLER in r.get("caller_number", ""), what="the busy call's record")
    assert busy["lines_busy"] is True, busy
    assert busy["answered_by"] is None, busy
