"""Console events and webhooks over HTTP: filters, subscriptions, attempts, retrying."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from webhook_testing import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def _wait(condition, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found


def test_events_are_listed_newest_first_and_filtered(console, api):
    assert "No events yet: " in console.get("/console/events").text
    first, second = api.create_customer(), api.create_customer()
    page = console.get("/console/events").text
    assert page.index(second["id"]) < page.index(first["id"])
    by_resource = console.get(f"/console/events?resource={first['id']}").text
    assert first["id"] in by_resource and second["id"] not in by_resource
    assert "1 matching among the latest 2 of 2 events" in by_resource
    by_topic = console.get("/console/events?topic=customer_created").text
    assert "2 matching" in by_topic
    none = console.get("/console/events?topic=customer_funding_source_added").text
    assert "No events match these filters." in none
    odd = console.get("/console/events", params={"topic": "\x00" * 500, "resource": "'\"<x>"})
    assert odd.status_code == 200 and "<x>" not in odd.text
    event_id = api.get("/events").json()["_embedded"]["events"][0]["id"]
    event = console.get(f"/console/events/{event_id}")
    assert f'<a href="/console/customers/{second["id"]}">' in event.text


def test_subscribe_see_attempts_and_retry_a_delivery(console, api, receiver):
    assert "No webhook subscriptions yet" in console.get("/console/webhook-subscriptions").text
    refused = console.post("/console/webhook-subscriptions", {"url": "not a url", "secret": "s"})
    assert refused.status_code == 400
    assert 'aria-describedby="e-url"' in refused.text
    assert 'value="s"' not in refused.text  # the secret is not echoed
    created = console.post(
        "/console/webhook-subscriptions", {"url": receiver.url, "secret": "console-secret"}
    )
    assert created.status_code == 303
    subscription_path = created.headers["location"]
    api.create_customer()
    _wait(receiver.received)
    webhook_id = _wait(
        lambda: [
            w["id"]
            for w in api.get(
                "/webhook-subscriptions/" + subscription_path.rsplit("/", 1)[1] + "/webhooks"
            ).json()["_embedded"]["webhooks"]
            if w["attempts"]
        ]
    )[0]
    subscription = console.get(subscription_path).text
    assert f'href="/console/webhooks/{webhook_id}">customer_created' in subscription
    page = console.get(f"/console/webhooks/{webhook_id}").text
    assert "Delivery attempts (1)" in page
    assert "X-Request-Signature-Sha-256" in page or "x-request-signature-sha-256" in page.lower()
    assert "&#34;ok&#34;: true" in page  # the receiver's answer, escaped and indented
    retried = console.post(f"/console/webhooks/{webhook_id}/retries")
    assert retried.status_code == 303
    assert retried.headers["location"] == f"/console/webhooks/{webhook_id}?retried=1"
    _wait(lambda: len(receiver.received()) >= 2)
    _wait(lambda: "Delivery attempts (2)" in console.get(f"/console/webhooks/{webhook_id}").text)
    assert len(api.get(f"/webhooks/{webhook_id}/retries").json()["_embedded"]["retries"]) == 1


def test_pause_resume_and_remove_a_subscription(console, api, receiver):
    created = console.post(
        "/console/webhook-subscriptions", {"url": receiver.url, "secret": "console-secret"}
    )
    path = created.headers["location"]
    api_path = "/webhook-subscriptions/" + path.rsplit("/", 1)[1]
    assert console.post(path, {"action": "pause"}).status_code == 303
    assert api.get(api_path).json()["paused"] is True
    assert "Resume deliveries" in console.get(path).text
    assert console.post(path, {"action": "resume"}).status_code == 303
    assert api.get(api_path).json()["paused"] is False
    assert console.post(path, {"action": "explode"}).status_code == 400
    assert console.post(path, {"action": "remove"}).status_code == 303
    assert console.get(path).status_code == 404
