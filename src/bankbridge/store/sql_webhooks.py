"""SQL for events, webhook subscriptions and webhook deliveries (mixed into ``SqlStore``).

Delivery is an outbox: ``add_event`` queues one pending webhook per active subscription in
the caller's transaction. Workers claim due webhooks with a lease (``claimed_until``) and a
``claim_token``; on PostgreSQL the claiming transaction selects with ``FOR UPDATE SKIP
LOCKED`` so concurrent workers pass each other by, on SQLite the write lock serialises
claims. A finished attempt updates the webhook only while its claim still holds.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bankbridge.clock import from_micros, to_micros
from bankbridge.ids import new_id
from bankbridge.models import (
    DeliveryJob,
    Event,
    Header,
    Page,
    Webhook,
    WebhookAttempt,
    WebhookRetry,
    WebhookSubscription,
)
from bankbridge.store.base import Database, Row

__all__ = ["WebhookSql"]

# Due webhooks of active subscriptions, oldest due first (the webhooks_pending_due index).
_DUE = (
    "SELECT w.id FROM webhooks w JOIN webhook_subscriptions s ON s.id = w.subscription_id "
    "WHERE w.status = 'pending' AND w.next_attempt_at <= :now "
    "AND (w.claimed_until IS NULL OR w.claimed_until < :now) "
    "AND s.paused = 0 AND s.removed = 0 "
    "ORDER BY w.next_attempt_at, w.id LIMIT :limit"
)


class WebhookSql:
    """Events and webhooks; ``self.database`` is the (possibly transaction-bound) driver."""

    database: Database

    def _webhooks_due(self) -> None:
        """Webhooks were queued or made due (``SqlStore`` tells the worker once committed)."""
        raise NotImplementedError

    async def count_pending_webhooks(self) -> int:
        """How many webhooks await a (re)delivery attempt (the partial index answers)."""
        row = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM webhooks WHERE status = 'pending'"
        )
        return int(row["n"]) if row else 0

    # Events -------------------------------------------------------------------------

    async def add_event(self, event: Event) -> None:
        """Record an event and queue one webhook per active subscription of its account."""
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
        subscriptions = await self.database.fetch_all(
            "SELECT id FROM webhook_subscriptions WHERE account_id = :account "
            "AND paused = 0 AND removed = 0 ORDER BY created_at, id",
            {"account": event.account_id},
        )
        for row in subscriptions:
            await self.database.execute(
                "INSERT INTO webhooks (id, account_id, subscription_id, event_id, topic, status, "
                "attempts, next_attempt_at, created_at) VALUES (:id, :account, :subscription, "
                ":event, :topic, 'pending', 0, :created, :created)",
                {
                    "id": new_id(),
                    "account": event.account_id,
                    "subscription": row["id"],
                    "event": event.id,
                    "topic": event.topic,
                    "created": to_micros(event.created),
                },
            )
        if subscriptions:
            self._webhooks_due()

    async def get_event(self, event_id: str) -> Event | None:
        row = await self.database.fetch_one("SELECT * FROM events WHERE id = :id", {"id": event_id})
        return _event(row) if row else None

    async def list_events(self, account_id: str, limit: int, offset: int) -> Page:
        rows = await self.database.fetch_all(
            "SELECT * FROM events WHERE account_id = :account "
            "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
            {"account": account_id, "limit": limit, "offset": offset},
        )
        total = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM events WHERE account_id = :account", {"account": account_id}
        )
        return Page([_event(row) for row in rows], int(total["n"]) if total else 0)

    # Subscriptions ------------------------------------------------------------------

    async def create_webhook_subscription(
        self, subscription: WebhookSubscription, secret_ciphertext: str, max_active: int
    ) -> bool:
        """Store a subscription; False when the account already has ``max_active``."""
        async with self.database.transaction() as tx:
            if tx.dialect == "postgresql":
                # Serialise creations per account so that the count below stays true.
                await tx.execute(
                    "SELECT id FROM accounts WHERE id = :account FOR UPDATE",
                    {"account": subscription.account_id},
                )
            count = await tx.fetch_one(
                "SELECT COUNT(*) AS n FROM webhook_subscriptions "
                "WHERE account_id = :account AND removed = 0",
                {"account": subscription.account_id},
            )
            if count is not None and int(count["n"]) >= max_active:
                return False
            await tx.execute(
                "INSERT INTO webhook_subscriptions (id, account_id, url, secret, paused, removed, "
                "created_at) VALUES (:id, :account, :url, :secret, :paused, 0, :created)",
                {
                    "id": subscription.id,
                    "account": subscription.account_id,
                    "url": subscription.url,
                    "secret": secret_ciphertext,
                    "paused": int(subscription.paused),
                    "created": to_micros(subscription.created),
                },
            )
        return True

    async def get_webhook_subscription(self, subscription_id: str) -> WebhookSubscription | None:
        row = await self.database.fetch_one(
            "SELECT * FROM webhook_subscriptions WHERE id = :id", {"id": subscription_id}
        )
        return _subscription(row) if row else None

    async def list_webhook_subscriptions(self, account_id: str) -> list[WebhookSubscription]:
        rows = await self.database.fetch_all(
            "SELECT * FROM webhook_subscriptions WHERE account_id = :account AND removed = 0 "
            "ORDER BY created_at, id",
            {"account": account_id},
        )
        return [_subscription(row) for row in rows]

    async def set_webhook_subscription_paused(self, subscription_id: str, paused: bool) -> None:
        await self.database.execute(
            "UPDATE webhook_subscriptions SET paused = :paused WHERE id = :id",
            {"paused": int(paused), "id": subscription_id},
        )
        if not paused:
            self._webhooks_due()  # its queued webhooks may be due

    async def remove_webhook_subscription(self, subscription_id: str) -> bool:
        """Mark a subscription removed and fail its undelivered webhooks; False if it was."""
        async with self.database.transaction() as tx:
            changed = await tx.execute(
                "UPDATE webhook_subscriptions SET removed = 1 WHERE id = :id AND removed = 0",
                {"id": subscription_id},
            )
            if not changed:
                return False
            await tx.execute(
                "UPDATE webhooks SET status = 'failed', claimed_until = NULL, claim_token = NULL "
                "WHERE subscription_id = :id AND status = 'pending'",
                {"id": subscription_id},
            )
        return True

    # Webhooks -----------------------------------------------------------------------

    async def list_webhooks(self, subscription_id: str, limit: int, offset: int) -> Page:
        rows = await self.database.fetch_all(
            "SELECT * FROM webhooks WHERE subscription_id = :subscription "
            "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
            {"subscription": subscription_id, "limit": limit, "offset": offset},
        )
        total = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM webhooks WHERE subscription_id = :subscription",
            {"subscription": subscription_id},
        )
        attempts = await self._attempts([row["id"] for row in rows])
        webhooks = [_webhook(row, attempts.get(row["id"], [])) for row in rows]
        return Page(webhooks, int(total["n"]) if total else 0)

    async def get_webhook(self, webhook_id: str) -> Webhook | None:
        row = await self.database.fetch_one(
            "SELECT * FROM webhooks WHERE id = :id", {"id": webhook_id}
        )
        if row is None:
            return None
        attempts = await self._attempts([webhook_id])
        return _webhook(row, attempts.get(webhook_id, []))

    async def retry_webhook(self, retry: WebhookRetry) -> None:
        """Record a retry and make its webhook due now, releasing any claim on it."""
        async with self.database.transaction() as tx:
            await tx.execute(
                "INSERT INTO webhook_retries (id, webhook_id, created_at) "
                "VALUES (:id, :webhook, :created)",
                {"id": retry.id, "webhook": retry.webhook_id, "created": to_micros(retry.created)},
            )
            await tx.execute(
                "UPDATE webhooks SET status = 'pending', next_attempt_at = :now, "
                "claimed_until = NULL, claim_token = NULL WHERE id = :id",
                {"now": to_micros(retry.created), "id": retry.webhook_id},
            )
        self._webhooks_due()

    async def list_webhook_retries(self, webhook_id: str) -> list[WebhookRetry]:
        rows = await self.database.fetch_all(
            "SELECT * FROM webhook_retries WHERE webhook_id = :webhook "
            "ORDER BY created_at DESC, id DESC",
            {"webhook": webhook_id},
        )
        return [
            WebhookRetry(row["id"], row["webhook_id"], from_micros(row["created_at"]))
            for row in rows
        ]

    # Delivery -----------------------------------------------------------------------

    async def claim_webhooks(
        self, token: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[DeliveryJob]:
        """Claim up to ``limit`` due webhooks until ``lease_until``; return them as jobs."""
        params = {"now": to_micros(now), "limit": limit}
        claim = {"until": to_micros(lease_until), "token": token}
        # A plain read first: an idle poll takes no write lock.
        if await self.database.fetch_one(_DUE, {**params, "limit": 1}) is None:
            return []
        async with self.database.transaction() as tx:
            if tx.dialect == "postgresql":
                # Rows another worker is claiming right now are skipped, not waited for.
                due = await tx.fetch_all(_DUE + " FOR UPDATE OF w SKIP LOCKED", params)
                if not due:
                    return []
                await tx.execute(
                    "UPDATE webhooks SET claimed_until = :until, claim_token = :token "
                    "WHERE id = ANY(:ids)",
                    {**claim, "ids": [row["id"] for row in due]},
                )
            else:
                # SQLite: the transaction holds the database's write lock; one UPDATE suffices.
                changed = await tx.execute(
                    "UPDATE webhooks SET claimed_until = :until, claim_token = :token "
                    f"WHERE id IN ({_DUE})",
                    {**claim, **params},
                )
                if not changed:
                    return []
            rows = await tx.fetch_all(
                "SELECT w.id AS webhook_id, w.claim_token, w.attempts, s.url, s.secret, "
                "e.id AS event_id, e.account_id, e.topic, e.resource_type, e.resource_id, "
                "e.customer_id, e.created_at FROM webhooks w "
                "JOIN webhook_subscriptions s ON s.id = w.subscription_id "
                "JOIN events e ON e.id = w.event_id "
                "WHERE w.claim_token = :token ORDER BY w.next_attempt_at, w.id",
                {"token": token},
            )
        return [_job(row) for row in rows]

    async def finish_webhook_attempt(
        self, job: DeliveryJob, attempt: WebhookAttempt, status: str, next_attempt_at: datetime
    ) -> bool:
        """Record ``attempt``; update and release the webhook only if ``job``'s claim holds."""
        async with self.database.transaction() as tx:
            await tx.execute(
                "INSERT INTO webhook_attempts (id, webhook_id, request_at, request_url, "
                "request_headers, request_body, response_at, response_status, response_headers, "
                "response_body) VALUES (:id, :webhook, :request_at, :url, :request_headers, "
                ":request_body, :response_at, :status, :response_headers, :response_body)",
                {
                    "id": attempt.id,
                    "webhook": attempt.webhook_id,
                    "request_at": to_micros(attempt.request_at),
                    "url": attempt.request_url,
                    "request_headers": json.dumps(attempt.request_headers),
                    "request_body": attempt.request_body,
                    "response_at": to_micros(attempt.response_at),
                    "status": attempt.response_status,
                    "response_headers": json.dumps(attempt.response_headers),
                    "response_body": attempt.response_body,
                },
            )
            changed = await tx.execute(
                "UPDATE webhooks SET status = :status, attempts = attempts + 1, "
                "next_attempt_at = :next, claimed_until = NULL, claim_token = NULL "
                "WHERE id = :id AND claim_token = :token",
                {
                    "status": status,
                    "next": to_micros(next_attempt_at),
                    "id": job.webhook_id,
                    "token": job.claim_token,
                },
            )
        return changed > 0

    # Rows ---------------------------------------------------------------------------

    async def _attempts(self, webhook_ids: list[str]) -> dict[str, list[WebhookAttempt]]:
        if not webhook_ids:
            return {}
        names = {f"w{i}": webhook_id for i, webhook_id in enumerate(webhook_ids)}
        placeholders = ", ".join(f":{name}" for name in names)
        rows = await self.database.fetch_all(
            f"SELECT * FROM webhook_attempts WHERE webhook_id IN ({placeholders}) "
            "ORDER BY request_at DESC, id DESC",
            names,
        )
        found: dict[str, list[WebhookAttempt]] = {}
        for row in rows:
            found.setdefault(row["webhook_id"], []).append(_attempt(row))
        return found


