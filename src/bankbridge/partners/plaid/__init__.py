"""Plaid: Plaid's API and Plaid Link."""

from __future__ import annotations

from bankbridge.partners.base import Partner

__all__ = ["PARTNER"]

PARTNER = Partner(
    slug="plaid",
    name="Plaid",
    id="cc37a51a-9674-5d46-b5d2-097d54ac7e8d",
    adapter="bankbridge.partners.plaid.adapter:PlaidAdapter",
    emulator="bankbridge.partners.plaid.emulator:build_emulator",
    reauth=True,
)
