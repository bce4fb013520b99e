"""Exchange partners as Dwolla lists them, derived from the partner registry."""

from __future__ import annotations

from datetime import UTC, datetime

from bankbridge import partners
from bankbridge.errors import NotFound
from bankbridge.models import ExchangePartner
from bankbridge.partners.base import Partner

__all__ = ["get_exchange_partner", "list_exchange_partners"]

# A fixed date, so that every install reports the same partner documents.
PARTNERS_CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def list_exchange_partners() -> list[ExchangePartner]:
    """Every partner BankBridge supports, in registry order."""
    return [_present(p) for p in partners.PARTNERS]


def get_exchange_partner(partner_id: str) -> ExchangePartner:
    """One partner by its stable id."""
    partner = partners.by_id(partner_id)
    if partner is None:
        raise NotFound("Exchange partner not found.")
    return _present(partner)


def _present(partner: Partner) -> ExchangePartner:
    return ExchangePartner(partner.id, partner.slug, partner.name, "active", PARTNERS_CREATED)
