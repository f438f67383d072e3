"""Recording on demand through the admin API: two pjsua2 phones in a call, each sending its
own tone; `start_recording`, talk, `stop_recording`; the WAV it names is stereo with the
caller's tone alone in the left channel and the callee's alone in the right.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import pytest

from harness.admin import AdminPbx, ApiError
from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, connect, talk_and_hang_up
from harness.tones import assert_hears


@pytest.fixture
def office(switchboard_bin, tmp_path, request):
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    # The same list the top-level conftest attaches to a failing test's report.
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def answered_call_id(office: AdminPbx, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        calls = office.api("list_live_calls")["calls"]
        answered = [c for c in calls if c["state"] == "answered"]
        if answered:
            assert len(answered) == 1, calls
            return answered[0]["call_id"]
        if time.monotonic() > deadline:
            raise AssertionError(f"no answered call listed within {timeout:g} s: {calls}")
        time.sleep(0.2)


def split_channels(path: Path, out_dir: Path) -> tuple[Path, Path]:
    """Writes the stereo WAV's left and right channels as two mono WAVs."""
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 2, f"{path}: {w.getnchannels()} channels, not stereo"
        assert w.getsampwidth() == 2, f"{path}: {8 * w.getsampwidth()}-bit, not 16-bit PCM"
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
    left, right = bytearray(), bytearray()
    for i in range(0, len(frames) - 3, 4):
        left += frames[i:i + 2]
        right += frames[i + 2:i + 4]
    paths = []
    for name, data in (("left", left), ("right", right)):
        p = out_dir / f"{path.stem}-{name}.wav"
        with wave.open(str(p), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(bytes(data))
        paths.append(p)
    return paths[0], paths[1]


def test_a_recorded_call_has_each_sides_tone_in_its_own_channel(office, phones, tmp_path):
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    connect(alice, bob, office.uri("1002"))
    call_id = answered_call_id(office)

    started = office.api("start_recording", {"call_id": call_id})
    path = Path(started["path"])
    assert path.parent.resolve() == (office.data_dir / "recordings").resolve(), started
    # Asking again while it records names the same file.
    assert office.api("start_recording", {"call_id": call_id}) == started

    time.sleep(TALK_S)
    stopped = office.api("stop_recording", {"call_id": call_id})
    assert Path(stopped["path"]) == path, (started, stopped)
    assert path.is_file(), f"{path} is not there after stop_recording answered"
    # Stopped means stopped: a second stop is refused on the call.
    with pytest.raises(ApiError) as refused:
        office.api("stop_recording", {"call_id": call_id})
    assert refused.value.status == 422 and "call_id" in refused.value.body["error"]["fields"], refused.value

    with wave.open(str(path), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds >= TALK_S - 1.0, f"{path}: only {seconds:.2f} s recorded"
    left, right = split_channels(path, tmp_path)
    # Left is the caller (Alice), right the callee (Bob); neither leaks into the other.
    assert_hears(left, PJ_TONE, PJ_TONE_2)
    assert_hears(right, PJ_TONE_2, PJ_TONE)

    talk_and_hang_up(alice, bob, talk_s=0.5)
    # The call is gone: recording it is refused as a call that does not exist.
    with pytest.raises(ApiError) as gone:
        office.api("start_recording", {"call_id": call_id})
    assert gone.value.status == 404, gone.value
