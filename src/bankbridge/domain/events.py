"""Events: topics (each named once), ``emit``, and an account's events (read-only over the API).

``emit`` must be called with a transaction-bound store, inside the transaction that makes
the change the event describes: the event and its pending webhooks commit with the change
or not at all (the outbox pattern), and delivery happens later in the background.
"""

from __future__ import annotations

from bankbridge.clock import now
from bankbridge.errors import NotFound
from bankbridge.ids import new_id
from bankbridge.models import Account, Event, Page
from bankbridge.store.base import WebhookStore

__all__ = [
    "CUSTOMER_CREATED",
    "CUSTOMER_EXCHANGE_CREATED",
    "CUSTOMER_EXCHANGE_DEACTIVATED",
    "CUSTOMER_EXCHANGE_REAUTH_REQUIRED",
    "CUSTOMER_FUNDING_SOURCE_ADDED",
    "CUSTOMER_FUNDING_SOURCE_REMOVED",
    "CUSTOMER_FUNDING_SOURCE_VERIFIED",
    "TOPICS",
    "emit",
    "get_event",
    "list_events",
]

# Dwolla's documented topics, plus customer_exchange_created (emitted when an exchange is
# made; Dwolla documents no such topic, see docs/deviations.md `event-topics`).
CUSTOMER_CREATED = "customer_created"
CUSTOMER_EXCHANGE_CREATED = "customer_exchange_created"
CUSTOMER_EXCHANGE_REAUTH_REQUIRED = "customer_exchange_reauth_required"
CUSTOMER_EXCHANGE_DEACTIVATED = "customer_exchange_deactivated"
CUSTOMER_FUNDING_SOURCE_ADDED = "customer_funding_source_added"
CUSTOMER_FUNDING_SOURCE_VERIFIED = "customer_funding_source_verified"
CUSTOMER_FUNDING_SOURCE_REMOVED = "customer_funding_source_removed"

TOPICS = (
    CUSTOMER_CREATED,
    CUSTOMER_EXCHANGE_CREATED,
    CUSTOMER_EXCHANGE_REAUTH_REQUIRED,
    CUSTOMER_EXCHANGE_DEACTIVATED,
    CUSTOMER_FUNDING_SOURCE_ADDED,
    CUSTOMER_FUNDING_SOURCE_VERIFIED,
    CUSTOMER_FUNDING_SOURCE_REMOVED,
)


async def emit(
    store: WebhookStore,
    account_id: str,
    topic: str,
    resource_type: str,
    resource_id: str,
    customer_id: str | None = None,
) -> Event:
    """Record an event, and a pending webhook per active subscription, in the transaction."""
    if topic not in TOPICS:
        raise ValueError(f"unknown event topic {topic!r}")
    event = Event(new_id(), account_id, topic, resource_type, resource_id, now(), customer_id)
    await store.add_event(event)
    return event


async def get_event(store: WebhookStore, account: Account, event_id: str) -> Event:
    """One of the account's events; another account's is not found (as Dwolla answers)."""
    event = await store.get_event(event_id)
    if event is None or event.account_id != account.id:
        raise NotFound("Event not found.")
    return event


async def list_events(store: WebhookStore, account: Account, limit: int, offset: int) -> Page:
    """The account's events, newest first."""
    return await store.list_events(account.id, limit, offset)
