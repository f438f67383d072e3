"""Keys pressed during a call on a pjsua2 phone (in-call feature codes, menus)."""

from __future__ import annotations

from .pjphone import PjPhone


def press_keys(phone: PjPhone, digits: str, call: int | None = None) -> None:
    """Sends `digits` as RFC 4733 telephone-events in `call` (default: the current one).

    pjsua2 queues them and plays one after the other, so the call returns before the
    last key has left; callers wait for what the keys cause, not for the keys."""
    phone._cmd("dial_dtmf", digits=digits, call=call)
