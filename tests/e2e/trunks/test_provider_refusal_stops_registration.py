"""A provider that refuses the PBX (403, or a wrong password) is not asked again.

Retrying looks like an attack to the provider, so the PBX must stop and show the
owner an alert instead. The quiet period outlasts the shortest retry a backoff
would pick (base 30 s · random 0.5–1), so a PBX that merely backs off fails.
"""

import time

from harness.admin import registration_trunk
from harness.provider import Provider

QUIET_S = 35


def test_403_or_a_wrong_password_stops_re_registration_and_shows_the_alert(office, provider, tmp_path, request):
    provider.reject_register = 403
    locked = office.save_trunk(registration_trunk(provider, name="Locked account"))
    wrong_pw = Provider(tmp_path, "provider-b", username="acme-b", password="right")
    request.node._e2e_artifacts.append(wrong_pw)
    try:
        bad = office.save_trunk(registration_trunk(wrong_pw, name="Old password", password="wrong"))

        provider.wait_registers(1)
        wrong_pw.wait_registers(2)
        reason = office.wait_trunk_status(locked["id"], "rejected").get("reason", "")
        assert "403" in reason or "forbidden" in reason.lower(), \
            f"the alert says what the provider answered: {reason!r}"
        bad_reason = office.wait_trunk_status(bad["id"], "rejected").get("reason", "")
        assert bad_reason.strip(), "the alert says why"

        seen = (provider.register_count(), wrong_pw.register_count())
        time.sleep(QUIET_S)
        assert provider.register_count() == seen[0] == 1, [str(r) for r in provider.registers]
        # One REGISTER, the challenge, one answer with the (wrong) password, refused: no more.
        assert wrong_pw.register_count() == seen[1] == 2, [str(r) for r in wrong_pw.registers]
        assert office.trunk_status(locked["id"])[0] == "rejected"
        assert office.trunk_status(bad["id"])[0] == "rejected"
        assert provider.binding() is None and wrong_pw.binding() is None
    finally:
        wrong_pw.close()
