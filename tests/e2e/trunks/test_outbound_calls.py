"""Extensions call out through the trunk by the outbound routes, if they are allowed to.

The provider challenges the INVITE (407) like a real one; the PBX answers with
the trunk's credentials, sends the number the route made (strip/prepend) and
the From user the provider requires.
"""

import time

from harness.admin import registration_trunk, route
from harness.calls import PJ_TONE, TALK_S
from harness.provider import PROVIDER_TONE, Provider
from harness.tones import assert_hears


def _trunk_with_route(office, provider, from_user=None):
    config = registration_trunk(provider)
    config["from_user"] = from_user
    trunk = office.save_trunk(config)
    # UK style: 0 then a national number leaves as +44 without the 0.
    office.save_outbound_routes([route([trunk["id"]], ["0."], strip=1, prepend="+44")])
    provider.wait_binding()
    return trunk


def _wait_outbound(provider, phone, n: int = 1):
    """The provider's view of the call the phone placed, or why the PBX refused it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if len(provider.outbound_calls()) >= n:
            return provider.outbound_calls()[n - 1]
        ended = phone.find(lambda e: e["type"] == "state" and e["state"] == "disconnected", phone._call_start)
        if ended:
            raise AssertionError(f"the PBX refused the call with {ended[0].get('code')} {ended[0].get('reason')} "
                                 "instead of sending it through the trunk (permission and route were saved "
                                 "through the API just before)")
        time.sleep(0.1)
    return provider.wait_outbound(n, timeout=0.1)


def test_an_allowed_extension_calls_out_through_the_trunk(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    trunk = _trunk_with_route(office, provider, from_user="acct-778")
    office.set_outbound_permission("1001", True)
    answerer = provider.accept_calls()

    alice.call(office.uri("02071234567"))
    out = _wait_outbound(provider, alice)
    assert [code for _, code, _ in answerer.attempts] == [407, 200], answerer.attempts
    assert out.number == "+442071234567", out.invite.uri
    assert out.from_user == "acct-778", out.invite.get("from")
    alice.wait_state("confirmed")
    assert office.trunk_state(trunk["id"])["lines_in_use"] == 1
    time.sleep(TALK_S)
    alice.hangup()
    out.wait("ended")

    out.assert_hears(PJ_TONE, [PROVIDER_TONE])
    assert_hears(alice.last_recording(), PROVIDER_TONE, [PJ_TONE])
    record = office.wait_history(lambda r: r.get("direction") == "outbound", what="the outbound call's record")
    assert record["trunk"] == "Provider", record
    assert record["outcome"] == "answered", record


def test_an_extension_without_permission_cannot_call_out(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    _trunk_with_route(office, provider)
    provider.accept_calls()
    alice.call(office.uri("02071234567"))
    assert alice.wait_disconnected() == 403
    assert not provider.answerer.attempts, "nothing reached the provider"


def test_a_dialled_string_with_other_characters_is_refused(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    _trunk_with_route(office, provider)
    office.set_outbound_permission("1001", True)
    provider.accept_calls()
    alice.call(office.uri("0207abc"))
    assert alice.wait_disconnected() == 484
    assert not provider.answerer.attempts, "nothing reached the provider"


def test_an_emergency_number_goes_out_without_permission(office, provider, phones):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    _trunk_with_route(office, provider)  # no route takes 112, and 1001 may not call out
    provider.accept_calls()
    alice.call(office.uri("112"))
    out = _wait_outbound(provider, alice)
    assert out.number == "112", out.invite.uri
    alice.wait_state("confirmed")
    alice.hangup()
    out.wait("ended")


def test_a_failing_trunk_fails_over_to_the_next_one(office, provider, phones, tmp_path, request):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    backup = Provider(tmp_path, "backup", username="acme-2", password="other", host="127.0.0.4")
    request.node._e2e_artifacts.append(backup)
    try:
        first = office.save_trunk(registration_trunk(provider, name="Main"))
        second = office.save_trunk(registration_trunk(backup, name="Backup"))
        office.save_outbound_routes([route([first["id"], second["id"]], ["0."], strip=1, prepend="+44")])
        office.set_outbound_permission("1001", True)
        provider.wait_binding()
        backup.wait_binding()
        refusing = provider.accept_calls(refuse_with=503)
        backup.accept_calls()

        alice.call(office.uri("02071234567"))
        out = _wait_outbound(backup, alice)
        assert [code for _, code, _ in refusing.attempts] == [503], refusing.attempts
        assert out.number == "+442071234567"
        alice.wait_state("confirmed")
        alice.hangup()
        out.wait("ended")
        record = office.wait_history(lambda r: r.get("direction") == "outbound")
        assert record["trunk"] == "Backup", record
    finally:
        backup.close()
