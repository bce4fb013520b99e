"""The types every layer shares: frozen dataclasses of the domain and of webhooks.

At the bottom of the import graph (with ``errors``, ``clock`` and ``config``): the domain,
the store, the partners, the delivery worker and the API presenters all use them, and they
import nothing of BankBridge's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "Account",
    "Application",
    "Customer",
    "DeliveryJob",
    "Event",
    "Exchange",
    "ExchangePartner",
    "ExchangeSession",
    "FundingSource",
    "Header",
    "Page",
    "ProviderSession",
    "Webhook",
    "WebhookAttempt",
    "WebhookRetry",
    "WebhookSubscription",
]


@dataclass(frozen=True)
class Account:
    """A tenant: owns applications, customers and everything under them."""

    id: str
    name: str
    created: datetime
    redirect_urls: tuple[str, ...]
    partners: tuple[str, ...]  # slugs of the exchange partners enabled for this account


@dataclass(frozen=True)
class Application:
    """An API client of an account; its secret is kept only as a hash."""

    id: str
    account_id: str
    key: str
    secret_hash: str
    created: datetime


@dataclass(frozen=True)
class Customer:
    """A Dwolla customer of an account."""

    id: str
    account_id: str
    first_name: str
    last_name: str
    email: str
    type: str
    status: str
    created: datetime
    business_name: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class ExchangePartner:
    """An open-banking partner as Dwolla lists it (``MX``, ``Plaid``, ``Checkout.com``)."""

    id: str
    slug: str
    name: str
    status: str
    created: datetime


@dataclass(frozen=True)
class ProviderSession:
    """What a partner handed back for a new session, in the one form the platform gets.

    Exactly one of ``url`` (a hosted page to open), ``token`` (a client-side init token)
    or ``data`` (an object for a client-side component) is set.
    """

    url: str | None = None
    token: str | None = None
    data: dict[str, Any] | None = None
    external_ref: str | None = None  # partner-side handle (MX user guid, link token, ps_ id)
    expires_at: datetime | None = None
    partner_user: str | None = None  # the customer's partner-side user (MX), to remember


@dataclass(frozen=True)
class ExchangeSession:
    """A customer's session with one exchange partner."""

    id: str
    account_id: str
    customer_id: str
    partner_slug: str
    created: datetime
    provider: ProviderSession
    redirect_url: str | None = None
    exchange_id: str | None = None  # set for re-authentication sessions


@dataclass(frozen=True)
class Exchange:
    """A customer's verified connection to one bank account or card at a partner.

    ``connection`` holds the partner's handles (access tokens, ids): secret, decrypted only
    when the adapter needs it, never presented.
    """

    id: str
    account_id: str
    customer_id: str
    partner_slug: str
    status: str  # active | deactivated | removed
    created: datetime
    connection: dict[str, str]
    reauth_required: bool = False


@dataclass(frozen=True)
class FundingSource:
    """A verified bank account or debit card of a customer, made from an exchange."""

    id: str
    account_id: str
    customer_id: str
    exchange_id: str
    type: str  # bank | card
    status: str  # verified
    name: str
    created: datetime
    fingerprint: str
    removed: bool = False
    bank_account_type: str | None = None
    bank_name: str | None = None
    routing_number: str | None = None
    account_number: str | None = None  # full number: kept encrypted, never presented
    card_details: dict[str, Any] | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened to a resource; webhooks deliver it to subscriptions."""

    id: str
    account_id: str
    topic: str
    resource_type: str  # the resource's collection: "customers", "exchanges", "funding-sources"
    resource_id: str
    created: datetime
    customer_id: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of a listing plus the total across all pages."""

    items: list[Any] = field(default_factory=list)
    total: int = 0


# Webhooks: subscriptions, webhooks with their attempts, retries and delivery jobs ------

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

Header = tuple[str, str]


@dataclass(frozen=True)
class WebhookSubscription:
    """An account's endpoint for webhooks; its secret is stored encrypted, never presented."""

    id: str
    account_id: str
    url: str
    paused: bool
    created: datetime
    removed: bool = False


@dataclass(frozen=True)
class WebhookAttempt:
    """One delivery attempt: the request as sent and what came back.

    ``response_status`` is 0 when no response arrived (connection error or timeout); the
    response body then says what went wrong.
    """

    id: str
    webhook_id: str
    request_at: datetime
    request_url: str
    request_headers: tuple[Header, ...]
    request_body: str
    response_at: datetime
    response_status: int
    response_headers: tuple[Header, ...]
    response_body: str

    @property
    def succeeded(self) -> bool:
        """True for a 2xx response."""
        return 200 <= self.response_status < 300


@dataclass(frozen=True)
class Webhook:
    """One event's delivery to one subscription (status: pending, delivered or failed)."""

    id: str
    account_id: str
    subscription_id: str
    event_id: str
    topic: str
    status: str
    attempt_count: int
    next_attempt_at: datetime
    created: datetime
    attempts: tuple[WebhookAttempt, ...] = ()  # newest first


@dataclass(frozen=True)
class WebhookRetry:
    """A redelivery a platform asked for."""

    id: str
    webhook_id: str
    created: datetime


@dataclass(frozen=True)
class DeliveryJob:
    """A claimed webhook with everything needed to send it; valid while the lease holds."""

    webhook_id: str
    claim_token: str
    attempt_count: int
    url: str
    secret_ciphertext: str
    event: Event
