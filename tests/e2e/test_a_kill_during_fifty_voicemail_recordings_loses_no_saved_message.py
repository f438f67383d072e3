"""Durability end to end: fifty callers leave voicemail at once; half of them hang up and
their messages are reported saved, then the PBX is killed with SIGKILL while the other half
are still talking. Afterwards every message the PBX reported is in the database and its WAV
plays (a valid header, as long as the row says); `PRAGMA integrity_check` is ok; no
half-written file is in place, and the next start removes the temporary ones; the settings
and call records acknowledged before the kill are all there.

The callers are a light SIP user agent in this file (digest-authenticated INVITE, ACK, RTP
µ-law tone, BYE), all driven from one loop, so fifty calls stay cheap on a loaded machine.
"""

from __future__ import annotations

import random
import selectors
import socket
import sqlite3
import struct
import time
import uuid
import wave

import pytest

from harness import net, sipmsg
from harness.admin import AdminPbx
from harness.rtp import ulaw_frames

CALLS = 50
SAVED_FIRST = 25
# The default greeting and the beep, then a little message.
GREETING_S = 5.5
MESSAGE_S = 2.0
MAILBOX = "1002"


@pytest.fixture
def office(switchboard_bin, tmp_path, request):
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    # Fifty voicemail calls take a hundred audio ports; leave room.
    p.rtp = net.port_block(400)
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension(MAILBOX, "Bob")
    p.start()
    yield p
    p.stop()


