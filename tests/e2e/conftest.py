"""Fixtures for the end-to-end tests.

- `phones`: a factory for pjsua2 and baresip phones, closed after the test.
- `pbx`: a fresh `switchboard serve` with extensions 1001 Alice, 1002 Bob and
  1003 Carol (Carol never has a phone), stopped after the test.
- `pbx_factory`: for tests that need to set the PBX up themselves.

When a test fails, the PBX log and every phone's log are attached to the
report, so a failure explains itself without re-running.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.baresip import BaresipPhone
from harness.calls import BARESIP_TONE, PJ_TONE
from harness.pbx import Pbx, find_binary
from harness.pjphone import PjPhone


def _artifacts(node) -> list:
    if not hasattr(node, "_e2e_artifacts"):
        node._e2e_artifacts = []
    return node._e2e_artifacts


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        for thing in getattr(item, "_e2e_artifacts", []):
            try:
                text = thing.log_text()
            except Exception as exc:  # a broken log must not hide the failure
                text = f"(could not read log: {exc})"
            report.sections.append((f"log: {thing}", text))


class Phones:
    """Creates phones in the test's temp dir and closes them all at the end."""

    def __init__(self, workdir: Path, node):
        self.workdir = workdir
        self.node = node
        self.all = []

    def _track(self, phone):
        self.all.append(phone)
        _artifacts(self.node).append(phone)
        return phone

    def pj(self, name: str, tone_hz: float = PJ_TONE, transport: str = "udp", **kw) -> PjPhone:
        return self._track(PjPhone(self.workdir, name, tone_hz, transport=transport, **kw))

    def baresip(self, name: str, tone_hz: float = BARESIP_TONE, **kw) -> BaresipPhone:
        return self._track(BaresipPhone(self.workdir, name, tone_hz, **kw))

    # ----- registered to a PBX -------------------------------------------------

    def pj_registered(self, pbx: Pbx, number: str, name: str | None = None, tone_hz: float = PJ_TONE,
                      transport: str = "udp", **kw) -> PjPhone:
        ext = pbx.ext[number]
        phone = self.pj(name or ext.name.lower(), tone_hz, transport=transport, **kw)
        phone.register(pbx.addr, number, ext.password, display=ext.name)
        code = phone.wait_registration()
        assert code == 200, f"{phone} failed to register {number}: {phone.last_reg}"
        return phone

    def baresip_registered(self, pbx: Pbx, number: str, name: str | None = None,
                           tone_hz: float = BARESIP_TONE, transport: str = "udp", **kw) -> BaresipPhone:
        ext = pbx.ext[number]
        phone = self.baresip(name or ext.name.lower(), tone_hz, registrar=pbx.addr, user=number,
                             password=ext.password, display=ext.name, transport=transport, **kw)
        code = phone.wait_registration()
        assert code == 200, f"{phone} failed to register {number}: {phone.last_reg}"
        return phone

    def close(self):
        for phone in reversed(self.all):
            try:
                phone.close()
            except Exception:  # keep closing the others
                pass


@pytest.fixture
def phones(tmp_path, request):
    p = Phones(tmp_path, request.node)
    yield p
    p.close()


@pytest.fixture(scope="session")
def switchboard_bin() -> Path:
    binary = find_binary()
    if binary is None or not binary.is_file():
        pytest.fail("switchboard binary not found: build it with `cargo build -p switchboard` "
                    "or set SWITCHBOARD_BIN")
    return binary


@pytest.fixture
def pbx_factory(switchboard_bin, tmp_path, request):
    made: list[Pbx] = []

    def make(name: str = "pbx") -> Pbx:
        p = Pbx(switchboard_bin, tmp_path / name)
        made.append(p)
        _artifacts(request.node).append(p)
        return p

    yield make
    for p in made:
        p.stop()


@pytest.fixture
def pbx(pbx_factory) -> Pbx:
    p = pbx_factory()
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.add_extension("1003", "Carol")
    p.start()
    return p
