"""A call the simulated provider places to the PBX (see provider.py): one INVITE dialog.

Sent from the provider's socket, retransmitted per RFC 3261 §17.1.1.2 until a
response arrives; every final response is ACKed (§17.1.1.3 for failures,
§13.2.2.4 for each 2xx); once answered, a tone goes out over RTP and what comes
back is recorded for the tone detector.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import TYPE_CHECKING, Callable

from . import sipmsg
from .rtp import RtpTone
from .sipmsg import Message
from .tones import ToneReport, assert_hears

if TYPE_CHECKING:
    from .provider import Provider

DEFAULT_TIMEOUT = 10.0


class ProviderCall:
    """One INVITE dialog the provider started (a caller on the public network)."""

    def __init__(self, provider: "Provider", target: str, number: str, display: str, caller: str,
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
        to_contact = binding is not None and target == binding.contact
        to_host = provider.addr if to_contact else f"{self.dest[0]}:{self.dest[1]}"
        self.to_uri = f"sip:{number}@{to_host}"
        self.extra = extra
        self.audio = RtpTone(tone_hz, host=provider.host)
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
                # The audio starts before the state says "confirmed": this runs on the
                # receiving thread without the lock, and a waiter polling the state must
                # find the answer's audio address already set.
                remote = sdp_audio(resp.body)
                if remote is not None:
                    self.audio.start(remote)
                self.final = resp
                self.state = "confirmed"
            self._ack(resp)  # every 2xx retransmission gets its ACK (§13.2.2.4)
            if first:
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
            remote = sdp_audio(req.body)
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


def sdp_audio(body: bytes) -> tuple[str, int] | None:
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
