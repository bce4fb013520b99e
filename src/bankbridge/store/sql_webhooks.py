"""SQL for events, webhook subscriptions and webhook deliveries (mixed into ``SqlStore``)."""

from __future__ import annotations

from bankbridge.clock import to_micros
from bankbridge.domain.models import Event
from bankbridge.store.base import Database

__all__ = ["WebhookSql"]


class WebhookSql:
    """Events and webhooks; ``self.database`` is the (possibly transaction-bound) driver."""

    database: Database

    async def add_event(self, event: Event) -> None:
        await self.database.execute(
            "INSERT INTO events (id, account_id, topic, resource_type, resource_id, customer_id, "
            "created_at) VALUES (:id, :account, :topic, :rtype, :rid, :customer, :created)",
            {
                "id": event.id,
                "account": event.account_id,
                "topic": event.topic,
                "rtype": event.resource_type,
                "rid": event.resource_id,
                "customer": event.customer_id,
                "created": to_micros(event.created),
            },
        )
