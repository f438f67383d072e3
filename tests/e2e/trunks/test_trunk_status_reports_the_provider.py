"""The trunk's live status tells the owner what the provider answered, and the PBX acts on it.

Retry-After is honoured (no retry before it); an answer the PBX does
not understand is shown in the status and the log; a switched-off trunk does
not sign in and one switched on does; a removed trunk signs out.
"""

import time

from harness.admin import registration_trunk

# Longer than any first backoff (30 s · 2 · random 0.5–1 ≤ 60 s), so only Retry-After explains it.
RETRY_AFTER_S = 90


def test_503_with_retry_after_is_not_retried_before_that_time(office, provider):
    provider.reject_register = 503
    provider.reject_headers = [("Retry-After", f"{RETRY_AFTER_S} (maintenance)")]
    trunk = office.save_trunk(registration_trunk(provider))

    provider.wait_registers(1)
    fields = office.wait_trunk_status(trunk["id"], "failing")
    assert "503" in fields.get("reason", ""), fields
    assert RETRY_AFTER_S - 1 <= int(fields["retry_in"]) <= RETRY_AFTER_S + 1, fields
    provider.reject_register = None  # back in service, but the PBX was told to wait
    time.sleep(5)
    assert provider.register_count() == 1, [str(r) for r in provider.registers]


def test_an_answer_the_pbx_does_not_understand_is_shown_in_the_status(office, provider):
    provider.reject_register = 499
    provider.reject_reason = "Out Of Coffee"
    trunk = office.save_trunk(registration_trunk(provider))
    provider.wait_registers(1)

    deadline = time.monotonic() + 10
    while True:
        kind, fields = office.trunk_status(trunk["id"])
        if kind in ("failing", "rejected") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert kind == "failing", (kind, fields)
    assert "499" in fields.get("reason", ""), f"the status names what the provider answered: {fields}"
    assert "499" in office.log_tail(), "the PBX log records the odd answer"


def test_a_switched_off_trunk_does_not_sign_in_and_one_switched_on_does(office, provider):
    config = registration_trunk(provider)
    config["enabled"] = False
    trunk = office.save_trunk(config)
    office.wait_trunk_status(trunk["id"], "disabled")
    time.sleep(2)
    assert provider.register_count() == 0, [str(r) for r in provider.registers]

    office.save_trunk({**office.trunk_config(trunk["id"]), "enabled": True, "password": provider.password})
    provider.wait_binding()
    office.wait_trunk_status(trunk["id"], "registered")


def test_a_removed_trunk_signs_out(office, provider):
    trunk = office.save_trunk(registration_trunk(provider))
    provider.wait_binding()
    office.api("remove_trunk", {"id": trunk["id"]})
    provider.wait_until(lambda: provider.binding() is None, 10, "the registration removed (Expires: 0)")
    assert all(t.get("trunk", t).get("id") != trunk["id"] for t in office.trunks())
