"""Remote mode: webhook URLs never reach the network BankBridge runs in (SSRF), at creation
and again at every delivery (DNS rebinding); sandbox mode still takes local receivers.

Names are answered by the ``resolver`` fixture (no DNS query leaves the test), and the only
connections ever opened go to a listener on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Settings
from bankbridge.domain.accounts import create_account
from bankbridge.webhooks.delivery import DeliveryWorker
from helpers import ApiClient, assert_dwolla_error
from webhook_testing import TINY_SCHEDULE, ConnectionCounter, Resolver

PUBLIC = "93.184.216.34"
NOT_PUBLIC = [
    "127.0.0.1",
    "127.0.0.2",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "192.0.0.192",
    "168.63.129.16",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",
    "64:ff9b::a00:1",
]
# Literal hosts in every notation a resolver reads, and local or metadata names.
LITERAL_URLS = [
    "https://127.0.0.2/hooks",
    "https://127.1/hooks",
    "https://0x7f000001/hooks",
    "https://2130706433/hooks",
    "https://0177.0.0.1/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[::1]:8443/hooks",
    "https://localhost./hooks",
    "https://LOCALHOST/hooks",
    "https://app.localhost/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/",
    "https://metadata/computeMetadata/v1/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://10.1.2.3/hooks",
    "https://172.20.0.1/hooks",
    "https://192.168.0.10/hooks",
    "https://[fd12:3456::1]/hooks",
    "https://printer.local/hooks",
]


@pytest.fixture
def remote(settings: Settings) -> Iterator[tuple[TestClient, ApiClient]]:
    """A started remote-mode app (its background delivery stopped) and an account's client."""
    with TestClient(create_app(settings.with_changes(mode="remote"))) as client:
        client.portal.call(client.app.state.webhook_worker.stop)  # type: ignore[attr-defined,union-attr]
        store = client.app.state.services.require_store()  # type: ignore[attr-defined]
        created = client.portal.call(create_account, store, "Remote", [], [])  # type: ignore[union-attr]
        yield client, ApiClient.login(client, created.application.key, created.secret)


@pytest.fixture
def listener() -> Iterator[ConnectionCounter]:
    """A TCP listener on 127.0.0.1 that counts the connections it gets."""
    counter = ConnectionCounter()
    yield counter
    counter.close()


def _subscribe(api: ApiClient, url: str) -> Any:
    return api.post("/webhook-subscriptions", {"url": url, "secret": "receiver-secret"})


def test_remote_mode_refuses_local_and_metadata_hosts_in_every_notation(
    remote: tuple[TestClient, ApiClient], resolver: Resolver
) -> None:
    """400 ValidationError at /url for each, and nothing is stored."""
    _, api = remote
    for url in LITERAL_URLS:
        response = _subscribe(api, url)
        assert response.status_code == 400, (url, response.text)
        body = assert_dwolla_error(response, 400, "ValidationError")
        assert [(e["path"], e["code"]) for e in body["_embedded"]["errors"]] == [
            ("/url", "InvalidFormat")
        ], url
    assert api.get("/webhook-subscriptions").json()["total"] == 0


def test_remote_mode_refuses_a_name_that_resolves_to_a_non_public_address(
    remote: tuple[TestClient, ApiClient], resolver: Resolver
) -> None:
    """The host's addresses decide, whatever the name looks like."""
    _, api = remote
    for address in NOT_PUBLIC:
        resolver.names["hooks.partner.example"] = [address]
        response = _subscribe(api, "https://hooks.partner.example/dwolla")
        assert response.status_code == 400, (address, response.text)
        assert_dwolla_error(response, 400, "ValidationError")
    assert api.get("/webhook-subscriptions").json()["total"] == 0


def test_remote_mode_refuses_a_name_with_any_non_public_address_and_takes_a_public_one(
    remote: tuple[TestClient, ApiClient], resolver: Resolver
) -> None:
    """A public address listed first does not excuse a private one listed second."""
    _, api = remote
    resolver.names["mixed.partner.example"] = [PUBLIC, "10.0.0.7"]
    resolver.names["hooks.partner.example"] = [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"]
    assert_dwolla_error(
        _subscribe(api, "https://mixed.partner.example/dwolla"), 400, "ValidationError"
    )
    assert_dwolla_error(
        _subscribe(api, "https://unknown.partner.example/dwolla"), 400, "ValidationError"
    )
    assert _subscribe(api, "https://hooks.partner.example/dwolla").status_code == 201


def test_remote_delivery_to_a_name_rebound_to_loopback_is_refused_without_connecting(
    remote: tuple[TestClient, ApiClient], resolver: Resolver, listener: ConnectionCounter
) -> None:
    """Vetted at creation (public), 127.0.0.1 at delivery: no connection, a generic error."""
    client, api = remote
    resolver.names["hooks.partner.example"] = [PUBLIC]
    url = f"https://hooks.partner.example:{listener.port}/dwolla"
    subscription = _subscribe(api, url)
    assert subscription.status_code == 201, subscription.text
    resolver.names["hooks.partner.example"] = ["127.0.0.1"]
    api.create_customer()
    worker = client.app.state.webhook_worker  # type: ignore[attr-defined]
    assert client.portal.call(worker.run_once) == 1  # type: ignore[union-attr]
    assert listener.count == 0
    webhooks = api.get(f"{subscription.headers['location']}/webhooks").json()
    [webhook] = webhooks["_embedded"]["webhooks"]
    [attempt] = webhook["attempts"]
    assert attempt["response"]["statusCode"] == 0
    assert attempt["response"]["body"] == "BankBridge: connection failed."
    assert attempt["response"]["headers"] == []


def test_sandbox_delivery_still_reaches_a_local_receiver_by_name(
    api: ApiClient,
    resolver: Resolver,
    listener: ConnectionCounter,
    make_worker: Callable[..., DeliveryWorker],
    run: Callable[..., Any],
) -> None:
    """The same rebound name in sandbox mode connects to 127.0.0.1 (what the sandbox allows;
    also shows the listener above would have seen a connection)."""
    resolver.names["hooks.partner.example"] = ["127.0.0.1"]
    created = _subscribe(api, f"https://hooks.partner.example:{listener.port}/dwolla")
    assert created.status_code == 201, created.text
    api.create_customer()
    assert run(make_worker(schedule=TINY_SCHEDULE).run_once) == 1
    assert listener.count >= 1
