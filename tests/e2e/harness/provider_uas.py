"""The simulated provider's answering side: calls the PBX sends out through the trunk.

    provider.accept_calls()                  # 407 challenge, then ring and answer
    out = provider.wait_outbound()           # the PBX's INVITE, authenticated
    out.wait_confirmed(); time.sleep(2); out.hangup()
    out.assert_hears(440, absent=[1000])

Like a real provider it challenges every new INVITE (407 Proxy-Authenticate,
MD5, qop=auth) and takes only a correctly answered one, then answers 180 and,
after `answer_after_s`, 200 with a PCMU answer and a tone over RTP.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import TYPE_CHECKING

from . import sipmsg
from .provider_call import sdp_audio
from .rtp import RtpTone
from .sipmsg import Message
from .tones import ToneReport, assert_hears

if TYPE_CHECKING:
    from .provider import Provider


class OutboundCall:
    """One call the PBX placed through the trunk, as the provider sees it."""

    def __init__(self, provider: "Provider", invite: Message, src: tuple[str, int], tone_hz: float):
        self.provider = provider
        self.invite = invite
        self.src = src
        self.call_id = invite.call_id
        self.to_tag = sipmsg.tag()
        self.audio = RtpTone(tone_hz, host=provider.host)
        self.state = "ringing"  # ringing → confirmed → ended | cancelled
        self.acked = False
        self.ended_by: str | None = None
        self._answer: Message | None = None
        self._bye_answer: Message | None = None
        self._cseq = 100

    @property
    def number(self) -> str:
        """The number the PBX dialled (Request-URI user)."""
        return sipmsg.uri_user(self.invite.uri or "")

    @property
    def from_user(self) -> str:
        return sipmsg.uri_user(sipmsg.name_addr(self.invite.get("from") or "").uri)

    def _sdp(self) -> bytes:
        host, port = self.provider.host, self.audio.port
        return (f"v=0\r\no=provider {int(time.time())} 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
                f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n").encode()

    def _respond(self, code: int, body: bytes = b"") -> Message:
        extra = [("contact", f"<sip:provider@{self.provider.addr}>")]
        if body:
            extra.append(("content-type", "application/sdp"))
        resp = sipmsg.response_to(self.invite, code, to_tag=self.to_tag, extra=extra, body=body)
        self.provider.send(resp, self.src)
        return resp

    def ring_then_answer(self, after_s: float) -> None:
        self._respond(180)
        threading.Timer(after_s, self.answer).start()

    def answer(self) -> None:
        with self.provider.cond:
            if self.state != "ringing":
                return
            self.state = "confirmed"
        remote = sdp_audio(self.invite.body)
        self._answer = self._respond(200, self._sdp())
        if remote is not None:
            self.audio.start(remote)
        # RFC 3261 §13.3.1.4: retransmit the 2xx until the ACK arrives.
        threading.Thread(target=self._retransmit_2xx, daemon=True).start()

    def _retransmit_2xx(self) -> None:
        interval = 0.5
        for _ in range(7):
            time.sleep(interval)
            if self.acked or self.state != "confirmed":
                return
            self.provider.send(self._answer, self.src)
            interval = min(interval * 2, 4.0)

    def on_request(self, req: Message, src: tuple[str, int]) -> None:
        if req.method == "ACK":
            self.acked = True
        elif req.method == "BYE":
            self.provider.send(sipmsg.response_to(req, 200), src)
            self.audio.stop()
            self.state, self.ended_by = "ended", "pbx"
        elif req.method == "CANCEL":
            self.provider.send(sipmsg.response_to(req, 200), src)
            if self.state == "ringing":
                self.state = "cancelled"
                self._respond(487)
        elif req.method == "INVITE":  # a retransmission, or a re-INVITE in the dialog
            if self._answer is not None and sipmsg.param(req.get("to") or "", "tag"):
                self.provider.send(sipmsg.response_to(req, 200, extra=[
                    ("contact", f"<sip:provider@{self.provider.addr}>"), ("content-type", "application/sdp")],
                    body=self._sdp()), src)
        else:
            self.provider.send(sipmsg.response_to(req, 200), src)

    def on_response(self, resp: Message) -> None:
        if resp.cseq[1] == "BYE":
            self._bye_answer = resp

    def hangup(self, timeout: float = 8.0) -> None:
        """The far end hangs up: BYE to the PBX's contact (§15.1.1)."""
        self.audio.stop()
        contact = sipmsg.name_addr(self.invite.get("contact") or "").uri or self.invite.uri
        self._cseq += 1
        route = list(self.invite.get_all("record-route"))
        req = sipmsg.request("BYE", contact, [
            ("via", f"SIP/2.0/UDP {self.provider.addr};branch={sipmsg.branch()};rport"),
            ("max-forwards", "70"), *[("route", r) for r in route],
            ("from", f"{self.invite.get('to')};tag={self.to_tag}"), ("to", self.invite.get("from") or ""),
            ("call-id", self.call_id), ("cseq", f"{self._cseq} BYE")])
        dest = sipmsg.uri_hostport(sipmsg.name_addr(route[0]).uri if route else contact)
        deadline, interval = time.monotonic() + timeout, 0.5
        while time.monotonic() < deadline:
            self.provider.send(req, dest)
            with self.provider.cond:
                if self.provider.cond.wait_for(lambda: self._bye_answer is not None, interval):
                    self.state, self.ended_by = "ended", "provider"
                    return
            interval = min(interval * 2, 4.0)
        raise AssertionError(f"{self}: no answer to BYE within {timeout:g} s")

    def wait(self, state: str, timeout: float = 10.0) -> None:
        with self.provider.cond:
            if not self.provider.cond.wait_for(lambda: self.state == state, timeout):
                raise AssertionError(f"{self}: not {state} within {timeout:g} s (is {self.state})")

    def assert_hears(self, expect_hz: float, absent: list[float] | float) -> ToneReport:
        path = self.audio.save_wav(self.provider.workdir / f"outbound-{self.call_id.split('@')[0][:16]}.wav")
        try:
            return assert_hears(path, expect_hz, absent)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.audio}") from None

    def close(self) -> None:
        self.audio.close()

    def __str__(self) -> str:
        return f"outbound call {self.call_id} to {self.number} from {self.src}"


