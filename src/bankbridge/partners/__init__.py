"""The partner registry: the single list of exchange partners BankBridge knows.

A new partner is one folder (adapter, wire, emulator, templates) plus one line here.
"""

from __future__ import annotations

from bankbridge.partners.base import Partner
from bankbridge.partners.checkout import PARTNER as CHECKOUT
from bankbridge.partners.mx import PARTNER as MX
from bankbridge.partners.plaid import PARTNER as PLAID

__all__ = ["PARTNERS", "by_id", "by_name", "by_slug"]

PARTNERS: tuple[Partner, ...] = (MX, PLAID, CHECKOUT)

_BY_SLUG = {p.slug: p for p in PARTNERS}
_BY_ID = {p.id: p for p in PARTNERS}
_BY_NAME = {p.name.lower(): p for p in PARTNERS}


def by_slug(slug: str) -> Partner | None:
    """A partner by its folder name (``mx``)."""
    return _BY_SLUG.get(slug)


def by_id(partner_id: str) -> Partner | None:
    """A partner by its stable exchange-partner id."""
    return _BY_ID.get(partner_id)


def by_name(name: str) -> Partner | None:
    """A partner by slug or display name, case-insensitively (``checkout.com``, ``plaid``)."""
    key = name.strip().lower()
    return _BY_SLUG.get(key) or _BY_NAME.get(key)
