"""Checkout.com: Checkout.com's payment sessions and the Flow component."""

from __future__ import annotations

from bankbridge.partners.base import Partner
from bankbridge.partners.checkout.adapter import CheckoutAdapter
from bankbridge.partners.checkout.emulator import build_emulator

__all__ = ["PARTNER"]

PARTNER = Partner(
    slug="checkout",
    name="Checkout.com",
    id="a262294e-a098-5226-a367-a6231e402a42",
    build_adapter=CheckoutAdapter,
    build_emulator=build_emulator,
)