class Answerer:
    """Takes the PBX's INVITEs: challenge, verify, ring, answer."""

    def __init__(self, provider: "Provider", answer_after_s: float = 0.5, tone_hz: float = 1000,
                 refuse_with: int | None = None):
        self.provider = provider
        self.answer_after_s = answer_after_s
        self.tone_hz = tone_hz
        self.refuse_with = refuse_with
        self.calls: dict[str, OutboundCall] = {}
        self.attempts: list[tuple[Message, int, str]] = []  # (INVITE, answer, problem)
        self._nonces: set[str] = set()

    def _challenge(self) -> tuple[str, str]:
        nonce = secrets.token_hex(16)
        self._nonces.add(nonce)
        return ("proxy-authenticate", f'Digest realm="{self.provider.realm}", nonce="{nonce}", algorithm=MD5, '
                                      f'qop="auth"')

    def _problem(self, req: Message) -> str:
        header = req.get("proxy-authorization") or req.get("authorization") or ""
        p = sipmsg.auth_params(header)
        if p.get("username") != self.provider.username:
            return f"username {p.get('username')!r}"
        if p.get("nonce") not in self._nonces:
            return "a nonce this provider never issued"
        if p.get("qop") != "auth" or not p.get("nc") or not p.get("cnonce"):
            return f"qop=auth with nc and cnonce expected, got {header!r}"
        want = sipmsg.digest_response(self.provider.username, self.provider.realm, self.provider.password,
                                      "INVITE", p.get("uri", ""), p["nonce"], "auth", p["nc"], p["cnonce"])
        return "" if p.get("response", "").lower() == want else "wrong response (password does not match)"

    def on_invite(self, req: Message, src: tuple[str, int]) -> None:
        existing = self.calls.get(req.call_id)
        if existing is not None:
            existing.on_request(req, src)
            return
        if self.refuse_with is not None:
            self.attempts.append((req, self.refuse_with, ""))
            self.provider.send(sipmsg.response_to(req, self.refuse_with, to_tag=sipmsg.tag()), src)
            return
        if not (req.get("proxy-authorization") or req.get("authorization")):
            self.attempts.append((req, 407, ""))
            self.provider.send(sipmsg.response_to(req, 407, "Proxy Authentication Required", to_tag=sipmsg.tag(),
                                                  extra=[self._challenge()]), src)
            return
        problem = self._problem(req)
        if problem:
            self.attempts.append((req, 403, problem))
            self.provider.send(sipmsg.response_to(req, 403, to_tag=sipmsg.tag()), src)
            return
        self.attempts.append((req, 200, ""))
        self.provider.send(sipmsg.response_to(req, 100), src)
        call = OutboundCall(self.provider, req, src, self.tone_hz)
        with self.provider.cond:
            self.calls[req.call_id] = call
        call.ring_then_answer(self.answer_after_s)
