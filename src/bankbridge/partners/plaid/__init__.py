"""Plaid: Plaid's API and Plaid Link."""

from __future__ import annotations

from bankbridge.partners.base import Partner
from bankbridge.partners.plaid.adapter import PlaidAdapter
from bankbridge.partners.plaid.emulator import build_emulator

__all__ = ["PARTNER"]

PARTNER = Partner(
    slug="plaid",
    name="Plaid",
    id="cc37a51a-9674-5d46-b5d2-097d54ac7e8d",
    build_adapter=PlaidAdapter,
    build_emulator=build_emulator,
)
