"""The PBX logs in to the provider: REGISTER, digest answer to the challenge, live status."""

from harness import net, sipmsg
from harness.admin import registration_trunk


def test_the_pbx_registers_to_the_provider_with_digest_auth(office, provider):
    trunk = office.save_trunk(registration_trunk(provider, expires=300))

    binding = provider.wait_binding(timeout=20)
    codes = [r.code for r in provider.registers]
    assert codes[:2] == [401, 200], [str(r) for r in provider.registers]
    first, answered = provider.registers[0].request, provider.registers[1].request
    assert first.get("authorization") is None, "credentials are sent in answer to a challenge, not before"
    assert sipmsg.uri_user(sipmsg.name_addr(answered.get("to") or "").uri) == provider.username

    # The contact is the PBX's own SIP address with the trunk's contact user, and the
    # REGISTER came from the PBX's SIP socket, so the provider's calls reach it.
    contact_user = office.trunk_config(trunk["id"])["auth"]["contact_user"]
    assert contact_user, "a registration trunk gets a generated contact user"
    assert binding.user == contact_user, binding
    assert sipmsg.uri_hostport(binding.contact) == (net.HOST, office.port), binding
    assert binding.source == (net.HOST, office.port), binding

    fields = office.wait_trunk_status(trunk["id"], "registered")
    assert 0 < int(fields["expires_in"]) <= 300, fields


def test_stopping_the_pbx_takes_its_registration_off_the_provider(office, provider):
    office.save_trunk(registration_trunk(provider, expires=300))
    provider.wait_binding(timeout=20)

    # RFC 3261 §10.2.2: on a clean stop the PBX sends Expires: 0, so the provider stops
    # offering calls to an address that no longer answers.
    assert office.stop() == 0, office.log_tail()
    assert provider.binding() is None, [str(r) for r in provider.registers]
