"""The sandbox webhook receiver: a person with only a browser subscribes it (the console
prefills it), sees each delivery and retries one; outside sandbox mode it does not exist."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.domain.accounts import create_account
from console_user import ConsoleUser
from live_server import live_platform

RECEIVER = "/console/sandbox/webhook-receiver"


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Deliveries, not storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/console-receiver.db"


def test_the_subscribe_form_is_prefilled_with_the_receiver_in_sandbox_mode(
    console: ConsoleUser, client: TestClient
) -> None:
    page = console.get("/console/webhook-subscriptions")
    assert f'value="http://testserver{RECEIVER}"' in page.text
    answer = client.post(RECEIVER, json={"topic": "customer_created"})
    assert answer.status_code == 200 and "sandbox webhook receiver" in answer.text


def test_deliveries_to_the_receiver_succeed_and_a_retry_is_delivered_too(settings: Any) -> None:
    with live_platform(settings, name="Receiver") as live:
        made = live.api.post(
            "/webhook-subscriptions", json={"url": live.base + RECEIVER, "secret": "any-secret"}
        )
        assert made.status_code == 201, made.text
        live.api.post(
            "/customers", json={"firstName": "W", "lastName": "H", "email": "w@example.com"}
        )
        hooks = made.headers["location"] + "/webhooks"
        listed = _until(lambda: live.api.get(hooks).json()["_embedded"]["webhooks"])
        href = listed[0]["_links"]["self"]["href"]
        attempts = _until(lambda: live.api.get(href).json()["attempts"])
        assert [a["response"]["statusCode"] for a in attempts] == [200]
        retried = live.api.post(href + "/retries", json={})
        assert retried.status_code == 201, retried.text
        again = _until(lambda: live.api.get(href).json()["attempts"][1:])
        assert again[0]["response"]["statusCode"] == 200


def _until(read: Callable[[], list[Any]]) -> list[Any]:
    """What ``read`` returns once it is not empty (deliveries are asynchronous)."""
    deadline = time.monotonic() + 15
    while not (found := read()):
        assert time.monotonic() < deadline, "nothing was delivered"
        time.sleep(0.2)
    return found


def test_outside_sandbox_mode_there_is_no_receiver_and_no_prefill(settings: Any) -> None:
    nowhere = {"base_url": "http://127.0.0.1:9", "client_id": "c", "secret": "s"}
    remote = settings.with_changes(
        mode="remote", partner_overrides={p: nowhere for p in ("mx", "plaid", "checkout")}
    )
    with TestClient(create_app(remote), base_url="http://testserver") as client:
        store = client.app.state.services.store  # type: ignore[attr-defined]
        made = client.portal.call(create_account, store, "Remote", [], [])  # type: ignore[union-attr]
        console = ConsoleUser.sign_in(client, made.application.key, made.secret)
        assert RECEIVER not in console.get("/console/webhook-subscriptions").text
        assert client.post(RECEIVER, json={}).status_code == 404
