"""A call from the provider to sales.acme rings the Sales group as "[Sales] Jane Doe".

The provider calls the contact the PBX registered, To = the business number;
both phones of the group ring with the business name's label before the
caller's name, the first to answer talks to the caller (audio both ways), the
other stops ringing, and the history keeps the business name and the trunk.
"""

import time

from harness.business import SALES_LABEL, SALES_NAME, SALES_NUMBER, TRUNK_NAME, sales_office, shown_caller
from harness.calls import BARESIP_TONE, PJ_TONE, PJ_TONE_2, TALK_S
from harness.provider import CALLER_NAME, CALLER_NUMBER, PROVIDER_TONE
from harness.tones import assert_hears


def test_provider_call_rings_the_sales_group_with_the_business_name(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(office, "1003", tone_hz=BARESIP_TONE)  # not in the group
    sales_office(office, provider, members=["1001", "1002"])

    call = provider.call(SALES_NUMBER)
    for phone in (alice, bob):
        incoming = phone.wait_incoming()
        assert shown_caller(incoming) == f"[{SALES_LABEL}] {CALLER_NAME}", incoming
    call.wait_ringing()

    alice.answer()
    call.wait_answered()
    alice.wait_state("confirmed")
    bob.wait_disconnected()  # the group stops ringing once someone answered
    time.sleep(TALK_S)
    call.hangup()
    alice.wait_disconnected()

    call.assert_hears(PJ_TONE, [PROVIDER_TONE, PJ_TONE_2])
    assert_hears(alice.last_recording(), PROVIDER_TONE, [PJ_TONE, PJ_TONE_2])
    assert not carol.find(lambda e: e["type"] == "incoming"), "a phone outside the group rang"

    record = office.wait_history(lambda r: r.get("business_name") == SALES_NAME, what="a record for sales.acme")
    assert record["direction"] == "inbound", record
    assert record["trunk"] == TRUNK_NAME, record
    assert record["caller_name"] == CALLER_NAME, record
    assert CALLER_NUMBER in record["caller_number"], record
    assert record["answered_by"] == "1001", record
    assert record["outcome"] == "answered", record
    assert record["lines_busy"] is False, record
    assert 0 < int(record["duration_s"]) <= TALK_S + 3, record


def test_the_line_is_free_again_after_the_call(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    trunk = sales_office(office, provider, members=["1001"], channels=1)

    for caller in ("+447700900001", "+447700900002"):
        # wait_incoming looks from the last call's start; begin a new one so the first
        # call's events don't answer the second wait.
        alice._begin_call()
        call = provider.call(SALES_NUMBER, caller=caller)
        alice.wait_incoming()
        alice.answer()
        call.wait_answered()
        assert office.trunk_state(trunk["id"])["lines_in_use"] == 1
        call.hangup()
        alice.wait_disconnected()
    state = office.trunk_state(trunk["id"])
    assert (state["lines_in_use"], state["channels"]) == (0, 1), state
