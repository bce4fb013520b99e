"""Webhook types: subscriptions, webhooks with their attempts, retries and delivery jobs.

Frozen dataclasses shared by the domain, the store, the delivery worker and the presenters
(kept apart from ``domain/models.py`` so that webhooks stay one self-contained feature).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bankbridge.domain.models import Event

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "DeliveryJob",
    "Header",
    "Webhook",
    "WebhookAttempt",
    "WebhookRetry",
    "WebhookSubscription",
]

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
