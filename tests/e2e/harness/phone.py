"""What every test phone has in common: an event log and waiting on it.

Each phone (pjsua2 or baresip) turns its native notifications into plain dicts
appended to one log, so tests read the same way whichever phone they drive:

    {"type": "reg", "code": 200, "reason": "OK"}
    {"type": "incoming", "from": "sip:1001@...", "display": "Alice"}
    {"type": "state", "state": "calling|early|incoming|confirmed|disconnected",
     "code": 486, "reason": "Busy Here"}
    {"type": "media", "status": "active|local_hold|remote_hold|none"}
    {"type": "reinvite"}              # an in-dialog offer arrived (pjsua2 only)

Waiting is always bounded: a test that expects something the PBX never does
fails with the phone's recent events in the message instead of hanging.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

DEFAULT_TIMEOUT = 10.0

Event = dict


class Phone:
    kind = "phone"

    def __init__(self, name: str, tone_hz: float, workdir: Path):
        self.name = name
        self.tone_hz = float(tone_hz)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.events: list[Event] = []
        self._cond = threading.Condition()
        # Index into `events` where the current call began; call waits look
        # only from here so an old call's events never satisfy a new wait.
        self._call_start = 0
        self._reg_start = 0
        self.last_reg: Event | None = None

    # ----- event log -------------------------------------------------------

    def _push(self, event: Event) -> None:
        event.setdefault("t", time.monotonic())
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def mark(self) -> int:
        """Position in the event log; pass as `since` to wait for later events."""
        with self._cond:
            return len(self.events)

    def wait_for(self, pred: Callable[[Event], bool], timeout: float = DEFAULT_TIMEOUT,
                 since: int = 0, what: str = "event") -> Event:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in self.events[since:]:
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    break
                self._cond.wait(min(left, 0.5))
            recent = self.events[since:][-15:]
        raise AssertionError(f"{self}: timed out after {timeout:g} s waiting for {what}; "
                             f"events since: {recent}; alive={self.alive()}")

    def find(self, pred: Callable[[Event], bool], since: int = 0) -> list[Event]:
        with self._cond:
            return [ev for ev in self.events[since:] if pred(ev)]

    # ----- registration ----------------------------------------------------

    def wait_registration(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Final status code of the latest registration attempt (200 = registered).

        0 means the phone gave up without a SIP status (e.g. it could not
        compute the digest); `last_reg` holds the phone's reason.
        """
        ev = self.wait_for(lambda e: e["type"] == "reg" and not 100 <= e.get("code", 0) < 200,
                           timeout, self._reg_start, "a final REGISTER response")
        self.last_reg = ev
        return ev["code"]

    # ----- calls -----------------------------------------------------------

    def _begin_call(self) -> None:
        with self._cond:
            self._call_start = len(self.events)

    def wait_incoming(self, timeout: float = DEFAULT_TIMEOUT) -> Event:
        """Waits for a new incoming call (one not seen by an earlier wait)."""
        ev = self.wait_for(lambda e: e["type"] == "incoming", timeout, self._call_start,
                           "an incoming call")
        with self._cond:
            self._call_start = self.events.index(ev)
        return ev

    def wait_state(self, state: str, timeout: float = DEFAULT_TIMEOUT) -> Event:
        return self.wait_for(lambda e: e["type"] == "state" and e["state"] == state,
                             timeout, self._call_start, f"call state {state!r}")

    def wait_disconnected(self, timeout: float = DEFAULT_TIMEOUT) -> int | None:
        """Waits for the current call to end; returns its final status code if known."""
        return self.wait_state("disconnected", timeout).get("code")

    def wait_media(self, status: str, timeout: float = DEFAULT_TIMEOUT, since: int | None = None) -> Event:
        return self.wait_for(lambda e: e["type"] == "media" and e["status"] == status,
                             timeout, self._call_start if since is None else since,
                             f"media status {status!r}")

    def call_states(self) -> list[str]:
        return [e["state"] for e in self.find(lambda e: e["type"] == "state", self._call_start)]

    def is_ringing(self) -> bool:
        """True while an incoming call has been offered and not ended or answered."""
        states = self.call_states()
        return bool(states) and states[-1] in ("incoming", "early") and \
            bool(self.find(lambda e: e["type"] == "incoming", self._call_start))

    # ----- to implement ----------------------------------------------------

    def alive(self) -> bool:
        raise NotImplementedError

    def log_text(self) -> str:
        return ""

    def close(self) -> None:
        raise NotImplementedError

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"