class Caller:
    """One call into voicemail from extension `user`, sans threads: the loop feeds it."""

    def __init__(self, pbx: AdminPbx, user: str, password: str, sel: selectors.BaseSelector):
        self.pbx, self.user, self.password = pbx, user, password
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind((net.HOST, 0))
        self.sip.setblocking(False)
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind((net.HOST, 0))
        self.rtp.setblocking(False)
        sel.register(self.sip, selectors.EVENT_READ, self)
        self.port = self.sip.getsockname()[1]
        self.uri = f"sip:{MAILBOX}@{pbx.addr}"
        self.call_id = f"{uuid.uuid4().hex}@{net.HOST}"
        self.tag = sipmsg.tag()
        self.cseq = 0
        self.state = "new"
        self.to = f"<{self.uri}>"
        self.target = self.uri
        self.remote_rtp: tuple[str, int] | None = None
        self.answered_at: float | None = None
        self.frames = ulaw_frames(800 + 10 * (int(user) % 40))
        self.seq = random.randrange(1 << 16)
        self.ts = random.randrange(1 << 32)
        self.ssrc = random.randrange(1 << 32)
        self.sent = 0
        self.pending: bytes | None = None
        self.pending_at = 0.0
        self.pending_gap = 0.5

    def _send(self, msg: sipmsg.Message, keep: bool = False) -> None:
        data = msg.encode()
        self.sip.sendto(data, (net.HOST, self.pbx.port))
        if keep:
            # RFC 3261 §17.1.1.2 / §17.1.2.2: a request over UDP is resent until answered.
            self.pending, self.pending_at, self.pending_gap = data, time.monotonic(), 0.5

    def retransmit(self) -> None:
        if self.pending is None or self.state not in ("inviting", "leaving"):
            return
        if time.monotonic() - self.pending_at >= self.pending_gap:
            self.sip.sendto(self.pending, (net.HOST, self.pbx.port))
            self.pending_at, self.pending_gap = time.monotonic(), min(self.pending_gap * 2, 4.0)

    def _headers(self, method: str, cseq: int, branch: str) -> list[tuple[str, str]]:
        return [
            ("Via", f"SIP/2.0/UDP {net.HOST}:{self.port};branch={branch};rport"),
            ("Max-Forwards", "70"),
            ("From", f"<sip:{self.user}@{self.pbx.addr}>;tag={self.tag}"),
            ("To", self.to),
            ("Call-ID", self.call_id),
            ("CSeq", f"{cseq} {method}"),
            ("Contact", f"<sip:{self.user}@{net.HOST}:{self.port}>"),
        ]

    def invite(self, auth: tuple[str, str] | None = None) -> None:
        self.cseq += 1
        self.invite_branch = sipmsg.branch()
        rtp_port = self.rtp.getsockname()[1]
        sdp = (f"v=0\r\no=- 1 1 IN IP4 {net.HOST}\r\ns=-\r\nc=IN IP4 {net.HOST}\r\nt=0 0\r\n"
               f"m=audio {rtp_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n").encode()
        headers = self._headers("INVITE", self.cseq, self.invite_branch)
        headers.append(("Content-Type", "application/sdp"))
        if auth:
            headers.append(auth)
        self.state = "inviting"
        self._send(sipmsg.request("INVITE", self.uri, headers, sdp), keep=True)

    def _ack(self, branch: str, uri: str) -> None:
        self._send(sipmsg.request("ACK", uri, self._headers("ACK", self.cseq, branch)))

    def bye(self) -> None:
        self.cseq += 1
        self.state = "leaving"
        self._send(sipmsg.request("BYE", self.target, self._headers("BYE", self.cseq, sipmsg.branch())), keep=True)

    def readable(self) -> None:
        while True:
            try:
                data, src = self.sip.recvfrom(65535)
            except BlockingIOError:
                return
            msg = sipmsg.parse(data)
            if msg is None:
                continue
            if msg.is_request:
                if msg.method != "ACK":
                    self.sip.sendto(sipmsg.response_to(msg, 200).encode(), src)
                if msg.method == "BYE":
                    self.state = "ended by the pbx"
                continue
            self._response(msg)

    def _response(self, msg: sipmsg.Message) -> None:
        num, method = msg.cseq
        if method == "BYE":
            self.state = "ended"
            return
        if method != "INVITE" or num != self.cseq:
            return
        if msg.code < 200:
            self.pending = None  # RFC 3261 §17.1.1.2: a provisional answer stops the resends
            return
        if msg.code in (401, 407) and self.state == "inviting" and self.cseq == 1:
            self.to = msg.get("to")
            self._ack(self.invite_branch, self.uri)  # RFC 3261 §17.1.1.3: same branch
            self.to = f"<{self.uri}>"
            header = "www-authenticate" if msg.code == 401 else "proxy-authenticate"
            challenges = msg.get_all(header)
            md5 = [c for c in challenges if "SHA-256" not in c.upper()] or challenges
            value = sipmsg.authorization(md5[0], self.user, self.password, "INVITE", self.uri)
            self.invite(("Authorization" if msg.code == 401 else "Proxy-Authorization", value))
            return
        if msg.code >= 300:
            self.to = msg.get("to")
            self._ack(self.invite_branch, self.uri)
            self.state = f"refused {msg.code}"
            return
        if self.state != "inviting":
            # A retransmitted 200: ACK it again.
            self._ack(sipmsg.branch(), self.target)
            return
        self.to = msg.get("to")
        contact = msg.get("contact") or f"<{self.uri}>"
        self.target = sipmsg.name_addr(contact).uri
        body = msg.body.decode("utf-8", "replace")
        host = next(line[9:].strip() for line in body.splitlines() if line.startswith("c=IN IP4"))
        port = int(next(line.split()[1] for line in body.splitlines() if line.startswith("m=audio")))
        self.remote_rtp = (host, port)
        self._ack(sipmsg.branch(), self.target)
        self.state = "talking"
        self.answered_at = time.monotonic()

    def send_audio(self) -> None:
        if self.state != "talking" or self.remote_rtp is None:
            return
        header = struct.pack("!BBHII", 0x80, 0, self.seq & 0xFFFF, self.ts & 0xFFFFFFFF, self.ssrc)
        try:
            self.rtp.sendto(header + self.frames[self.sent % len(self.frames)], self.remote_rtp)
        except OSError:
            pass
        self.seq += 1
        self.ts += 160
        self.sent += 1

    def close(self, sel: selectors.BaseSelector) -> None:
        sel.unregister(self.sip)
        self.sip.close()
        self.rtp.close()


def drive(callers: list[Caller], sel: selectors.BaseSelector, seconds: float, until=None) -> None:
    """Runs the callers' SIP and 20 ms audio for `seconds`, or until `until()` holds."""
    end = time.monotonic() + seconds
    next_tick = time.monotonic()
    while time.monotonic() < end:
        if until is not None and until():
            return
        timeout = max(0.0, next_tick - time.monotonic())
        for key, _ in sel.select(timeout):
            key.data.readable()
        now = time.monotonic()
        if now >= next_tick:
            for c in callers:
                c.send_audio()
                c.retransmit()
            next_tick += 0.02
            if next_tick < now - 0.2:  # a slow machine: skip ahead rather than burst
                next_tick = now + 0.02


