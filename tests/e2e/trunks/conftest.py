"""Fixtures for the trunk tests: a simulated provider and a PBX with its admin API.

- `provider`: a registrar and caller on 127.0.0.3 (harness/provider.py),
  closed after the test; its SIP log is attached to a failing test's report.
- `stranger`: a second such user agent on another loopback address: someone who is not the trunk.
- `office`: a fresh `switchboard serve` with its admin API on a known port and
  extensions 1001 Alice, 1002 Bob and 1003 Carol (no trunk yet).
"""

from __future__ import annotations

import pytest

from harness.admin import AdminPbx
from harness.provider import Provider


def _attach(node, thing) -> None:
    # The same list the top-level conftest reads when a test fails.
    if not hasattr(node, "_e2e_artifacts"):
        node._e2e_artifacts = []
    node._e2e_artifacts.append(thing)


# The provider has a loopback address of its own: the PBX takes every INVITE from a
# registration trunk's address (any port) as the trunk's, so a provider sharing
# 127.0.0.1 with the phones would turn the phones' own calls into trunk calls.
PROVIDER_HOST = "127.0.0.3"


@pytest.fixture
def provider(tmp_path, request):
    p = Provider(tmp_path, "provider", host=PROVIDER_HOST)
    _attach(request.node, p)
    yield p
    p.close()


@pytest.fixture
def stranger(tmp_path, request):
    # Another address (127.0.0.2): the PBX takes a registration trunk's calls from the
    # provider's address whatever the port, so a stranger must come from elsewhere.
    p = Provider(tmp_path, "stranger", username="nobody", password="nothing", host="127.0.0.2")
    _attach(request.node, p)
    yield p
    p.close()


@pytest.fixture
def office_factory(switchboard_bin, tmp_path, request):
    made: list[AdminPbx] = []

    def make(name: str = "pbx") -> AdminPbx:
        p = AdminPbx(switchboard_bin, tmp_path / name)
        made.append(p)
        _attach(request.node, p)
        return p

    yield make
    for p in made:
        p.stop()


@pytest.fixture
def office(office_factory) -> AdminPbx:
    p = office_factory()
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.add_extension("1003", "Carol")
    p.start()
    return p
