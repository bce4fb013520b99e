"""The logs of a real ``bankbridge serve``: JSON lines, one request id per request, no secrets.

The server runs as a child process in JSON mode; the test drives a Plaid exchange session
(a partner call) and a webhook delivery to a local receiver, then reads every line the
process printed.
"""

from __future__ import annotations

import json
import time

import httpx

from server_process import create_account, served, subscribed_headers
from webhook_testing import SECRET, Receiver

PLAID = "cc37a51a-9674-5d46-b5d2-097d54ac7e8d"


def test_json_logs_share_request_ids_and_record_partner_calls_and_webhooks(tmp_path):
    env = {
        "BANKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/bankbridge.db",
        "BANKBRIDGE_SECRET_KEY": "log-test-key",
        "BANKBRIDGE_LOG_FORMAT": "json",
    }
    account = create_account(env, tmp_path)
    log = tmp_path / "serve.log"
    receiver = Receiver().start()
    try:
        with served(env, log) as base:
            headers = subscribed_headers(base, account, receiver.url, SECRET)
            token = headers["Authorization"].removeprefix("Bearer ")
            customer = httpx.post(
                f"{base}/customers",
                json={"firstName": "L", "lastName": "G", "email": "logs@example.com"},
                headers=headers,
            )
            generated = customer.headers["x-request-id"]  # none was sent: one was made
            assert len(generated) == 16
            session = httpx.post(
                f"{customer.headers['location']}/exchange-sessions",
                json={
                    "_links": {"exchange-partner": {"href": f"{base}/exchange-partners/{PLAID}"}}
                },
                headers={**headers, "X-Request-Id": "integrator-req-42"},
            )
            assert session.status_code == 201, session.text
            assert session.headers["x-request-id"] == "integrator-req-42"
            forged = httpx.get(f"{base}/livez", headers={"X-Request-Id": 'a b "} forged'})
            assert forged.headers["x-request-id"] != 'a b "} forged'
            link_token = httpx.get(session.headers["location"], headers=headers).json()[
                "externalProviderSessionToken"
            ]
            deadline = time.monotonic() + 20
            while not receiver.received() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert receiver.received(), "the webhook was never delivered"
            time.sleep(0.3)  # the attempt's line is written after the receiver answers
    finally:
        receiver.stop()

    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    by_id: dict[str, list[dict]] = {}
    for line in lines:
        by_id.setdefault(line["request_id"], []).append(line)

    tagged = by_id["integrator-req-42"]
    assert {line["logger"] for line in tagged} == {"bankbridge.access", "bankbridge.partners"}
    (call,) = [line for line in tagged if line["logger"] == "bankbridge.partners"]
    assert call["partner"] == "plaid"
    assert call["operation"] == "POST /link/token/create"
    assert call["status"] == 200 and call["outcome"] == "ok"
    assert isinstance(call["duration_ms"], float)
    (access,) = [line for line in by_id[generated] if line["logger"] == "bankbridge.access"]
    assert access["method"] == "POST" and access["path"] == "/customers"
    assert access["status"] == 201 and access["duration_ms"] > 0

    attempts = [line for line in lines if line["message"] == "webhook attempt"]
    assert attempts and attempts[0]["outcome"] == "delivered" and attempts[0]["status"] == 200
    assert any(line["message"].startswith("BankBridge ready") for line in lines)

    for secret in (account["secret"], token, link_token, SECRET):
        assert secret not in text, secret
