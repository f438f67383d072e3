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
from .provider_call import ProviderCall, sdp_payload_types  # noqa: F401 (part of this module's API)
from .provider_uas import Answerer, OutboundCall
from .sipmsg import Message

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
                 realm: str = "provider.test", max_expires: int = 3600, host: str = net.HOST):
        self.name = name
        self.workdir = Path(workdir) / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.username = username
        self.password = password
        self.realm = realm
        self.max_expires = max_expires
        # Answer every REGISTER with this code instead (403: a locked account; 503 with
        # Retry-After: maintenance; an odd code: something the PBX must still report).
        self.reject_register: int | None = None
        self.reject_reason: str | None = None
        self.reject_headers: list[tuple[str, str]] = []
        self.bad_credentials_code = 401
        # Another loopback address (127.0.0.2) is another machine as far as the PBX can tell.
        self._host = host
        self.port = net.free_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, self.port))
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
        return self._host

    @property
    def addr(self) -> str:
        return f"{self._host}:{self.port}"

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
            resp = sipmsg.response_to(req, self.reject_register, self.reject_reason, to_tag=sipmsg.tag(),
                                      extra=self.reject_headers)
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
