"""Where a provider call goes: number formats, unknown numbers, caller names, refusals, hours."""

import time
from datetime import datetime, timezone

import pytest

from harness.admin import dest, registration_trunk
from harness.business import SALES_GROUP, SALES_NAME, SALES_NUMBER, SALES_TYPED, sales_office
from harness.calls import PJ_TONE, PJ_TONE_2
from harness.provider import CALLER_NAME, CALLER_NUMBER


@pytest.mark.parametrize("sent", ["+442071234567", "00442071234567", "+44-20-7123-4567"])
def test_the_business_number_matches_in_any_format(office, provider, phones, sent):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    sales_office(office, provider, members=["1001"])
    call = provider.call(sent)
    incoming = alice.wait_incoming()
    assert incoming["display"] == f"[Sales] {CALLER_NAME}", incoming
    call.hangup()
    alice.wait_disconnected()


def test_a_caller_without_a_name_is_shown_by_number(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    sales_office(office, provider, members=["1001"])
    call = provider.call(SALES_NUMBER, display="")
    incoming = alice.wait_incoming()
    assert incoming["display"] == f"[Sales] {CALLER_NUMBER}", incoming
    call.hangup()
    alice.wait_disconnected()


def test_a_number_that_matches_no_name_goes_to_the_trunks_default_destination(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    office.save_ring_group(SALES_GROUP, "Sales", ["1001"])
    trunk = office.save_trunk(registration_trunk(provider, default=dest("extension", "1002")))
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("ring_group", SALES_GROUP), label="Sales",
                              trunk=trunk["id"])
    provider.wait_binding()

    call = provider.call("+442079999999")
    incoming = bob.wait_incoming()
    assert CALLER_NAME in incoming["display"] and "[Sales]" not in incoming["display"], incoming
    call.wait_ringing()
    assert not alice.find(lambda e: e["type"] == "incoming"), "sales rang for another number"
    call.hangup()
    bob.wait_disconnected()


def test_a_name_sent_to_hang_up_is_declined(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    trunk = office.save_trunk(registration_trunk(provider))
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("hangup"), label="Sales", trunk=trunk["id"])
    provider.wait_binding()
    call = provider.call(SALES_NUMBER)
    assert call.wait_final() == 603, [r.code for r in call.responses]
    assert not alice.find(lambda e: e["type"] == "incoming")


# Voicemail for a number whose mailbox is off (a room that does not exist cannot be chosen).
@pytest.mark.parametrize("kind,reason", [("voicemail", "the number has no mailbox")])
def test_destinations_that_cannot_take_the_call_answer_480_and_say_why(office, provider, kind, reason):
    trunk = office.save_trunk(registration_trunk(provider))
    target = "1001" if kind == "voicemail" else "800"
    office.save_business_name(SALES_NAME, SALES_TYPED, dest(kind, target), label="Sales", trunk=trunk["id"])
    provider.wait_binding()
    call = provider.call(SALES_NUMBER)
    assert call.wait_final() == 480, [r.code for r in call.responses]
    record = office.wait_history(lambda r: r.get("business_name") == SALES_NAME)
    assert record["reason"] == reason, record


def test_in_order_group_moves_on_after_the_ring_time_then_to_the_final_destination(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    carol = phones.pj_registered(office, "1003", tone_hz=1000)
    office.save_ring_group(SALES_GROUP, "Sales", ["1001", "1002"], strategy="in_order", ring_seconds=3,
                           final=dest("extension", "1003"))
    trunk = office.save_trunk(registration_trunk(provider))
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("ring_group", SALES_GROUP), label="Sales",
                              trunk=trunk["id"])
    provider.wait_binding()

    call = provider.call(SALES_NUMBER)
    alice.wait_incoming()
    assert not bob.find(lambda e: e["type"] == "incoming"), "in order: the second member waits its turn"
    bob.wait_incoming(timeout=10)
    alice.wait_disconnected()
    incoming = carol.wait_incoming(timeout=10)
    bob.wait_disconnected()
    assert incoming["display"] == f"[Sales] {CALLER_NAME}", incoming
    carol.answer()
    call.wait_answered()
    call.hangup()
    carol.wait_disconnected()
    record = office.wait_history(lambda r: r.get("business_name") == SALES_NAME)
    assert record["answered_by"] == "1003", record


def test_an_extension_can_call_the_ring_group_number(office, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    office.save_ring_group(SALES_GROUP, "Sales", ["1002"])
    alice.call(office.uri(SALES_GROUP))
    incoming = bob.wait_incoming()
    assert "Alice" in incoming["display"] or "1001" in incoming["from"], incoming
    bob.answer()
    alice.wait_state("confirmed")
    alice.hangup()
    bob.wait_disconnected()


def _pai_trunk(office, provider, trust: bool):
    office.save_ring_group(SALES_GROUP, "Sales", ["1001"])
    config = registration_trunk(provider)
    config["trust_pai"] = trust
    trunk = office.save_trunk(config)
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("ring_group", SALES_GROUP), label="Sales",
                              trunk=trunk["id"])
    provider.wait_binding()


@pytest.mark.parametrize("trust,shown", [(True, "[Sales] Real Name"), (False, f"[Sales] {CALLER_NAME}")])
def test_p_asserted_identity_names_the_caller_only_from_a_trusted_trunk(office, provider, phones, trust, shown):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    _pai_trunk(office, provider, trust)
    call = provider.call(SALES_NUMBER, headers=[("P-Asserted-Identity",
                                                 f'"Real Name" <sip:+447700900999@{provider.addr}>')])
    incoming = alice.wait_incoming()
    assert incoming["display"] == shown, incoming
    call.hangup()
    alice.wait_disconnected()


@pytest.mark.parametrize("holiday_today,rings", [(False, "1001"), (True, "1002")])
def test_business_hours_choose_the_destination(office, provider, phones, holiday_today, rings):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    # Open all day every day in UTC, so only the holiday decides (a minute is left out at
    # midnight: don't start in it).
    now = datetime.now(timezone.utc)
    if now.hour == 23 and now.minute == 59:
        time.sleep(61)
        now = datetime.now(timezone.utc)
    periods = [{"day": d, "open": "00:00", "close": "23:59"} for d in range(1, 8)]
    holidays = [{"date": now.strftime("%Y-%m-%d"), "name": "Closed today"}] if holiday_today else []
    schedule = office.save_schedule("Office hours", "UTC", periods, holidays, dest("extension", "1001"),
                                    dest("extension", "1002"))
    trunk = office.save_trunk(registration_trunk(provider))
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("hours", schedule["id"]), label="Sales",
                              trunk=trunk["id"])
    provider.wait_binding()

    call = provider.call(SALES_NUMBER)
    chosen, other = (alice, bob) if rings == "1001" else (bob, alice)
    incoming = chosen.wait_incoming()
    assert incoming["display"] == f"[Sales] {CALLER_NAME}", incoming
    call.wait_ringing()
    assert not other.find(lambda e: e["type"] == "incoming"), "the other destination rang too"
    call.hangup()
    chosen.wait_disconnected()


@pytest.mark.parametrize("request_uri_user", ["number", "account"])
def test_the_number_is_found_wherever_the_provider_puts_it(office, provider, phones, request_uri_user):
    """Some providers put the number in the Request-URI, others only in To (RFC 3261 §8.1.1.1)."""
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    sales_office(office, provider, members=["1001"])
    user = SALES_NUMBER if request_uri_user == "number" else provider.username
    call = provider.call(SALES_NUMBER, target=f"sip:{user}@{office.addr}")
    incoming = alice.wait_incoming()
    assert incoming["display"] == f"[Sales] {CALLER_NAME}", incoming
    call.hangup()
    alice.wait_disconnected()


def test_a_caller_who_gives_up_is_recorded_with_the_business_name(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    sales_office(office, provider, members=["1001"])
    call = provider.call(SALES_NUMBER)
    alice.wait_incoming()
    call.wait_ringing()
    call.hangup()  # CANCEL while ringing
    assert call.wait_final() == 487
    alice.wait_disconnected()
    record = office.wait_history(lambda r: r.get("business_name") == SALES_NAME)
    assert record["outcome"] == "cancelled", record
    assert record["answered_by"] is None, record
    assert record["caller_name"] == CALLER_NAME, record