def _event(row: Row) -> Event:
    return Event(
        id=row["id"],
        account_id=row["account_id"],
        topic=row["topic"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        created=from_micros(row["created_at"]),
        customer_id=row["customer_id"],
    )


def _subscription(row: Row) -> WebhookSubscription:
    return WebhookSubscription(
        id=row["id"],
        account_id=row["account_id"],
        url=row["url"],
        paused=bool(row["paused"]),
        created=from_micros(row["created_at"]),
        removed=bool(row["removed"]),
    )


def _webhook(row: Row, attempts: list[WebhookAttempt]) -> Webhook:
    return Webhook(
        id=row["id"],
        account_id=row["account_id"],
        subscription_id=row["subscription_id"],
        event_id=row["event_id"],
        topic=row["topic"],
        status=row["status"],
        attempt_count=int(row["attempts"]),
        next_attempt_at=from_micros(row["next_attempt_at"]),
        created=from_micros(row["created_at"]),
        attempts=tuple(attempts),
    )


def _attempt(row: Row) -> WebhookAttempt:
    return WebhookAttempt(
        id=row["id"],
        webhook_id=row["webhook_id"],
        request_at=from_micros(row["request_at"]),
        request_url=row["request_url"],
        request_headers=_headers(row["request_headers"]),
        request_body=row["request_body"],
        response_at=from_micros(row["response_at"]),
        response_status=int(row["response_status"]),
        response_headers=_headers(row["response_headers"]),
        response_body=row["response_body"],
    )


def _headers(text: str) -> tuple[Header, ...]:
    pairs: list[Any] = json.loads(text)
    return tuple((str(name), str(value)) for name, value in pairs)


def _job(row: Row) -> DeliveryJob:
    event = Event(
        id=row["event_id"],
        account_id=row["account_id"],
        topic=row["topic"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        created=from_micros(row["created_at"]),
        customer_id=row["customer_id"],
    )
    return DeliveryJob(
        webhook_id=row["webhook_id"],
        claim_token=row["claim_token"],
        attempt_count=int(row["attempts"]),
        url=row["url"],
        secret_ciphertext=row["secret"],
        event=event,
    )