def wav_length_ms(path) -> float:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() >= 1 and w.getframerate() > 0 and w.getsampwidth() == 2, path
        return w.getnframes() * 1000.0 / w.getframerate()


def db_rows(data_dir, sql: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{data_dir / 'switchboard.db'}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_kill_during_fifty_voicemail_recordings_loses_no_saved_message(office):
    office.api("enable_mailbox", {"number": MAILBOX, "pin": "7392"})
    passwords = {}
    for i in range(CALLS):
        number = str(2001 + i)
        passwords[number] = office.api("add_extension", {"number": number, "name": f"Caller {i}"})["password"]
    settings = office.api("get_settings")["settings"]
    settings["log_level"] = "debug"
    office.api("save_settings", settings)
    office.api("save_backup_schedule", {"enabled": True, "hour": 4, "keep": 9, "folder": None})
    # The PBX notices database changes made by the API within a second.
    time.sleep(1.5)

    sel = selectors.DefaultSelector()
    callers = [Caller(office, n, p, sel) for n, p in passwords.items()]
    try:
        for c in callers:
            c.invite()
            drive(callers, sel, 0.02)
        drive(callers, sel, 15.0, until=lambda: all(c.state != "inviting" for c in callers))
        states = [c.state for c in callers]
        assert states.count("talking") == CALLS, f"not every call reached voicemail: {states}"

        # The first half leave their message and hang up; the rest keep talking.
        drive(callers, sel, GREETING_S + MESSAGE_S)
        for c in callers[:SAVED_FIRST]:
            c.bye()
        drive(callers, sel, 3.0, until=lambda: all(c.state == "ended" for c in callers[:SAVED_FIRST]))

        def saved() -> list[dict]:
            return office.api("list_voicemail", {"mailbox": MAILBOX})["messages"]

        deadline = time.monotonic() + 15
        reported = saved()
        while len(reported) < SAVED_FIRST and time.monotonic() < deadline:
            drive(callers, sel, 0.3)
            reported = saved()
        assert len(reported) >= SAVED_FIRST, f"only {len(reported)} messages reported saved"
        calls_reported = office.api("call_history", {})
        drive(callers, sel, 0.5)

        office.proc.kill()  # SIGKILL, mid-recording for the other half
        office.proc.wait(timeout=10)
        office.stop()
    finally:
        for c in callers:
            c.close(sel)
        sel.close()

    data = office.data_dir
    assert db_rows(data, "PRAGMA integrity_check") == [("ok",)]
    rows = {r[0]: r for r in db_rows(data, "SELECT id, duration_ms, file FROM voicemail_messages")}
    for m in reported:
        assert m["id"] in rows, f"message {m['id']} was reported saved and is gone"
    for _, duration_ms, file in rows.values():
        length = wav_length_ms(data / "voicemail" / file)
        assert abs(length - duration_ms) <= 60, f"{file}: {length:.0f} ms of audio, row says {duration_ms}"
    # Whatever is in place under a message's name is a whole WAV; only dot-files are partial.
    partial = []
    for f in (data / "voicemail").iterdir():
        if f.name.startswith("."):
            partial.append(f.name)
        else:
            wav_length_ms(f)
    # The test means something only if the kill caught messages half-written.
    assert partial, "no message was being written when the PBX was killed"
    print(f"{len(reported)} messages reported saved, {len(rows)} rows after the kill, "
          f"{len(partial)} half-written files")
    history = calls_reported if isinstance(calls_reported, list) else calls_reported.get("calls", [])
    cdr_ids = {r[0] for r in db_rows(data, "SELECT id FROM cdr")}
    assert {c["id"] for c in history} <= cdr_ids
    stored = dict(db_rows(data, "SELECT key, value FROM settings"))
    assert stored.get("log_level") == "debug", stored
    assert '"keep":9' in stored.get("backup_schedule", ""), stored

    office.start()
    leftovers = [f.name for f in (data / "voicemail").iterdir() if f.name.startswith(".")]
    assert leftovers == [], f"temporary files left after the restart: {leftovers}"
    after = {m["id"] for m in office.api("list_voicemail", {"mailbox": MAILBOX})["messages"]}
    assert {m["id"] for m in reported} <= after
    assert office.api("get_settings")["settings"]["log_level"] == "debug"
