"""The PBX renews its registration before the provider's expiry runs out."""

from harness.admin import registration_trunk

GRANTED_S = 20


def test_registration_is_refreshed_before_it_expires(office, provider):
    provider.max_expires = GRANTED_S  # the provider grants less than the trunk asks for
    trunk = office.save_trunk(registration_trunk(provider, expires=300))
    first = provider.wait_binding()

    # A renewal that the provider accepts arrives before the first binding lapses.
    provider.wait_until(lambda: sum(r.code == 200 for r in provider.registers) >= 2, GRANTED_S,
                        "a renewed registration before the granted expiry")
    renewal = [r for r in provider.registers if r.code == 200][1]
    assert renewal.at - first.at < GRANTED_S, [str(r) for r in provider.registers]
    assert provider.binding().contact == first.contact, "the renewal keeps the same contact"
    office.wait_trunk_status(trunk["id"], "registered")
