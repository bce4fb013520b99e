"""Webhook fixtures: a localhost receiver, a delivery worker the test drives itself, and a
resolver whose answers the test chooses (no test sends a DNS query)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from bankbridge.config import Settings
from bankbridge.services import Services
from bankbridge.webhooks.delivery import DeliveryWorker, delivery_client
from webhook_testing import TINY_SCHEDULE, Receiver, Resolver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver listening on 127.0.0.1."""
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def make_worker(
    client: TestClient, services: Services, settings: Settings, run: Callable[..., Any]
) -> Iterator[Callable[..., DeliveryWorker]]:
    """Factory: a delivery worker on the app's store (the app's own poller is stopped).

    Its client allows local receivers (as in sandbox mode) unless ``allow_local=False``.
    """
    run(client.app.state.webhook_worker.stop)  # type: ignore[attr-defined]
    clients = []

    def make(**options: Any) -> DeliveryWorker:
        http = delivery_client(allow_local=options.pop("allow_local", True))
        clients.append(http)
        options.setdefault("schedule", TINY_SCHEDULE)
        store = options.pop("store", services.require_store())
        return DeliveryWorker(store, settings, services.require_vault(), http, **options)

    yield make
    for http in clients:
        run(http.aclose)


@pytest.fixture
def worker(make_worker: Callable[..., DeliveryWorker]) -> DeliveryWorker:
    """A worker with a tiny retry schedule, driven with ``run(worker.run_once)``."""
    return make_worker()


@pytest.fixture
def deliver(run: Callable[..., Any], worker: DeliveryWorker) -> Callable[[], int]:
    """Run the worker until nothing is due; returns how many attempts it made."""

    def go() -> int:
        total = 0
        for _ in range(50):
            count: int = run(worker.run_once)
            if count == 0:
                return total
            total += count
        raise AssertionError("webhooks stayed due after 50 rounds")

    return go


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """``socket.getaddrinfo`` answering the names a test sets; numeric hosts only otherwise."""
    fake = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake
