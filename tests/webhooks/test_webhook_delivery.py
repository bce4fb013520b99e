"""Delivery: signed webhooks reach a real receiver, retry with backoff, and are recorded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Settings
from bankbridge.domain.accounts import NewAccount, create_account
from bankbridge.domain.events import CUSTOMER_CREATED, emit
from bankbridge.ids import new_id
from bankbridge.services import Services
from bankbridge.webhooks.delivery import DeliveryWorker
from bankbridge.webhooks.signing import verify_signature
from helpers import ApiClient, assert_dwolla_error, assert_link
from webhook_testing import SECRET, Receiver, subscribe

BASE = "http://testserver"


def _webhooks(api: ApiClient, subscription: dict[str, Any]) -> list[dict[str, Any]]:
    body = api.get(subscription["_links"]["webhooks"]["href"]).json()
    result: list[dict[str, Any]] = body["_embedded"]["webhooks"]
    assert body["total"] == len(result)
    return result


def test_customer_created_reaches_the_receiver_signed(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """One POST with Dwolla's headers; the HMAC-SHA256 of the raw body verifies."""
    subscribe(api, receiver.url)
    customer = api.create_customer()
    assert deliver() == 1
    [request] = receiver.received()
    assert request.path == "/hooks"
    assert request.headers["x-dwolla-topic"] == "customer_created"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "dwolla-webhooks/1.0"
    signature = request.headers["x-request-signature-sha-256"]
    assert verify_signature(SECRET, request.body, signature)
    assert not verify_signature("another-secret", request.body, signature)
    body = request.json()
    event = api.get("/events").json()["_embedded"]["events"][0]
    assert body["id"] == event["id"]
    assert body["topic"] == "customer_created"
    assert body["resourceId"] == customer["id"]
    assert body["timestamp"] == body["created"] == event["created"]
    assert body["_links"] == event["_links"]


def test_each_active_subscription_gets_its_own_webhook(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """Two subscriptions with different secrets: two POSTs, each signed with its own."""
    subscribe(api, receiver.url, secret="first")
    subscribe(api, receiver.url.replace("/hooks", "/other"), secret="second")
    api.create_customer()
    assert deliver() == 2
    by_path = {r.path: r for r in receiver.received()}
    first, second = by_path["/hooks"], by_path["/other"]
    assert first.body == second.body
    assert verify_signature("first", first.body, first.headers["x-request-signature-sha-256"])
    assert verify_signature("second", second.body, second.headers["x-request-signature-sha-256"])


def test_delivered_webhook_records_its_attempt(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """GET /webhooks/{id}: links, ids and the attempt's request and response."""
    subscription = subscribe(api, receiver.url)
    api.create_customer()
    deliver()
    [listed] = _webhooks(api, subscription)
    webhook = api.get(listed["_links"]["self"]["href"]).json()
    assert webhook == listed
    event = api.get("/events").json()["_embedded"]["events"][0]
    links = webhook["_links"]
    assert_link(links["self"], f"{BASE}/webhooks/{webhook['id']}", "webhook")
    assert_link(links["event"], event["_links"]["self"]["href"], "event")
    assert_link(
        links["subscription"], subscription["_links"]["self"]["href"], "webhook-subscription"
    )
    assert_link(links["retries"], f"{BASE}/webhooks/{webhook['id']}/retries", "retry")
    assert webhook["topic"] == "customer_created"
    assert webhook["eventId"] == event["id"]
    assert webhook["subscriptionId"] == subscription["id"]
    assert webhook["accountId"] == event["_links"]["account"]["href"].rsplit("/", 1)[1]
    [attempt] = webhook["attempts"]
    sent = receiver.received()[0]
    assert attempt["request"]["url"] == receiver.url
    assert attempt["request"]["body"] == sent.body.decode()
    headers = {h["name"]: h["value"] for h in attempt["request"]["headers"]}
    assert headers["X-Dwolla-Topic"] == "customer_created"
    assert headers["X-Request-Signature-SHA-256"] == sent.headers["x-request-signature-sha-256"]
    assert attempt["response"]["statusCode"] == 200
    assert attempt["response"]["body"] == '{"ok":true}'
    assert {"name": "Content-Type", "value": "application/json"} in [
        {"name": h["name"].title(), "value": h["value"]} for h in attempt["response"]["headers"]
    ]
    assert SECRET not in json.dumps(webhook)


def test_paused_subscription_gets_nothing(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """Events while paused queue no webhook; after resuming, new events are delivered."""
    subscription = subscribe(api, receiver.url)
    href = subscription["_links"]["self"]["href"]
    api.post(href, {"paused": True})
    api.create_customer()
    assert deliver() == 0
    assert receiver.received() == []
    assert _webhooks(api, subscription) == []
    api.post(href, {"paused": False})
    api.create_customer()
    assert deliver() == 1
    assert len(receiver.received()) == 1


def test_pausing_holds_back_webhooks_already_queued(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """A webhook queued before the pause waits until the subscription resumes."""
    subscription = subscribe(api, receiver.url)
    href = subscription["_links"]["self"]["href"]
    api.create_customer()
    api.post(href, {"paused": True})
    assert deliver() == 0
    api.post(href, {"paused": False})
    assert deliver() == 1
    assert len(receiver.received()) == 1


def test_removed_subscription_gets_nothing(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """Webhooks queued before the removal are given up, not sent."""
    subscription = subscribe(api, receiver.url)
    api.create_customer()
    api.client.delete(subscription["_links"]["self"]["href"], headers=api.headers)
    api.create_customer()
    assert deliver() == 0
    assert receiver.received() == []


def test_receiver_down_then_back_gets_the_webhook_on_retry(
    api: ApiClient,
    receiver: Receiver,
    deliver: Callable[[], int],
    run: Callable[..., Any],
    worker: DeliveryWorker,
) -> None:
    """A refused connection and a 503 are retried; every attempt is recorded."""
    subscription = subscribe(api, receiver.url)
    receiver.stop()
    api.create_customer()
    assert run(worker.run_once) == 1  # connection refused
    receiver.statuses = [503]
    receiver.start()
    assert deliver() == 2  # 503, then 200
    received = receiver.received()
    assert len(received) == 2
    assert received[0].body == received[1].body
    [webhook] = _webhooks(api, subscription)
    statuses = [a["response"]["statusCode"] for a in webhook["attempts"]]
    assert statuses == [200, 503, 0]  # newest first
    refused = webhook["attempts"][2]
    assert refused["response"]["body"] == "BankBridge: connection failed."
    assert refused["request"]["body"] == received[0].body.decode()
    assert deliver() == 0  # delivered: nothing left


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """A 302 is recorded as such and retried at the same URL; its Location is never visited."""
    subscription = subscribe(api, receiver.url)
    receiver.statuses = [302]
    api.create_customer()
    assert deliver() == 2  # 302, then 200
    assert [r.path for r in receiver.received()] == ["/hooks", "/hooks"]
    [webhook] = _webhooks(api, subscription)
    assert [a["response"]["statusCode"] for a in webhook["attempts"]] == [200, 302]


def test_webhook_fails_after_the_last_retry(
    api: ApiClient,
    receiver: Receiver,
    deliver: Callable[[], int],
    services: Services,
    run: Callable[..., Any],
) -> None:
    """Three 500s with a two-retry schedule: three attempts, then the webhook is failed."""
    subscription = subscribe(api, receiver.url)
    receiver.statuses = [500, 500, 500, 500]
    api.create_customer()
    assert deliver() == 3
    assert len(receiver.received()) == 3
    [listed] = _webhooks(api, subscription)
    assert [a["response"]["statusCode"] for a in listed["attempts"]] == [500, 500, 500]
    stored = run(services.store.get_webhook, listed["id"])
    assert (stored.status, stored.attempt_count) == ("failed", 3)


def test_retries_endpoint_redelivers(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """POST /webhooks/{id}/retries: 201 + Location; the webhook is sent once more."""
    subscription = subscribe(api, receiver.url)
    api.create_customer()
    deliver()
    [webhook] = _webhooks(api, subscription)
    retries_href = webhook["_links"]["retries"]["href"]
    assert api.get(retries_href).json()["total"] == 0
    created = api.post(retries_href)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location.startswith(f"{retries_href}/")
    retry = api.get(location).json()
    assert retry["id"] == location.rsplit("/", 1)[1]
    assert_link(retry["_links"]["webhook"], webhook["_links"]["self"]["href"], "webhook")
    listing = api.get(retries_href).json()
    assert listing["total"] == 1 and listing["_embedded"]["retries"] == [retry]
    assert deliver() == 1
    received = receiver.received()
    assert len(received) == 2 and received[0].body == received[1].body
    assert len(api.get(webhook["_links"]["self"]["href"]).json()["attempts"]) == 2


def test_retry_of_a_failed_webhook_delivers_it(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """A webhook that used up its retries goes out again when asked."""
    subscription = subscribe(api, receiver.url)
    receiver.statuses = [500, 500, 500]
    api.create_customer()
    deliver()
    [webhook] = _webhooks(api, subscription)
    assert api.post(webhook["_links"]["retries"]["href"]).status_code == 201
    assert deliver() == 1
    latest = api.get(webhook["_links"]["self"]["href"]).json()["attempts"][0]
    assert latest["response"]["statusCode"] == 200


def test_webhooks_and_retries_of_another_account_are_not_found(
    api: ApiClient,
    receiver: Receiver,
    deliver: Callable[[], int],
    api_for: Callable[..., ApiClient],
    make_account: Callable[..., Any],
) -> None:
    """404 on GET /webhooks/{id} and on its retries, as Dwolla's spec says."""
    subscription = subscribe(api, receiver.url)
    api.create_customer()
    deliver()
    [webhook] = _webhooks(api, subscription)
    other = api_for(make_account("Other"))
    href = webhook["_links"]["self"]["href"]
    assert_dwolla_error(other.get(href), 404, "NotFound")
    assert_dwolla_error(other.get(f"{href}/retries"), 404, "NotFound")
    assert_dwolla_error(other.post(f"{href}/retries"), 404, "NotFound")
    assert_dwolla_error(api.get("/webhooks/unknown"), 404, "NotFound")
    assert_dwolla_error(api.get(f"{href}/retries/unknown"), 404, "NotFound")


def test_retry_after_the_subscription_was_removed_is_refused(
    api: ApiClient, receiver: Receiver, deliver: Callable[[], int]
) -> None:
    """Nothing could deliver it: InvalidResourceState."""
    subscription = subscribe(api, receiver.url)
    api.create_customer()
    deliver()
    [webhook] = _webhooks(api, subscription)
    api.client.delete(subscription["_links"]["self"]["href"], headers=api.headers)
    response = api.post(webhook["_links"]["retries"]["href"])
    assert_dwolla_error(response, 400, "InvalidResourceState")


def test_background_worker_delivers_without_being_driven(
    api: ApiClient, receiver: Receiver
) -> None:
    """The app's own worker (started by the lifespan) polls and delivers."""
    subscribe(api, receiver.url)
    api.create_customer()
    _wait_for(lambda: len(receiver.received()) == 1)


def test_webhook_queued_while_stopped_is_delivered_after_a_restart(
    settings: Settings, receiver: Receiver
) -> None:
    """The outbox survives the process: a new app on the same database delivers it."""
    with TestClient(create_app(settings), base_url=BASE) as first:
        first.portal.call(first.app.state.services.worker.stop)  # type: ignore[attr-defined,union-attr]
        services: Services = first.app.state.services  # type: ignore[attr-defined]
        made = first.portal.call(  # type: ignore[union-attr]
            create_account, services.store, "Acme", [], []
        )
        api = ApiClient.login(first, made.application.key, made.secret)
        subscribe(api, receiver.url)
        api.create_customer()
    assert receiver.received() == []
    with TestClient(create_app(settings), base_url=BASE):
        _wait_for(lambda: len(receiver.received()) == 1)
    assert receiver.received()[0].headers["x-dwolla-topic"] == "customer_created"


def _wait_for(condition: Callable[[], bool], limit: float = 20.0) -> None:
    """Wait (bounded) for something a background task does; no timing is asserted."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the background worker did not deliver"
        time.sleep(0.02)


def test_a_committed_event_wakes_the_worker_at_once(
    api: ApiClient,
    receiver: Receiver,
    services: Services,
    make_worker: Callable[..., DeliveryWorker],
    run: Callable[..., Any],
) -> None:
    """A worker that would poll only hourly delivers as soon as the event commits: the
    store tells it (``on_webhooks_due``), as the app wires its own worker."""
    worker = make_worker(poll_seconds=3600.0)
    services.store.on_webhooks_due(worker.wake)  # type: ignore[attr-defined]
    subscribe(api, receiver.url)
    run(worker.start)
    try:
        api.create_customer()
        _wait_for(lambda: len(receiver.received()) == 1)
    finally:
        run(worker.stop)


def test_webhooks_due_are_told_after_commit_and_never_for_a_rollback(
    api: ApiClient, account: NewAccount, services: Services, run: Callable[..., Any]
) -> None:
    """The listener hears of queued webhooks once their transaction commits (a nested
    transaction tells nothing of its own), and not at all when it rolls back."""
    subscribe(api, "http://127.0.0.1:9/hooks")
    account_id = account.account.id
    store = services.store
    told: list[str] = []

    async def emit_customer_event(fail: bool) -> None:
        async with store.transaction() as tx:
            async with tx.transaction() as nested:
                await emit(nested, account_id, CUSTOMER_CREATED, "customers", new_id())
            told.append("nested committed")
            if fail:
                raise RuntimeError("roll back")

    store.on_webhooks_due(lambda: told.append("due"))  # type: ignore[attr-defined]
    run(emit_customer_event, False)
    assert told == ["nested committed", "due"]
    told.clear()
    with pytest.raises(RuntimeError):
        run(emit_customer_event, True)
    assert told == ["nested committed"]
