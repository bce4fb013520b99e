"""Fault injection (``/sandbox/faults``): an account makes its own emulated Plaid fail.

Through Dwolla's SDK where it is the API, and against the emulator's own wire API (Plaid's
error bodies); another account's emulator is never affected.
"""

from __future__ import annotations

import time

import dwollav2
import pytest

from helpers import assert_dwolla_error, sandbox_credentials
from test_dwollav2_sdk import dwolla  # noqa: F401 (the fixture)

PLAID = "cc37a51a-9674-5d46-b5d2-097d54ac7e8d"


def test_faults_through_dwollav2_fail_the_next_calls_then_clear(dwolla):  # noqa: F811
    token, base, _ = dwolla
    customer = token.post(
        "customers", {"firstName": "F", "lastName": "I", "email": "faults@example.com"}
    ).headers["location"]
    session = {"_links": {"exchange-partner": {"href": f"{base}/exchange-partners/{PLAID}"}}}

    set_fault = token.post(
        "sandbox/faults",
        {"partner": "Plaid", "fault": "error", "error": "INSTITUTION_DOWN", "calls": 2},
    )
    assert set_fault.body == {
        "partner": "Plaid",
        "fault": "error",
        "error": "INSTITUTION_DOWN",
        "remainingCalls": 2,
    }
    for _ in range(2):
        with pytest.raises(dwollav2.Error) as failed:
            token.post(f"{customer}/exchange-sessions", session)
        assert failed.value.status == 502 and failed.value.body["code"] == "ServerError"
    assert token.get("sandbox/faults").body == {"faults": []}  # spent
    assert token.post(f"{customer}/exchange-sessions", session).status == 201

    token.post("sandbox/faults", {"partner": "Plaid", "fault": "unavailable"})
    for _ in range(3):  # until cleared
        with pytest.raises(dwollav2.Error):
            token.post(f"{customer}/exchange-sessions", session)
    assert token.get("sandbox/faults").body == {
        "faults": [{"partner": "Plaid", "fault": "unavailable"}]
    }
    assert token.delete("sandbox/faults").body == {"faults": []}
    assert token.post(f"{customer}/exchange-sessions", session).status == 201

    token.post("sandbox/faults", {"partner": "Plaid", "fault": "slow", "delaySeconds": 0.6})
    started = time.monotonic()
    assert token.post(f"{customer}/exchange-sessions", session).status == 201
    assert time.monotonic() - started >= 0.6


@pytest.mark.parametrize(
    ("error", "status", "error_type"),
    [
        ("INSTITUTION_DOWN", 400, "INSTITUTION_ERROR"),
        ("ITEM_LOGIN_REQUIRED", 400, "ITEM_ERROR"),
        ("RATE_LIMIT_EXCEEDED", 429, "RATE_LIMIT_EXCEEDED"),
        ("INTERNAL_SERVER_ERROR", 500, "API_ERROR"),
    ],
)
def test_the_emulator_answers_plaids_own_error_body(
    api, account, client, error, status, error_type
):
    assert api.post("/sandbox/faults", {"partner": "Plaid", "fault": "error", "error": error})
    plaid = sandbox_credentials("plaid", owner=account.account.id)
    answer = client.post(
        "/sandbox/plaid/link/token/get",
        json={"client_id": plaid.client_id, "secret": plaid.secret, "link_token": "x"},
    )
    assert answer.status_code == status
    body = answer.json()
    assert (body["error_type"], body["error_code"]) == (error_type, error)
    assert body["request_id"]


def test_an_unavailable_plaid_answers_planned_maintenance(api, account, client):
    api.post("/sandbox/faults", {"partner": "Plaid", "fault": "unavailable", "calls": 1})
    plaid = sandbox_credentials("plaid", owner=account.account.id)
    credentials = {"client_id": plaid.client_id, "secret": plaid.secret, "link_token": "x"}
    answer = client.post("/sandbox/plaid/link/token/get", json=credentials)
    assert answer.status_code == 503
    assert answer.json()["error_code"] == "PLANNED_MAINTENANCE"


def test_another_accounts_fault_never_touches_mine(api, api_for, make_account, customer):
    other = api_for(make_account("Other"))
    assert other.post("/sandbox/faults", {"partner": "Plaid", "fault": "unavailable"})
    assert api.create_session(customer, "Plaid").status_code == 201
    assert api.get("/sandbox/faults").json() == {"faults": []}
    assert other.get("/sandbox/faults").json()["faults"][0]["fault"] == "unavailable"


def test_fault_requests_are_validated(api):
    unknown = api.post("/sandbox/faults", {"partner": "Plaid", "fault": "error", "error": "NOPE"})
    body = assert_dwolla_error(unknown, 400, "ValidationError")
    assert body["_embedded"]["errors"][0]["path"] == "/error"
    unknown_partner = api.post("/sandbox/faults", {"partner": "Stripe", "fault": "unavailable"})
    body = assert_dwolla_error(unknown_partner, 400, "ValidationError")
    assert body["_embedded"]["errors"][0]["path"] == "/partner"
    slow = api.post("/sandbox/faults", {"partner": "Plaid", "fault": "slow"})
    assert_dwolla_error(slow, 400, "ValidationError")
    bad_kind = api.post("/sandbox/faults", {"partner": "Plaid", "fault": "explode"})
    assert_dwolla_error(bad_kind, 400, "ValidationError")


