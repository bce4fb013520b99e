"""``GET /metrics`` of a real ``serve --workers 2``: counters move, summed over workers."""

from __future__ import annotations

import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from server_process import create_account, served, subscribed_headers
from webhook_testing import SECRET, Receiver

PLAID = "cc37a51a-9674-5d46-b5d2-097d54ac7e8d"
GETS = 30


def _samples(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_partner_calls_webhooks_and_replays_across_workers(tmp_path):
    env = {
        "BANKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/bankbridge.db",
        "BANKBRIDGE_SECRET_KEY": "metrics-test-key",
    }
    account = create_account(env, tmp_path)
    receiver = Receiver().start()
    try:
        with served(env, tmp_path / "serve.log", "--workers", "2") as base:
            before = _samples(base)
            headers = subscribed_headers(base, account, receiver.url, SECRET)
            new_customer = {"firstName": "M", "lastName": "T", "email": "metrics@example.com"}
            once = {**headers, "Idempotency-Key": "metrics-test-key-1"}
            customer = httpx.post(f"{base}/customers", json=new_customer, headers=once)
            again = httpx.post(f"{base}/customers", json=new_customer, headers=once)
            assert again.headers["idempotent-replayed"] == "true"
            plaid = {"href": f"{base}/exchange-partners/{PLAID}"}
            session = httpx.post(
                f"{customer.headers['location']}/exchange-sessions",
                json={"_links": {"exchange-partner": plaid}},
                headers=headers,
            )
            assert session.status_code == 201
            for _ in range(GETS):  # a new connection each: both workers answer some
                assert httpx.get(session.headers["location"], headers=headers).status_code == 200
            assert httpx.get(f"{base}/customers/not-a-customer", headers=headers).status_code == 404
            deadline = time.monotonic() + 20
            while not receiver.received() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert receiver.received()
            time.sleep(0.5)  # the attempt is counted once the receiver has answered
            after = _samples(base)
    finally:
        receiver.stop()

    def moved(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = "bankbridge_http_requests_total"
    assert moved(requests, route="/exchange-sessions/{id}", method="GET", status="200") == GETS
    assert moved(requests, route="/customers", method="POST", status="201") == 2  # one replayed
    assert moved(requests, route="/customers/{id}", method="GET", status="404") == 1
    assert moved(requests, route="/token", method="POST", status="200") == 1
    latency = "bankbridge_http_request_duration_seconds_count"
    assert moved(latency, route="/exchange-sessions/{id}", method="GET") == GETS
    assert moved("bankbridge_idempotent_replays_total") == 1
    assert (
        moved(
            "bankbridge_partner_requests_total",
            partner="plaid",
            operation="POST /link/token/create",
            outcome="ok",
        )
        == 1
    )
    partner_latency = "bankbridge_partner_request_duration_seconds_count"
    assert moved(partner_latency, partner="plaid", operation="POST /link/token/create") == 1
    assert moved("bankbridge_webhook_attempts_total", outcome="delivered") >= 1
    assert ("bankbridge_webhook_queue_depth", frozenset()) in after
