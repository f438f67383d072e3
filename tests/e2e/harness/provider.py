"""A simulated SIP trunk provider on loopback: registrar plus caller, over real UDP sockets.

    provider = Provider(workdir, username="acme", password="s3cret")
    # … point a trunk at provider.addr, let the PBX register …
    binding = provider.wait_binding()                 # the PBX's contact
    call = provider.call("+442071234567")             # INVITE to that contact as "Jane Doe"
    call.wait_answered(); time.sleep(2); call.hangup()
    call.assert_hears(440, absent=[1000])             # the phone's tone came back

Registrar: every REGISTER without credentials gets a 401 with an MD5 digest
challenge (qop="auth"); the answer is verified (user, realm, our nonce, digest
URI, qop=auth with nc/cnonce, response); a good one gets 200 and the binding is
recorded, a bad one `bad_credentials_code` (401 with a fresh challenge by
default). `reject_register = 403` answers every REGISTER with that code instead,
the way a provider locks an account. Every REGISTER is kept in `registers`, so
tests can prove the PBX stopped sending them.

Caller: `call()` sends an INVITE with a PCMU offer from the provider's own
socket (its address is the trunk's address), retransmits it per RFC 3261
§17.1.1.2 until a response, ACKs every final response (§17.1.1.3 for failures,
§13.2.2.4 for 2xx), then plays a tone over RTP and records what it hears.
`Provider(…)` with a different port is also "someone who is not the trunk".
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import net, sipmsg
from .provider_uas import Answerer, OutboundCall
from .rtp import RtpTone
from .sipmsg import Message
from .tones import ToneReport, assert_hears

DEFAULT_TIMEOUT = 10.0
CALLER_NAME = "Jane Doe"
CALLER_NUMBER = "+447700900123"
PROVIDER_TONE = 1000


@dataclass
class RegisterAttempt:
    at: float  # time.monotonic()
    source: tuple[str, int]
    request: Message
    code: int = 0
    problem: str = ""  # why the credentials were refused, for the failure message

    def __str__(self) -> str:
        auth = "with credentials" if self.request.get("authorization") else "without credentials"
        extra = f" ({self.problem})" if self.problem else ""
        return f"REGISTER {auth} from {self.source[0]}:{self.source[1]} → {self.code}{extra}"


@dataclass
class Binding:
    aor_user: str
    contact: str  # the URI inside <…>
    expires: int
    source: tuple[str, int]
    at: float

    @property
    def user(self) -> str:
        return sipmsg.uri_user(self.contact)


class Provider:
    def __init__(self, workdir: Path, name: str = "provider", username: str = "acme", password: str = "s3cret",
                 realm: str = "provider.test", max_expires: int = 3600):
        self.name = name
        self.workdir = Path(workdir) / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.username = username
        self.password = password
        self.realm = realm
        self.max_expires = max_expires
        self.reject_register: int | None = None
        self.bad_credentials_code = 401
        self.port = net.free_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((net.HOST, self.port))
        self.sock.settimeout(0.2)
        self.registers: list[RegisterAttempt] = []
        self.bindings: dict[str, Binding] = {}
        self.calls: dict[str, ProviderCall] = {}
        self.invites_received: list[Message] = []  # calls the PBX sends out, while not accepting any
        self.answerer: Answerer | None = None
        self.log: list[str] = []
        self._nonces: set[str] = set()
        self.cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"provider-{self.port}", daemon=True)
        self._thread.start()

    # ----- addresses -------------------------------------------------------------

    @property
    def host(self) -> str:
        return net.HOST

    @property
    def addr(self) -> str:
        return f"{net.HOST}:{self.port}"

    # ----- plumbing --------------------------------------------------------------

    def send(self, msg: Message, dest: tuple[str, int]) -> None:
        data = msg.encode()
        self._log("→", dest, data)
        try:
            self.sock.sendto(data, dest)
        except OSError as exc:
            self._log_line(f"send to {dest} failed: {exc}")

    def _log(self, arrow: str, peer: tuple[str, int], data: bytes) -> None:
        self._log_line(f"{arrow} {peer[0]}:{peer[1]}\n{data.decode('utf-8', 'replace')}")

    def _log_line(self, text: str) -> None:
        line = f"[{time.monotonic():.3f}] {text}"
        with self.cond:
            self.log.append(line)
            # Also on disk, for a driver in another process (the browser tests).
            with open(self.workdir / "sip.log", "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                data, src = self.sock.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            msg = sipmsg.parse(data)
            if msg is None:
                continue  # CRLF keep-alives and the like
            self._log("←", src, data)
            try:
                if msg.is_request:
                    self._on_request(msg, src)
                else:
                    call = self.calls.get(msg.call_id)
                    if call is not None:
                        call._on_response(msg)
                    elif self.answerer is not None and msg.call_id in self.answerer.calls:
                        self.answerer.calls[msg.call_id].on_response(msg)
            except Exception as exc:  # a bad message must not kill the provider
                self._log_line(f"error handling message: {exc!r}")
            with self.cond:
                self.cond.notify_all()

    def _on_request(self, req: Message, src: tuple[str, int]) -> None:
        if req.method == "REGISTER":
            self._on_register(req, src)
            return
        call = self.calls.get(req.call_id)
        if call is not None:
            call._on_request(req, src)
            return
        if self.answerer is not None and req.call_id in self.answerer.calls:
            self.answerer.calls[req.call_id].on_request(req, src)
            return
        if req.method == "OPTIONS":
            self.send(sipmsg.response_to(req, 200), src)
        elif req.method == "INVITE" and self.answerer is not None:
            self.answerer.on_invite(req, src)
        elif req.method == "INVITE":
            with self.cond:
                self.invites_received.append(req)
            self.send(sipmsg.response_to(req, 480, to_tag=sipmsg.tag()), src)
        elif req.method != "ACK":
            self.send(sipmsg.response_to(req, 481), src)

    # ----- registrar ---------------------------------------------------------------

    def _challenge(self) -> tuple[str, str]:
        nonce = secrets.token_hex(16)
        with self.cond:
            self._nonces.add(nonce)
        return ("www-authenticate",
                f'Digest realm="{self.realm}", nonce="{nonce}", opaque="{secrets.token_hex(8)}", '
                f'algorithm=MD5, qop="auth"')

    def _check_credentials(self, req: Message) -> str:
        """Empty when the Authorization header proves the password, else what is wrong."""
        header = req.get("authorization") or ""
        p = sipmsg.auth_params(header)
        if p.get("scheme", "").lower() != "digest":
            return f"not a digest answer: {header!r}"
        if p.get("username") != self.username:
            return f"username {p.get('username')!r}, expected {self.username!r}"
        if p.get("realm") != self.realm:
            return f"realm {p.get('realm')!r}, expected {self.realm!r}"
        if p.get("nonce") not in self._nonces:
            return "a nonce this provider never issued"
        if p.get("algorithm", "MD5").upper() != "MD5":
            return f"algorithm {p.get('algorithm')!r}, expected MD5"
        if p.get("uri") != req.uri:
            return f"digest uri {p.get('uri')!r} is not the Request-URI {req.uri!r}"
        if p.get("qop") != "auth" or not p.get("nc") or not p.get("cnonce"):
            return f"qop=auth with nc and cnonce expected (RFC 7616 §3.4), got {header!r}"
        want = sipmsg.digest_response(self.username, self.realm, self.password, "REGISTER", req.uri,
                                      p["nonce"], "auth", p["nc"], p["cnonce"])
        if p.get("response", "").lower() != want:
            return "wrong response (password does not match)"
        return ""

    def _on_register(self, req: Message, src: tuple[str, int]) -> None:
        attempt = RegisterAttempt(at=time.monotonic(), source=src, request=req)
        if self.reject_register is not None:
            attempt.code = self.reject_register
            resp = sipmsg.response_to(req, self.reject_register, to_tag=sipmsg.tag())
        elif not req.get("authorization"):
            attempt.code = 401
            resp = sipmsg.response_to(req, 401, to_tag=sipmsg.tag(), extra=[self._challenge()])
        elif problem := self._check_credentials(req):
            attempt.code, attempt.problem = self.bad_credentials_code, problem
            extra = [self._challenge()] if self.bad_credentials_code == 401 else []
            resp = sipmsg.response_to(req, self.bad_credentials_code, to_tag=sipmsg.tag(), extra=extra)
        else:
            attempt.code = 200
            resp = sipmsg.response_to(req, 200, to_tag=sipmsg.tag(), extra=self._bind(req, src))
        with self.cond:
            self.registers.append(attempt)
        self.send(resp, src)

    def _bind(self, req: Message, src: tuple[str, int]) -> list[tuple[str, str]]:
        """RFC 3261 §10.3: store (or remove) the contacts; answer with the current ones."""
        aor = sipmsg.uri_user(sipmsg.name_addr(req.get("to", "") or "").uri)
        default = req.get("expires")
        now = time.monotonic()
        for value in req.get_all("contact"):
            for part in sipmsg.split_commas(value):
                if part.strip() == "*":
                    with self.cond:
                        self.bindings.pop(aor, None)
                    continue
                uri = sipmsg.name_addr(part).uri
                raw = sipmsg.param(part, "expires") or default or "3600"
                expires = min(int(raw) if raw.strip().isdigit() else 3600, self.max_expires)
                with self.cond:
                    if expires == 0:
                        self.bindings.pop(aor, None)
                    else:
                        self.bindings[aor] = Binding(aor, uri, expires, src, now)
        with self.cond:
            b = self.bindings.get(aor)
        return [("contact", f"<{b.contact}>;expires={b.expires}")] if b else []

    def binding(self) -> Binding | None:
        with self.cond:
            return self.bindings.get(self.username)

    def wait_binding(self, timeout: float = 20.0) -> Binding:
        """The PBX's registration, once it has one."""
        self.wait_until(self.binding, timeout, "a successful registration")
        return self.binding()  # type: ignore[return-value]

    def register_count(self) -> int:
        with self.cond:
            return len(self.registers)

    def wait_registers(self, n: int, timeout: float = 20.0) -> list[RegisterAttempt]:
        self.wait_until(lambda: len(self.registers) >= n, timeout, f"{n} REGISTER requests")
        with self.cond:
            return list(self.registers)

    def wait_until(self, pred: Callable[[], object], timeout: float, what: str) -> object:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = pred()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 0.2))
            seen = [str(r) for r in self.registers[-10:]]
        raise AssertionError(f"{self}: timed out after {timeout:g} s waiting for {what}; REGISTERs seen: {seen}")

    # ----- caller --------------------------------------------------------------------

    def call(self, number: str, target: str | None = None, display: str = CALLER_NAME,
             caller: str = CALLER_NUMBER, tone_hz: float = PROVIDER_TONE,
             headers: list[tuple[str, str]] | None = None) -> "ProviderCall":
        """Calls `number` (the To user) at `target` (default: the registered contact)."""
        if target is None:
            b = self.binding()
            assert b is not None, f"{self}: the PBX has not registered, so there is no contact to call"
            target = b.contact
        call = ProviderCall(self, target, number, display, caller, tone_hz, headers or [])
        with self.cond:
            self.calls[call.call_id] = call
        call._send_invite()
        return call

    # ----- answering (calls the PBX sends out through the trunk) ------------------------

    def accept_calls(self, answer_after_s: float = 0.5, tone_hz: float = PROVIDER_TONE,
                     refuse_with: int | None = None) -> Answerer:
        """From now on INVITEs are challenged (407), then rung and answered; or all refused."""
        self.answerer = Answerer(self, answer_after_s, tone_hz, refuse_with)
        return self.answerer

    def outbound_calls(self) -> list[OutboundCall]:
        with self.cond:
            return list(self.answerer.calls.values()) if self.answerer else []

    def wait_outbound(self, n: int = 1, timeout: float = DEFAULT_TIMEOUT) -> OutboundCall:
        """The `n`th authenticated call the PBX placed through this provider."""
        self.wait_until(lambda: len(self.outbound_calls()) >= n, timeout, f"{n} authenticated INVITE(s)")
        return self.outbound_calls()[n - 1]

    def close(self) -> None:
        for out in self.outbound_calls():
            out.close()
        for call in list(self.calls.values()):
            try:
                call.close()
            except Exception:
                pass
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def log_text(self) -> str:
        with self.cond:
            return "\n".join(self.log)[-30000:]

    def __str__(self) -> str:
        return f"simulated provider {self.name} on {self.addr}"


