"""Idempotency-Key on POST: one creation per (account, key), replayed for 24 hours."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from helpers import assert_dwolla_error


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
