"""MX: MX Platform API and the MX Connect widget (verification mode)."""

from __future__ import annotations

from bankbridge.partners.base import Partner

__all__ = ["PARTNER"]

PARTNER = Partner(
    slug="mx",
    name="MX",
    id="713fb394-20e5-58d1-8e26-8ed67d5bcddb",
    adapter="bankbridge.partners.mx.adapter:MxAdapter",
    emulator="bankbridge.partners.mx.emulator:build_emulator",
    reauth=True,
    customer_users=True,
)
