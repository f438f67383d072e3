"""Transfer keys on a pjsua2 phone: blind (REFER) and attended (REFER with Replaces)."""

from __future__ import annotations

from .pjphone import PjPhone


def place_call(phone: PjPhone, uri: str) -> int:
    """Dials `uri` like `PjPhone.call` and returns the pjsua2 call id (for a second call)."""
    phone._begin_call()
    return phone._cmd("make_call", uri=uri)["call"]


def blind_transfer(phone: PjPhone, uri: str, call: int | None = None) -> None:
    """REFERs the peer of `call` (default: the current call) to `uri`."""
    phone._cmd("xfer", call=call, uri=uri)


def attended_transfer(phone: PjPhone, call: int, other: int) -> None:
    """REFERs the peer of `call` to the peer of `other`, replacing `other`'s dialog."""
    phone._cmd("xfer_replaces", call=call, other=other)


def baresip_blind_transfer(phone, uri: str) -> None:
    """baresip's transfer command: REFER the current call's peer to `uri`."""
    phone._cmd("transfer", uri)
