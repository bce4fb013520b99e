"""Events: an account's record of what happened to its resources (read-only over the API)."""

from __future__ import annotations

from bankbridge.domain.models import Account, Event, Page
from bankbridge.errors import NotFound
from bankbridge.store.base import Store

__all__ = ["get_event", "list_events"]


async def get_event(store: Store, account: Account, event_id: str) -> Event:
    """One of the account's events; another account's is not found (as Dwolla answers)."""
    event = await store.get_event(event_id)
    if event is None or event.account_id != account.id:
        raise NotFound("Event not found.")
    return event


async def list_events(store: Store, account: Account, limit: int, offset: int) -> Page:
    """The account's events, newest first."""
    return await store.list_events(account.id, limit, offset)
