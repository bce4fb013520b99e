"""A card as the customer typed it on a Flow page: checked field by field.

Both Flow pages (the plain form and the drop-in's frame) send the same fields: card number,
expiry month and year, CVV and name. Only Checkout.com's test cards pass, with their CVV
``100`` and any expiry from this month on. Errors use Flow's own field messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bankbridge.partners.checkout.cards import TEST_CVV, find_card, luhn_valid, normalize
from bankbridge.partners.checkout.emulator.state import CardEntry
from bankbridge.partners.kit.bodies import ascii_int

__all__ = ["FIELDS", "CheckedCard", "check_card"]

FIELDS = ("card_number", "expiry_month", "expiry_year", "cvv", "name")
MAX_NAME_LENGTH = 100
MAX_FIELD_LENGTH = 64  # longer than any real card field: longer input is refused, not echoed


@dataclass
class CheckedCard:
    """The typed values to show again (never the CVV), errors by field, and the card if valid."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    entry: CardEntry | None = None


def check_card(raw: Mapping[str, object], now: datetime, default_name: str = "") -> CheckedCard:
    """Check the five card fields; ``entry`` is set only when every field is right."""
    values = {name: _text(raw.get(name), name) for name in FIELDS}
    checked = CheckedCard({k: v for k, v in values.items() if k != "cvv"})
    errors = checked.errors
    number = normalize(values["card_number"])
    card = None
    if not number:
        errors["card_number"] = "Enter the card number."
    elif not luhn_valid(number):
        errors["card_number"] = "Your card number is not valid."
    else:
        card = find_card(number)
        if card is None:
            errors["card_number"] = "This is not a Checkout.com Sandbox test card."
    month = ascii_int(values["expiry_month"])
    year = ascii_int(values["expiry_year"])
    if year is not None and year < 100:
        year += 2000
    if month is None or not 1 <= month <= 12:
        errors["expiry_month"] = "Enter the expiry month (1-12)."
    if year is None or not 2000 <= year <= 2099:
        errors["expiry_year"] = "Enter the expiry year (for example 2030)."
    elif month is not None and 1 <= month <= 12 and (year, month) < (now.year, now.month):
        errors["expiry_year"] = "Your card's expiry date is in the past."
    cvv = values["cvv"]
    if not (cvv.isascii() and cvv.isdigit()) or len(cvv) not in (3, 4):
        errors["cvv"] = "Your card's security code is incomplete."
    elif cvv != TEST_CVV:
        errors["cvv"] = f"The security code is incorrect (Sandbox test cards use {TEST_CVV})."
    if len(values["name"]) > MAX_NAME_LENGTH:
        errors["name"] = f"Must be less than {MAX_NAME_LENGTH} characters."
    if card is not None and month is not None and year is not None and not errors:
        checked.entry = CardEntry(card, month, year, values["name"] or default_name)
    return checked


def _text(value: object, name: str) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    text = str(value).strip() if isinstance(value, str | int) else ""
    limit = MAX_NAME_LENGTH + 1 if name == "name" else MAX_FIELD_LENGTH
    return text[:limit]
