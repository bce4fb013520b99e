"""Which cards a push-to-card funding source can take: US debit or prepaid cards.

Dwolla pushes payouts to "a reloadable prepaid or bank-issued debit card" in the US. The
adapter checks a payment's card against this rule before an exchange becomes a funding
source, and the emulator's Flow declines other cards up front, so a card that the exchange
would refuse never looks accepted.
"""

from __future__ import annotations

__all__ = ["FUNDABLE_CARD_TYPES", "FUNDABLE_COUNTRY", "is_fundable"]

# Checkout.com spells card types in upper case (older payloads: "Debit"); compare upper-cased.
FUNDABLE_CARD_TYPES = frozenset({"DEBIT", "PREPAID"})
FUNDABLE_COUNTRY = "US"


def is_fundable(card_type: str, issuer_country: str) -> bool:
    """True for a US debit or prepaid card."""
    return card_type.upper() in FUNDABLE_CARD_TYPES and issuer_country.upper() == FUNDABLE_COUNTRY
