"""Checkout.com's wire shapes: the payment-session request, the payment read back, and the
conversions to and from BankBridge's domain types.

A card exchange is a zero-amount card verification through Flow: the broker opens a payment
session (``POST /payment-sessions``), the user pays it with a debit card, and the resulting
``pay_…`` payment (``GET /payments/{id}``) names the card. Payment statuses map to ours through
``STATUS_MAP``; anything unknown is ``pending``, never ``verified``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict
from urllib.parse import urlsplit

from bankbridge.models import ProviderSession
from bankbridge.partners.base import CardDetails, SessionRequest
from bankbridge.partners.checkout.push_to_card import FUNDABLE_CARD_TYPES, is_fundable

__all__ = [
    "CARD_VERIFICATION_AMOUNT",
    "FUNDABLE_CARD_TYPES",
    "STATUS_MAP",
    "CardPayment",
    "PaymentSessionRequest",
    "PaymentStatus",
    "card_details",
    "card_payment",
    "payment_session_request",
    "payment_status",
    "provider_session",
]

CARD_VERIFICATION_AMOUNT = 0  # minor units; 0 asks for a card verification, not a charge
CURRENCY = "USD"
COUNTRY = "US"
PAYMENT_TYPE = "Unscheduled"
ENABLED_PAYMENT_METHODS = ("card",)
SESSION_DATA_KEYS = ("id", "payment_session_secret", "payment_session_token")

PaymentStatus = Literal["verified", "declined", "pending"]

# Checkout.com payment status -> ours. Unknown statuses are "pending" (see payment_status).
STATUS_MAP: dict[str, PaymentStatus] = {
    "Card Verified": "verified",
    "Authorized": "verified",
    "Captured": "verified",
    "Declined": "declined",
}


class Address(TypedDict):
    """``billing.address``: only the country is required."""

    country: str


class Billing(TypedDict):
    """``billing`` of a payment session."""

    address: Address


class SessionCustomer(TypedDict):
    """``customer`` of a payment session."""

    email: str
    name: str


class PaymentSessionRequest(TypedDict):
    """The body of ``POST /payment-sessions`` as the broker sends it."""

    amount: int
    currency: str
    billing: Billing
    customer: SessionCustomer
    reference: str
    success_url: str
    failure_url: str
    enabled_payment_methods: list[str]
    payment_type: str


@dataclass(frozen=True)
class CardPayment:
    """The parts of a Checkout.com payment (``GET /payments/{id}``) the broker reads."""

    id: str
    status: str
    approved: bool
    payment_session_id: str | None
    reference: str | None
    source_id: str
    scheme: str
    last4: str
    bin: str
    expiry_month: int
    expiry_year: int
    card_type: str
    issuer_country: str
    name: str
    fingerprint: str

    @property
    def verified(self) -> bool:
        """Approved and in a status that proves the card works."""
        return self.approved and payment_status(self.status) == "verified"

    @property
    def fundable(self) -> bool:
        """A verified US debit (or prepaid) card: usable as a push-to-card funding source."""
        return self.verified and is_fundable(self.card_type, self.issuer_country)


def payment_status(status: str) -> PaymentStatus:
    """Our status for a Checkout.com payment status; unknown ones are pending."""
    return STATUS_MAP.get(status, "pending")


def payment_session_request(request: SessionRequest) -> PaymentSessionRequest:
    """A zero-amount card-verification payment session for the customer."""
    customer = request.customer
    redirect = request.redirect_url
    back = redirect if redirect and _is_web_url(redirect) else request.return_url
    return {
        "amount": CARD_VERIFICATION_AMOUNT,
        "currency": CURRENCY,
        "billing": {"address": {"country": COUNTRY}},
        "customer": {
            "email": customer.email,
            "name": f"{customer.first_name} {customer.last_name}".strip(),
        },
        "reference": request.session_id,
        "success_url": back,
        "failure_url": back,
        "enabled_payment_methods": list(ENABLED_PAYMENT_METHODS),
        "payment_type": PAYMENT_TYPE,
    }


def provider_session(body: dict[str, Any]) -> ProviderSession:
    """The 201 body of ``POST /payment-sessions`` as Dwolla's ``externalProviderSessionData``."""
    data = {key: _text(body, key) for key in SESSION_DATA_KEYS}
    return ProviderSession(data=data, external_ref=data["id"])


def card_payment(body: dict[str, Any]) -> CardPayment:
    """A payment body; raises ``KeyError``/``TypeError``/``ValueError`` when it is malformed."""
    source = body.get("source")
    if not isinstance(source, dict):
        raise ValueError("payment has no source object")
    if source.get("type", "card") != "card":
        raise ValueError(f"payment source is {source.get('type')!r}, not a card")
    approved = body.get("approved")
    if not isinstance(approved, bool):
        raise TypeError("payment 'approved' is not a boolean")
    return CardPayment(
        id=_text(body, "id"),
        status=_text(body, "status"),
        approved=approved,
        payment_session_id=_optional_text(body, "payment_session_id"),
        reference=_optional_text(body, "reference"),
        source_id=_text(source, "id"),
        scheme=_text(source, "scheme"),
        last4=_text(source, "last4"),
        bin=_text(source, "bin"),
        expiry_month=_int(source, "expiry_month"),
        expiry_year=_int(source, "expiry_year"),
        card_type=str(source.get("card_type") or ""),
        issuer_country=str(source.get("issuer_country") or ""),
        name=str(source.get("name") or ""),
        fingerprint=str(source.get("fingerprint") or ""),
    )


def card_details(payment: CardPayment) -> CardDetails:
    """The domain's view of the card behind a payment (never the full number)."""
    return CardDetails(
        brand=payment.scheme,
        last_four=payment.last4,
        expiration_month=payment.expiry_month,
        expiration_year=payment.expiry_year,
        name_on_card=payment.name,
        bin=payment.bin,
        card_type=payment.card_type.upper(),
        issuer_country=payment.issuer_country.upper(),
        fingerprint=payment.fingerprint or payment.source_id,
    )


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _text(body: dict[str, Any], key: str) -> str:
    value = body[key]
    if not isinstance(value, str) or not value:
        raise TypeError(f"{key!r} is not a non-empty string")
    return value


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) and value else None


def _int(body: dict[str, Any], key: str) -> int:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key!r} is not an integer")
    return value
