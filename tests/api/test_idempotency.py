"""Idempotency-Key on POST: one creation per (account, key), replayed for 24 hours."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx

from bankbridge.api import idempotency
from bankbridge.clock import now
from helpers import HAL, assert_dwolla_error
from live_server import live_server
from raw_http import PartialRequest


def _create(api, key, email="same@example.com"):
    return api.post(
        "/customers",
        {"firstName": "Ann", "lastName": "Lee", "email": email},
        headers={"Idempotency-Key": key},
    )


def test_repeated_key_replays_the_first_response_without_creating_again(api):
    first = _create(api, "key-1")
    second = _create(api, "key-1", email="other@example.com")
    assert first.status_code == second.status_code == 201
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert api.get("/customers").json()["total"] == 1


def test_different_keys_do_the_work_each_time(api):
    assert _create(api, "a", email="a@example.com").status_code == 201
    assert _create(api, "b", email="b@example.com").status_code == 201
    assert api.get("/customers").json()["total"] == 2


def test_error_responses_are_replayed_too(api):
    first = api.post("/customers", {}, headers={"Idempotency-Key": "bad"})
    assert_dwolla_error(first, 400, "ValidationError")
    again = api.post(
        "/customers",
        {"firstName": "A", "lastName": "B", "email": "ok@example.com"},
        headers={"Idempotency-Key": "bad"},
    )
    assert again.status_code == 400
    assert again.json() == first.json()


def test_keys_are_scoped_to_their_account(api, api_for, make_account):
    other = api_for(make_account("Other"))
    mine = _create(api, "shared-key")
    theirs = _create(other, "shared-key")
    assert theirs.status_code == 201
    assert theirs.headers["location"] != mine.headers["location"]


def test_concurrent_duplicates_create_exactly_one_resource(api):
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: _create(api, "race"), range(8)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.headers["location"] for r in responses}) == 1
    assert api.get("/customers").json()["total"] == 1


def test_an_overlong_key_is_a_validation_error(api):
    response = _create(api, "k" * 256)
    body = assert_dwolla_error(response, 400, "ValidationError")
    assert body["_embedded"]["errors"][0]["path"] == "/Idempotency-Key"


def test_requests_without_a_valid_token_are_not_remembered(client):
    response = client.post("/customers", json={}, headers={"Idempotency-Key": "x"})
    assert_dwolla_error(response, 401, "InvalidAccessToken")


def test_a_key_reused_for_another_request_is_refused(api, customer):
    assert _create(api, "reused", email="r@example.com").status_code == 201
    other = api.post(
        f"/customers/{customer['id']}/exchange-sessions",
        {"_links": {"exchange-partner": {"href": api.partner_href("Plaid")}}},
        headers={"Idempotency-Key": "reused"},
    )
    body = assert_dwolla_error(other, 409, "Conflict")
    assert "POST /customers" in body["message"]


def test_a_key_held_by_a_dead_process_is_taken_over_within_the_lease(api, run, services, account):
    """A crashed owner renews nothing: its key is free for a retry once the lease ends."""
    store = services.require_store()
    moment = now()
    run(
        store.claim_idempotency_key,
        account.account.id,
        "orphaned",
        "POST /customers",
        moment,
        moment + idempotency.LEASE,
        moment - idempotency.KEY_LIFETIME,
        "crashed-host/4242/0123456789abcdef",
    )
    started = time.monotonic()
    response = _create(api, "orphaned")
    waited = time.monotonic() - started
    assert response.status_code == 201, response.text
    assert waited < idempotency.LEASE.total_seconds() + 2
    assert api.get("/customers").json()["total"] == 1


def test_a_slow_request_keeps_its_key_past_the_lease(settings, account, monkeypatch):
    """The owner renews its lease while it runs, so a duplicate waits for its response."""
    monkeypatch.setattr(idempotency, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(idempotency, "RENEW_SECONDS", 0.2)
    with live_server(settings) as base:
        token = httpx.post(
            f"{base}/token",
            data={"grant_type": "client_credentials"},
            auth=(account.application.key, account.secret),
        ).json()["access_token"]
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": HAL,
            "Content-Type": HAL,
            "Idempotency-Key": "slow",
        }
        body = json.dumps({"firstName": "S", "lastName": "L", "email": "slow@example.com"})
        # The first request's body arrives slowly: it holds the key well past one lease.
        first = PartialRequest(base, "POST", "/customers", headers, body.encode(), 10)
        time.sleep(3)
        with ThreadPoolExecutor(max_workers=1) as pool:
            duplicate = pool.submit(
                httpx.post, f"{base}/customers", content=body, headers=headers, timeout=30
            )
            time.sleep(1)
            assert not duplicate.done()  # waiting for the owner, not taking the key over
            status, first_headers, _ = first.finish()
            second = duplicate.result()
    assert status == second.status_code == 201, second.text
    assert second.headers["location"] == first_headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
