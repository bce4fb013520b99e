"""Claims: concurrent workers send each webhook once; an expired lease makes it due again."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bankbridge.clock import now
from bankbridge.config import Settings
from bankbridge.ids import new_id
from bankbridge.services import Services
from bankbridge.store import SqlStore, open_database
from bankbridge.webhooks.delivery import DeliveryWorker
from helpers import ApiClient
from webhook_testing import Receiver, subscribe


def test_two_workers_on_one_database_deliver_each_webhook_exactly_once(
    api: ApiClient,
    receiver: Receiver,
    services: Services,
    settings: Settings,
    run: Callable[..., Any],
    make_worker: Callable[..., DeliveryWorker],
) -> None:
    """Each worker has its own connection (pool); they claim concurrently in small batches."""
    subscribe(api, receiver.url)
    customers = [api.create_customer()["id"] for _ in range(12)]

    async def race() -> list[int]:
        database = await open_database(settings.database_url)
        try:
            other_store = SqlStore(database, services.vault)
            first = make_worker(batch_size=2)
            second = make_worker(batch_size=2, store=other_store)
            counts: list[int] = []
            while True:
                done = await asyncio.gather(first.run_once(), second.run_once())
                counts.extend(done)
                if not any(done):
                    return counts
        finally:
            await database.close()

    counts = run(race)
    assert sum(counts) == len(customers)
    assert sum(counts[0::2]) > 0 and sum(counts[1::2]) > 0  # both workers took part
    sent = Counter(r.json()["resourceId"] for r in receiver.received())
    assert sent == Counter(customers)


def test_a_claimed_webhook_is_not_sent_again_while_its_lease_holds(
    api: ApiClient,
    receiver: Receiver,
    services: Services,
    run: Callable[..., Any],
    worker: DeliveryWorker,
) -> None:
    """Another worker finds nothing due while a (live) worker holds the claim."""
    subscribe(api, receiver.url)
    api.create_customer()
    moment = now()
    jobs = run(services.store.claim_webhooks, new_id(), moment, moment + timedelta(minutes=1), 10)
    assert len(jobs) == 1
    assert run(worker.run_once) == 0
    assert receiver.received() == []


def test_an_expired_lease_makes_the_webhook_due_again(
    api: ApiClient,
    receiver: Receiver,
    services: Services,
    run: Callable[..., Any],
    make_worker: Callable[..., DeliveryWorker],
) -> None:
    """A worker that died after claiming loses the webhook when its lease runs out."""
    subscribe(api, receiver.url)
    api.create_customer()
    store = services.store
    moment = now()
    [dead_job] = run(store.claim_webhooks, new_id(), moment, moment + timedelta(seconds=60), 10)
    later = make_worker(clock=lambda: now() + timedelta(seconds=61))
    assert run(later.run_once) == 1
    assert len(receiver.received()) == 1
    webhook = run(store.get_webhook, dead_job.webhook_id)
    assert webhook.status == "delivered"
    assert run(later.run_once) == 0


def test_a_late_finish_by_a_worker_that_lost_its_claim_changes_nothing(
    api: ApiClient,
    receiver: Receiver,
    services: Services,
    run: Callable[..., Any],
    make_worker: Callable[..., DeliveryWorker],
) -> None:
    """The attempt is recorded, but the webhook's state belongs to the current claim."""
    subscribe(api, receiver.url)
    api.create_customer()
    store = services.store
    moment = now()
    [stale] = run(store.claim_webhooks, new_id(), moment, moment + timedelta(seconds=1), 10)
    later = make_worker(clock=lambda: now() + timedelta(seconds=5))
    assert run(later.run_once) == 1
    delivered = run(store.get_webhook, stale.webhook_id)
    assert delivered.status == "delivered"
    failed_attempt = replace(delivered.attempts[0], id=new_id(), response_status=500)
    kept = run(store.finish_webhook_attempt, stale, failed_attempt, "failed", now())
    assert kept is False
    after = run(store.get_webhook, stale.webhook_id)
    assert after.status == "delivered"
    assert len(after.attempts) == 2


def test_stopping_the_app_worker_is_clean_when_idle(client: Any, run: Callable[..., Any]) -> None:
    """stop() returns promptly and may be called twice."""
    worker = client.app.state.services.worker
    run(worker.stop)
    run(worker.stop)
