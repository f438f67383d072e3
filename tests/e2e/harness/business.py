"""The office the trunk tests share: a Sales ring group behind the business name sales.acme.

    trunk = sales_office(office, provider, members=["1001", "1002"])
    call = provider.call(SALES_NUMBER)        # rings 1001 and 1002 as "[Sales] Jane Doe"
"""

from __future__ import annotations

from .admin import AdminPbx, dest, ip_trunk, registration_trunk

SALES_NAME = "sales.acme"
# As the owner types it from the provider's portal; the provider sends it normalised.
SALES_TYPED = "+44 20 7123 4567"
SALES_NUMBER = "+442071234567"
SALES_LABEL = "Sales"
SALES_GROUP = "600"
TRUNK_NAME = "Provider"


def sales_office(office: AdminPbx, provider, members: list[str], channels: int = 2, overflow: dict | None = None,
                 mode: str = "registration", wait_registered: bool = True) -> dict:
    """Ring group 600 "Sales" (all at once), a trunk to `provider`, sales.acme → the group."""
    office.save_ring_group(SALES_GROUP, "Sales", members, strategy="all", ring_seconds=30)
    make = registration_trunk if mode == "registration" else ip_trunk
    trunk = office.save_trunk(make(provider, name=TRUNK_NAME, channels=channels, overflow=overflow))
    office.save_business_name(SALES_NAME, SALES_TYPED, dest("ring_group", SALES_GROUP), label=SALES_LABEL,
                              trunk=trunk["id"])
    if mode == "registration" and wait_registered:
        provider.wait_binding(timeout=20)
    elif mode == "ip":
        # The PBX takes a saved plan up within a moment; its live status says when.
        office.wait_trunk_status(trunk["id"], "ip")
    return trunk


def shown_caller(incoming: dict) -> str:
    """What the phone shows: the display name of the From it received."""
    return incoming.get("display", "")
