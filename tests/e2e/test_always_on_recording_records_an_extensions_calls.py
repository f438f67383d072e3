"""Always-on recording: Bob's extension is switched to "record every call" through the admin
API; Alice calls him and both talk (each pjsua2 phone sends its own tone) without anyone
pressing Record. Once they hang up the recording is listed, says it was triggered by
extension 1002 and names both parties and the call record; its WAV, fetched over HTTP
like the page's player does, is stereo with Alice's tone alone on the left and Bob's alone
on the right. Deleting it removes the row and the file. A call while the free-space
threshold cannot be met is not recorded, and the screens are sent an alert; once there is
room again, Record works on that same call.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from harness.admin import AdminPbx
from harness.calls import PJ_TONE, PJ_TONE_2, TALK_S, connect, talk_and_hang_up
from harness.tones import assert_hears
from test_recorded_call_has_each_side_in_its_own_channel import answered_call_id, split_channels


@pytest.fixture
def office(switchboard_bin, tmp_path, request):
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def wait_recordings(office: AdminPbx, count: int, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        listed = office.api("list_recordings")["recordings"]
        if len(listed) >= count and all(r["call"] for r in listed):
            return listed
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} recording(s) with their call record not listed within {timeout:g} s: {listed}")
        time.sleep(0.3)


def test_an_always_on_extensions_call_is_recorded_with_each_side_in_its_channel(office, phones, tmp_path):
    settings = office.api("set_always_record", {"kind": "extension", "key": "1002", "on": True})
    assert settings["always"]["extensions"] == ["1002"], settings
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    connect(alice, bob, office.uri("1002"))
    talk_and_hang_up(alice, bob, talk_s=TALK_S)

    [rec] = wait_recordings(office, 1)
    assert rec["trigger"] == "extension" and rec["trigger_name"] == "1002", rec
    assert (rec["caller"], rec["callee"]) == ("1001", "1002"), rec
    assert rec["call"]["duration_s"] >= 1, rec
    assert rec["duration_ms"] >= (TALK_S - 1.0) * 1000, rec

    # The WAV as the page's player and download link fetch it.
    with urllib.request.urlopen(f"{office.url}{rec['audio_path']}", timeout=10) as r:
        assert r.headers["Content-Type"] == "audio/wav"
        wav = r.read()
    with urllib.request.urlopen(f"{office.url}{rec['audio_path']}?download", timeout=10) as r:
        assert r.headers["Content-Disposition"].startswith("attachment;"), r.headers
        assert r.read() == wav
    path = tmp_path / "fetched.wav"
    path.write_bytes(wav)
    left, right = split_channels(path, tmp_path)
    assert_hears(left, PJ_TONE, PJ_TONE_2)
    assert_hears(right, PJ_TONE_2, PJ_TONE)

    files = list((office.data_dir / "recordings").glob("*.wav"))
    assert len(files) == 1 and files[0].read_bytes() == wav, files
    office.api("delete_recording", {"id": rec["id"]})
    assert office.api("list_recordings")["recordings"] == []
    assert not files[0].exists(), "the file goes with its row"


def test_a_call_is_not_recorded_below_the_free_space_threshold_and_an_alert_is_sent(office, phones):
    # No disk has a terabyte more free than the threshold allows: every recording is refused.
    office.api("save_recording_settings", {"retention_days": 30, "min_free_mb": 1_000_000})
    office.api("set_always_record", {"kind": "extension", "key": "1001", "on": True})
    alerts: list[str] = []
    listening = threading.Event()
    watcher = threading.Thread(target=watch_alerts, args=(office, alerts, listening), daemon=True)
    watcher.start()
    assert listening.wait(10), "the event socket did not open"

    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    bob = phones.pj_registered(office, "1002", tone_hz=PJ_TONE_2)
    connect(alice, bob, office.uri("1002"))
    deadline = time.monotonic() + 10
    while not alerts and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alerts and "free" in alerts[0], alerts
    assert office.api("get_recording_settings")["last_alert"]["message"] == alerts[0]
    assert office.api("list_recordings")["recordings"] == []
    assert not list((office.data_dir / "recordings").glob("*.wav"))

    # Once there is room again, Record works on the same call.
    office.api("save_recording_settings", {"retention_days": 30, "min_free_mb": 0})
    call_id = answered_call_id(office)
    started = office.api("start_recording", {"call_id": call_id})
    time.sleep(1.0)
    stopped = office.api("stop_recording", {"call_id": call_id})
    assert stopped["path"] == started["path"] and Path(stopped["path"]).is_file(), (started, stopped)
    talk_and_hang_up(alice, bob, talk_s=0.5)
    [rec] = wait_recordings(office, 1)
    assert rec["trigger"] == "on_demand", rec


def watch_alerts(office: AdminPbx, alerts: list[str], listening: threading.Event) -> None:
    """Collects `recording_alert` events from the API's WebSocket (a bare RFC 6455 client)."""
    import base64
    import os
    import socket

    host, port = office.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /api/ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Origin: {office.url}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    listening.set()
    buf = b""

    def take(n: int) -> bytes:
        nonlocal buf
        while len(buf) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError
            buf += chunk
        out, buf = buf[:n], buf[n:]
        return out

    try:
        while True:
            b0, b1 = take(2)
            length = b1 & 0x7F
            if length == 126:
                length = int.from_bytes(take(2), "big")
            elif length == 127:
                length = int.from_bytes(take(8), "big")
            payload = take(length)
            if b0 & 0x0F != 1:
                continue
            msg = json.loads(payload)
            event = msg.get("event") if isinstance(msg, dict) else None
            if isinstance(event, dict) and event.get("type") == "recording_alert":
                alerts.append(event["message"])
    except (OSError, EOFError):
        return
