"""Toll-fraud limits: an extension allowed to call out still gets 403 beyond its number of
calls at once, and for a destination outside the allowed list; neither reaches the provider."""

from harness.admin import registration_trunk, route
from harness.calls import PJ_TONE, PJ_TONE_2


def _limited_office(office, provider):
    trunk = office.save_trunk(registration_trunk(provider))
    office.api("save_outbound_routes", {
        "routes": [route([trunk["id"]], ["0."], strip=1, prepend="+44")],
        "toll_limits": {"allowed_destinations": ["0[1-3]."], "max_outbound_calls": 0,
                        "max_outbound_per_extension": 1, "after_hours_schedule": None},
    })
    office.set_outbound_permission("1001", True)
    provider.wait_binding()
    return trunk


def _refusal(phone) -> tuple[int | None, str]:
    ended = phone.wait_state("disconnected")
    return ended.get("code"), ended.get("reason") or ""


def test_an_extension_over_its_concurrent_limit_gets_403(office, provider, phones):
    desk = phones.pj_registered(office, "1001", name="desk", tone_hz=PJ_TONE)
    mobile = phones.pj_registered(office, "1001", name="mobile", tone_hz=PJ_TONE_2)
    _limited_office(office, provider)
    provider.accept_calls()

    desk.call(office.uri("02071234567"))
    provider.wait_outbound(1)
    desk.wait_state("confirmed")

    mobile.call(office.uri("02079460000"))
    code, reason = _refusal(mobile)
    assert code == 403, (code, reason)
    assert "Too Many Outside Calls" in reason, reason
    assert len(provider.outbound_calls()) == 1, "the second call reached the provider"
    desk.hangup()
    desk.wait_disconnected()


def test_a_destination_outside_the_allowed_list_is_refused(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    _limited_office(office, provider)
    answerer = provider.accept_calls()

    alice.call(office.uri("09061234567"))
    code, reason = _refusal(alice)
    assert code == 403, (code, reason)
    assert reason == "Destination Not Allowed", reason
    assert not answerer.attempts, "the premium-rate number reached the provider"
    record = office.wait_history(lambda r: r.get("direction") == "outbound", what="the refused call's record")
    assert "Destination Not Allowed" in record.get("reason", ""), record
