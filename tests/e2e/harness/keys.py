"""Keys pressed during a call on a pjsua2 phone (in-call feature codes, menus)."""

from __future__ import annotations

from .pjphone import PjPhone


def press_keys(phone: PjPhone, digits: str, call: int | None = None) -> None:
    """Sends `digits` as RFC 4733 telephone-events in `call` (default: the current one).

    pjsua2 queues them and plays one after the other, so the call returns before the
    last key has left; callers wait for what the keys cause, not for the keys."""
    phone._cmd("dial_dtmf", digits=digits, call=call)


def press_keys_by_info(phone: PjPhone, digits: str, call: int | None = None) -> None:
    """Sends `digits` as SIP INFO (`application/dtmf-relay`), one request per key."""
    phone._cmd("send_info_dtmf", digits=digits, call=call)


def keys_heard(phone: PjPhone, since: int = 0) -> list[tuple[str, str]]:
    """The keys the phone was told of since `since`: (key, "rfc4733" or "info")."""
    return [(e["digit"], e["method"]) for e in phone.find(lambda e: e["type"] == "dtmf", since)]
