"""Checkout.com: Checkout.com's payment sessions and the Flow component."""

from __future__ import annotations

from bankbridge.partners.base import Partner

__all__ = ["PARTNER"]

PARTNER = Partner(
    slug="checkout",
    name="Checkout.com",
    id="a262294e-a098-5226-a367-a6231e402a42",
    adapter="bankbridge.partners.checkout.adapter:CheckoutAdapter",
    emulator="bankbridge.partners.checkout.emulator:build_emulator",
)
