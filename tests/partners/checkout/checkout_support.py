"""Helpers for the Checkout.com tests: the sandbox key, request bodies, the Flow form."""

from __future__ import annotations

import re
from typing import Any

from helpers import sandbox_credentials

SECRET_KEY = sandbox_credentials("checkout").secret
CLIENT_ID = sandbox_credentials("checkout").client_id
AUTH = {"Authorization": f"Bearer {SECRET_KEY}"}
EMULATOR = "/sandbox/checkout"
SUCCESS_URL = "https://platform.example/return?step=card"
FAILURE_URL = "https://platform.example/failed"

SESSION_BODY: dict[str, Any] = {
    "amount": 0,
    "currency": "USD",
    "billing": {"address": {"country": "US"}},
    "customer": {"email": "jane@example.com", "name": "Jane Doe"},
    "reference": "session-ref-1",
    "success_url": SUCCESS_URL,
    "failure_url": FAILURE_URL,
    "enabled_payment_methods": ["card"],
    "payment_type": "Unscheduled",
}

US_DEBIT_VISA = "4024 7644 4997 1519"
CREDIT_VISA = "4242 4242 4242 4242"
INSUFFICIENT_FUNDS = "4544 2491 6767 3670"
DO_NOT_HONOUR = "4610 1798 4673 0147"

PAYMENT_ID = re.compile(r"pay_[a-z2-7]{26}")


def card_form(number: str = US_DEBIT_VISA, **overrides: str) -> dict[str, str]:
    """A filled-in Flow card form (future expiry, CVV 100)."""
    form = {
        "card_number": number,
        "expiry_month": "12",
        "expiry_year": "2099",
        "cvv": "100",
        "name": "Jane Q Doe",
    }
    form.update(overrides)
    return form


def payment_id_in(html: str) -> str:
    """The single pay_ id a result page shows."""
    found = set(PAYMENT_ID.findall(html))
    assert len(found) == 1, found
    return found.pop()
