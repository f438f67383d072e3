"""Voicemail end to end: Bob turns his mailbox on through the admin API and his desk
"phone" subscribes to message-summary (RFC 3842) with his digest credentials; a pjsua2
phone calls Bob, who has no phone registered, and is answered by voicemail; after the
greeting it sends its tone and hangs up. The message is listed, its WAV holds the
caller's tone, and the subscriber is NOTIFIED that a message waits.
"""

from __future__ import annotations

import hashlib
import re
import socket
import time
import uuid

import pytest

from harness import net, sipmsg
from harness.admin import AdminPbx
from harness.calls import PJ_TONE, PJ_TONE_2
from harness.tones import assert_hears

# The default greeting ("The person you are calling is not available…") and the beep.
GREETING_S = 5.5
MESSAGE_S = 3.0


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


def _md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


def _digest_param(challenge: str, name: str) -> str | None:
    """A `name=value` or `name="value"` parameter of a Digest challenge (RFC 7616 §3.3)."""
    m = re.search(rf'(?:^|[\s,]){name}\s*=\s*(?:"([^"]*)"|([^\s,]+))', challenge, re.IGNORECASE)
    return (m.group(1) if m.group(1) is not None else m.group(2)) if m else None


class MwiWatcher:
    """A bare SIP UA that subscribes to one mailbox's message-summary and answers NOTIFYs."""

    def __init__(self, pbx: AdminPbx, user: str, password: str):
        self.pbx, self.user, self.password = pbx, user, password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((net.HOST, 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.call_id = f"{uuid.uuid4().hex}@{net.HOST}"
        self.tag = sipmsg.tag()
        self.cseq = 0
        self.notifies: list[sipmsg.Message] = []

    def _send(self, text: str) -> None:
        self.sock.sendto(text.encode(), (net.HOST, self.pbx.port))

    def _subscribe(self, auth: str | None) -> None:
        self.cseq += 1
        uri = f"sip:{self.user}@{self.pbx.addr}"
        lines = [
            f"SUBSCRIBE {uri} SIP/2.0",
            f"Via: SIP/2.0/UDP {net.HOST}:{self.port};branch={sipmsg.branch()};rport",
            "Max-Forwards: 70",
            f"From: <sip:{self.user}@{self.pbx.addr}>;tag={self.tag}",
            f"To: <{uri}>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} SUBSCRIBE",
            f"Contact: <sip:{self.user}@{net.HOST}:{self.port}>",
            "Event: message-summary",
            "Accept: application/simple-message-summary",
            "Expires: 600",
        ]
        if auth:
            lines.append(auth)
        self._send("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n")

    def _authorization(self, challenge: str) -> str:
        realm = _digest_param(challenge, "realm")
        nonce = _digest_param(challenge, "nonce")
        uri = f"sip:{self.user}@{self.pbx.addr}"
        ha1 = _md5(f"{self.user}:{realm}:{self.password}")
        ha2 = _md5(f"SUBSCRIBE:{uri}")
        cnonce, nc = "0a4f113b", "00000001"
        response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        opaque = _digest_param(challenge, "opaque")
        extra = f', opaque="{opaque}"' if opaque else ""
        return (f'Authorization: Digest username="{self.user}", realm="{realm}", nonce="{nonce}", '
                f'uri="{uri}", response="{response}", algorithm=MD5, qop=auth, nc={nc}, '
                f'cnonce="{cnonce}"{extra}')

    def _receive(self, deadline: float) -> sipmsg.Message | None:
        while time.monotonic() < deadline:
            try:
                data, src = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            msg = sipmsg.parse(data)
            if msg is None:
                continue
            if msg.is_request and msg.method == "NOTIFY":
                self._ok(msg, src)
                if not any(n.get("cseq") == msg.get("cseq") for n in self.notifies):
                    self.notifies.append(msg)
                continue
            return msg
        return None

    def _ok(self, req: sipmsg.Message, src) -> None:
        vias = "".join(f"Via: {v}\r\n" for v in req.get_all("via"))
        self.sock.sendto(
            (f"SIP/2.0 200 OK\r\n{vias}From: {req.get('from')}\r\nTo: {req.get('to')}\r\n"
             f"Call-ID: {req.get('call-id')}\r\nCSeq: {req.get('cseq')}\r\nContent-Length: 0\r\n\r\n").encode(),
            src)

    def subscribe(self, timeout: float = 10.0) -> int:
        """Subscribes (answering one digest challenge); returns the final status."""
        self._subscribe(None)
        deadline = time.monotonic() + timeout
        resp = self._receive(deadline)
        assert resp is not None, "no answer to SUBSCRIBE"
        if resp.code in (401, 407):
            header = "www-authenticate" if resp.code == 401 else "proxy-authenticate"
            challenges = resp.get_all(header)
            md5 = [c for c in challenges if "MD5" in c.upper() and "SHA-256" not in c.upper()]
            self._subscribe(self._authorization((md5 or challenges)[0]))
            resp = self._receive(deadline)
            assert resp is not None, "no answer to the authenticated SUBSCRIBE"
        return resp.code

    def wait_notify(self, text: str, timeout: float = 15.0) -> sipmsg.Message:
        deadline = time.monotonic() + timeout
        while True:
            for n in self.notifies:
                if text in n.body.decode("utf-8", "replace"):
                    return n
            if time.monotonic() > deadline:
                bodies = [n.body.decode("utf-8", "replace") for n in self.notifies]
                raise AssertionError(f"no NOTIFY with {text!r} within {timeout:g} s: {bodies}")
            self._receive(min(deadline, time.monotonic() + 0.5))

    def close(self) -> None:
        self.sock.close()


def wait_messages(office: AdminPbx, mailbox: str, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        messages = office.api("list_voicemail", {"mailbox": mailbox})["messages"]
        if messages:
            return messages
        if time.monotonic() > deadline:
            raise AssertionError(f"no voicemail for {mailbox} within {timeout:g} s:\n{office.log_tail()}")
        time.sleep(0.3)


def test_unanswered_call_leaves_a_message_with_the_callers_tone_and_mwi_lights(office, phones, tmp_path):
    office.api("enable_mailbox", {"number": "1002", "pin": "7392"})
    # The PBX notices database changes made by the API within a second.
    time.sleep(1.5)
    watcher = MwiWatcher(office, "1002", office.ext["1002"].password)
    try:
        assert watcher.subscribe() == 200
        first = watcher.wait_notify("Messages-Waiting: no")
        assert first.get("event", "").startswith("message-summary")

        alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
        alice.call(office.uri("1002"))  # Bob has no phone registered
        alice.wait_state("confirmed")
        time.sleep(GREETING_S + MESSAGE_S)
        alice.hangup()
        alice.wait_disconnected()

        messages = wait_messages(office, "1002")
        assert len(messages) == 1, messages
        msg = messages[0]
        assert msg["caller_number"] == "1001"
        assert not msg["heard"]
        assert msg["duration_ms"] >= 1500, msg
        files = sorted((office.data_dir / "voicemail").iterdir())
        assert [f.name for f in files if not f.name.startswith(".")] == [f.name for f in files], files
        assert len(files) == 1, files
        assert_hears(files[0], PJ_TONE, PJ_TONE_2, skip_s=0.3)

        lit = watcher.wait_notify("Messages-Waiting: yes")
        assert "Voice-Message: 1/0" in lit.body.decode()
    finally:
        watcher.close()