class ProviderCall:
    """One INVITE dialog the provider started (a caller on the public network)."""

    def __init__(self, provider: Provider, target: str, number: str, display: str, caller: str,
                 tone_hz: float, extra: list[tuple[str, str]]):
        self.provider = provider
        self.target = target
        self.dest = sipmsg.uri_hostport(target)
        self.number = number
        self.call_id = f"{secrets.token_hex(8)}@{provider.host}"
        self.from_tag = sipmsg.tag()
        self.from_hdr = f'{sipmsg.NameAddr(display, f"sip:{caller}@{provider.addr}")};tag={self.from_tag}'
        # To the registered contact, the number is an address of the provider's domain (the AOR
        # the PBX called); sent straight to the PBX (IP-mode trunks), one of the PBX's.
        binding = provider.binding()
        to_host = provider.addr if binding is not None and target == binding.contact else f"{self.dest[0]}:{self.dest[1]}"
        self.to_uri = f"sip:{number}@{to_host}"
        self.extra = extra
        self.audio = RtpTone(tone_hz)
        self.branch = sipmsg.branch()
        self.cseq = 1
        self.responses: list[Message] = []
        self.state = "calling"  # calling → early → confirmed → ended | failed
        self.final: Message | None = None
        self.to_tag: str | None = None
        self.remote_target: str | None = None
        self.route_set: list[str] = []
        self.ended_by: str | None = None
        self._invite: Message | None = None
        self._bye_answer: Message | None = None
        self._cancel_wanted = False
        self._retransmit = threading.Thread(target=self._timer_a, daemon=True)

    # ----- requests out ------------------------------------------------------------

    def _via(self, branch: str) -> tuple[str, str]:
        return ("via", f"SIP/2.0/UDP {self.provider.addr};branch={branch};rport")

    def _sdp(self) -> bytes:
        host, port = self.provider.host, self.audio.port
        return ("v=0\r\n"
                f"o=provider {int(time.time())} 1 IN IP4 {host}\r\n"
                "s=-\r\n"
                f"c=IN IP4 {host}\r\n"
                "t=0 0\r\n"
                f"m=audio {port} RTP/AVP 0 101\r\n"
                "a=rtpmap:0 PCMU/8000\r\n"
                "a=rtpmap:101 telephone-event/8000\r\n"
                "a=fmtp:101 0-16\r\n"
                "a=ptime:20\r\n"
                "a=sendrecv\r\n").encode()

    def _send_invite(self) -> None:
        self._invite = sipmsg.request("INVITE", self.target, [
            self._via(self.branch), ("max-forwards", "70"), ("from", self.from_hdr), ("to", f"<{self.to_uri}>"),
            ("call-id", self.call_id), ("cseq", "1 INVITE"),
            ("contact", f"<sip:provider@{self.provider.addr}>"),
            ("allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"), *self.extra,
            ("content-type", "application/sdp")], self._sdp())
        self.provider.send(self._invite, self.dest)
        self._retransmit.start()

    def _timer_a(self) -> None:
        """RFC 3261 §17.1.1.2: retransmit at T1, 2·T1, … until any response; give up at 64·T1."""
        interval, start = 0.5, time.monotonic()
        while time.monotonic() - start < 32:
            time.sleep(interval)
            with self.provider.cond:
                if self.responses or self.state != "calling":
                    return
            self.provider.send(self._invite, self.dest)
            interval = min(interval * 2, 4.0)
        with self.provider.cond:
            if not self.responses:
                self.state = "failed"
                self.provider.cond.notify_all()

    def _ack(self, resp: Message) -> None:
        if resp.code is not None and resp.code >= 300:
            # §17.1.1.3: same branch and Request-URI as the INVITE, To from the response.
            ack = sipmsg.request("ACK", self.target, [
                self._via(self.branch), ("max-forwards", "70"), ("from", self.from_hdr),
                ("to", resp.get("to", "")), ("call-id", self.call_id), ("cseq", "1 ACK")])
            self.provider.send(ack, self.dest)
        else:
            self._send_in_dialog("ACK", cseq=1)

    def _in_dialog_dest(self) -> tuple[str, int]:
        if self.route_set:
            return sipmsg.uri_hostport(sipmsg.name_addr(self.route_set[0]).uri)
        return sipmsg.uri_hostport(self.remote_target or self.target)

    def _send_in_dialog(self, method: str, cseq: int | None = None) -> Message:
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        req = sipmsg.request(method, self.remote_target or self.target, [
            self._via(sipmsg.branch()), ("max-forwards", "70"), *[("route", r) for r in self.route_set],
            ("from", self.from_hdr), ("to", f"<{self.to_uri}>;tag={self.to_tag}"),
            ("call-id", self.call_id), ("cseq", f"{cseq} {method}")])
        self.provider.send(req, self._in_dialog_dest())
        return req

    # ----- what arrives -------------------------------------------------------------

    def _on_response(self, resp: Message) -> None:
        num, method = resp.cseq
        if method == "BYE":
            self._bye_answer = resp
            return
        if method != "INVITE" or resp.code is None:
            return
        self.responses.append(resp)
        if resp.code < 200:
            if self.state == "calling":
                self.state = "early"
            if self._cancel_wanted:
                self._send_cancel()
            return
        if resp.code < 300:
            first = self.state in ("calling", "early")
            if first:
                self.to_tag = sipmsg.param(resp.get("to", "") or "", "tag")
                contact = resp.get("contact")
                self.remote_target = sipmsg.name_addr(contact).uri if contact else self.target
                self.route_set = list(reversed([r for v in resp.get_all("record-route")
                                                for r in sipmsg.split_commas(v)]))
                self.final = resp
                self.state = "confirmed"
            self._ack(resp)  # every 2xx retransmission gets its ACK (§13.2.2.4)
            if first:
                remote = _sdp_audio(resp.body)
                if remote is not None:
                    self.audio.start(remote)
                if self._cancel_wanted:
                    threading.Thread(target=self.hangup, daemon=True).start()
            return
        self._ack(resp)
        if self.state in ("calling", "early"):
            self.final = resp
            self.state = "failed"

    def _on_request(self, req: Message, src: tuple[str, int]) -> None:
        if req.method == "BYE":
            self.provider.send(sipmsg.response_to(req, 200), src)
            if self.state != "ended":
                self.audio.stop()
                self.state, self.ended_by = "ended", "remote"
        elif req.method == "INVITE":  # re-INVITE: keep the media as it is
            self.provider.send(sipmsg.response_to(req, 200, extra=[
                ("contact", f"<sip:provider@{self.provider.addr}>"), ("content-type", "application/sdp")],
                body=self._sdp()), src)
            remote = _sdp_audio(req.body)
            if remote is not None and self.state == "confirmed":
                self.audio.remote = remote
        elif req.method == "CANCEL":
            self.provider.send(sipmsg.response_to(req, 481), src)
        elif req.method != "ACK":
            self.provider.send(sipmsg.response_to(req, 200), src)

    # ----- the test's side ------------------------------------------------------------

    def wait(self, pred: Callable[["ProviderCall"], bool], timeout: float = DEFAULT_TIMEOUT,
             what: str = "an event") -> None:
        deadline = time.monotonic() + timeout
        with self.provider.cond:
            while not pred(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    codes = [r.code for r in self.responses]
                    raise AssertionError(f"{self}: timed out after {timeout:g} s waiting for {what}; state "
                                         f"{self.state}, responses {codes}")
                self.provider.cond.wait(min(left, 0.2))

    def wait_ringing(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Waits for 180/183 (the PBX says something is ringing)."""
        self.wait(lambda c: any(r.code in (180, 183) for r in c.responses) or c.state in ("confirmed", "failed"),
                  timeout, "ringing")
        assert any(r.code in (180, 183) for r in self.responses), f"{self}: no 180/183 before the final answer"

    def wait_answered(self, timeout: float = DEFAULT_TIMEOUT) -> Message:
        self.wait(lambda c: c.state in ("confirmed", "failed", "ended"), timeout, "the answer")
        assert self.state == "confirmed", f"{self}: not answered (final {self.final_code})"
        return self.final  # type: ignore[return-value]

    def wait_final(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        """The final status code of the INVITE."""
        self.wait(lambda c: c.final is not None or c.state == "failed", timeout, "a final response")
        return self.final_code or 0

    def wait_ended(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.wait(lambda c: c.state in ("ended", "failed"), timeout, "the end of the call")

    @property
    def final_code(self) -> int | None:
        return self.final.code if self.final is not None else None

    def hangup(self, timeout: float = 8.0) -> None:
        """BYE once answered, CANCEL while ringing; waits for the PBX to confirm."""
        with self.provider.cond:
            state = self.state
        if state in ("calling", "early"):
            self.cancel()
            return
        if state != "confirmed":
            return
        self.audio.stop()
        req = self._send_in_dialog("BYE")
        deadline, interval = time.monotonic() + timeout, 0.5
        while time.monotonic() < deadline:
            with self.provider.cond:
                self.provider.cond.wait_for(lambda: self._bye_answer is not None and self._bye_answer.code >= 200,
                                            interval)
                if self._bye_answer is not None and self._bye_answer.code >= 200:
                    self.state, self.ended_by = "ended", "provider"
                    self.provider.cond.notify_all()
                    return
            self.provider.send(req, self._in_dialog_dest())
            interval = min(interval * 2, 4.0)
        raise AssertionError(f"{self}: no answer to BYE within {timeout:g} s")

    def cancel(self) -> None:
        """RFC 3261 §9.1: CANCEL once a provisional response arrived (or as soon as one does)."""
        with self.provider.cond:
            self._cancel_wanted = True
            early = self.state == "early"
        if early:
            self._send_cancel()

    def _send_cancel(self) -> None:
        req = sipmsg.request("CANCEL", self.target, [
            self._via(self.branch), ("max-forwards", "70"), ("from", self.from_hdr), ("to", f"<{self.to_uri}>"),
            ("call-id", self.call_id), ("cseq", "1 CANCEL")])
        self.provider.send(req, self.dest)

    def assert_hears(self, expect_hz: float, absent: list[float] | float, name: str = "heard") -> ToneReport:
        """The provider's recording of this call holds `expect_hz` and none of `absent`."""
        path = self.audio.save_wav(self.provider.workdir / f"{name}-{self.call_id.split('@')[0]}.wav")
        try:
            return assert_hears(path, expect_hz, absent)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.audio}") from None

    def close(self) -> None:
        try:
            if self.state in ("calling", "early", "confirmed"):
                self.hangup(timeout=2)
        except AssertionError:
            pass
        self.audio.close()

    def __str__(self) -> str:
        return f"provider call {self.call_id} to {self.number} via {self.target}"


def _sdp_audio(body: bytes) -> tuple[str, int] | None:
    """Where an SDP wants audio sent: the audio m-line's port at its (or the session's) c= address."""
    host, port, in_audio = None, None, False
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith("m="):
            in_audio = line.startswith("m=audio")
            if in_audio and port is None:
                parts = line[2:].split()
                port = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        elif line.startswith("c=") and (in_audio or host is None):
            host = line.split()[-1].split("/")[0]
    if host is None or not port:
        return None
    return host, port


def sdp_payload_types(body: bytes) -> list[int]:
    """The payload types of the first audio m-line."""
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith("m=audio"):
            return [int(p) for p in line.split()[3:] if p.isdigit()]
    return []