def test_prefer_code_answers_the_operations_documented_error_through_dwollav2(dwolla):  # noqa: F811
    token, base, _ = dwolla
    customer = token.post(
        "customers", {"firstName": "P", "lastName": "C", "email": "prefer@example.com"}
    ).headers["location"]
    session = {"_links": {"exchange-partner": {"href": f"{base}/exchange-partners/{PLAID}"}}}
    for status, code in ((502, "ServerError"), (503, "ServerError"), (403, "forbidden")):
        with pytest.raises(dwollav2.Error) as failed:
            token.post(f"{customer}/exchange-sessions", session, {"Prefer": f"code={status}"})
        assert failed.value.status == status
        assert failed.value.body["code"] == code
    with pytest.raises(dwollav2.Error) as undocumented:
        token.post(f"{customer}/exchange-sessions", session, {"Prefer": "code=418"})
    assert undocumented.value.status == 400 and undocumented.value.body["code"] == "BadRequest"
    # Without the header the same call runs (nothing was stored by the simulated ones).
    created = token.post(f"{customer}/exchange-sessions", session)
    assert created.status == 201
    with pytest.raises(dwollav2.Error) as read:
        token.get(created.headers["location"], headers={"Prefer": "code=403"})
    assert read.value.status == 403


def test_prefer_code_on_a_read_is_honoured_past_the_fast_path(api, customer):
    location = api.create_session(customer, "Plaid").headers["location"]
    preferred = api.client.get(location, headers={**api.headers, "Prefer": "code=403"})
    assert_dwolla_error(preferred, 403, "forbidden")
    assert api.get(location).status_code == 200


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"fault": "error", "error": "TOO_MANY_REQUESTS"}, 429),
        ({"fault": "error", "error": "INTERNAL_SERVER_ERROR"}, 500),
        ({"fault": "unavailable"}, 503),
    ],
)
def test_mx_faults_answer_mx_errors_and_fail_the_session(
    api, account, client, customer, fault, status
):
    assert api.post("/sandbox/faults", {"partner": "MX", "calls": 1, **fault}).status_code == 200
    mx = sandbox_credentials("mx", owner=account.account.id)
    answer = client.get(
        "/sandbox/mx/users",
        auth=(mx.client_id, mx.secret),
        headers={"Accept": "application/vnd.mx.api.v1+json"},
    )
    assert answer.status_code == status
    assert answer.json()["error"]["message"]
    assert api.create_session(customer, "MX").status_code == 201  # the one call was spent
    api.post("/sandbox/faults", {"partner": "MX", **fault})  # until cleared: retries fail too
    assert_dwolla_error(api.create_session(customer, "MX"), 502, "ServerError")
    assert api.client.delete("/sandbox/faults", headers=api.headers).status_code == 200
    assert api.create_session(customer, "MX").status_code == 201


@pytest.mark.parametrize(
    ("fault", "status"),
    [({"fault": "error", "error": "TOO_MANY_REQUESTS"}, 429), ({"fault": "unavailable"}, 503)],
)
def test_checkout_faults_answer_its_statuses_and_fail_the_session(
    api, account, client, customer, fault, status
):
    assert api.post("/sandbox/faults", {"partner": "Checkout.com", "calls": 1, **fault})
    checkout = sandbox_credentials("checkout", owner=account.account.id)
    answer = client.get(
        "/sandbox/checkout/payment-sessions/ps_unknown",
        headers={"Authorization": f"Bearer {checkout.secret}"},
    )
    assert answer.status_code == status
    assert api.create_session(customer, "Checkout.com").status_code == 201  # spent
    api.post("/sandbox/faults", {"partner": "Checkout.com", "calls": 1, **fault})
    assert_dwolla_error(api.create_session(customer, "Checkout.com"), 502, "ServerError")


def test_every_documented_error_simulates_without_a_made_up_related_resource():
    """Errors that name a related resource (UpdateCredentials' exchange, DuplicateResource's
    duplicate) are simulated plainly, never with the message standing in for that resource."""
    import json

    from bankbridge.api.errors import error_body
    from bankbridge.api.preferred import _instance
    from bankbridge.api.routes import api_routes

    errors = {e for r in api_routes() if getattr(r, "operation", None) for e in r.operation.errors}
    assert any(e.code == "UpdateCredentials" for e in errors)
    for error in errors:
        body = error_body(_instance(error), "http://testserver")
        assert body["code"] == error.code
        for link in (body.get("_links") or {}).values():
            assert "Simulated" not in json.dumps(link), (error.code, body)
