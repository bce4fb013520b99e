"""MX end to end: session -> Connect page -> available connections -> exchange -> funding source."""

from __future__ import annotations

import base64
import re

import pytest

from flows import submit
from helpers import assert_dwolla_error


def connect_mx(api, customer, password="password"):
    """Create an MX session and log in on its Connect page; returns the result page."""
    location = api.create_session(customer, "MX").headers["location"]
    url = api.get(location).json()["_links"]["external-provider-session"]["href"]
    return submit(api.client, url, username="mxuser", password=password)


def available(api, customer):
    response = api.get(f"/customers/{customer['id']}/available-exchange-connections")
    assert response.status_code == 200, response.text
    return response.json()["_embedded"]["available-exchange-connections"]


def exchange(api, customer, token, partner_href=None):
    body = {"mx": {"availableConnectionToken": token}}
    if partner_href:
        body["_links"] = {"exchange-partner": {"href": partner_href}}
    return api.post(f"/customers/{customer['id']}/exchanges", body)


def test_connect_page_connects_checking_and_savings(api, customer):
    page = connect_mx(api, customer)
    assert page.status_code == 200
    assert "Connected" in page.text
    names = sorted(c["name"] for c in available(api, customer))
    assert names == ["MX Bank Checking", "MX Bank Savings"]


@pytest.mark.parametrize(
    ("password", "shown"), [("INVALID", "DENIED"), ("LOCKED", "LOCKED"), ("SERVER_ERROR", "FAILED")]
)
def test_mx_bank_error_passwords_show_mx_failure_and_connect_nothing(
    api, customer, password, shown
):
    page = connect_mx(api, customer, password=password)
    assert shown in page.text
    assert available(api, customer) == []


def test_available_connections_are_empty_before_connecting(api, customer):
    assert available(api, customer) == []


def test_mx_exchange_becomes_a_verified_bank_funding_source(api, customer, run, services):
    connect_mx(api, customer)
    checking = next(c for c in available(api, customer) if c["name"] == "MX Bank Checking")
    created = exchange(api, customer, checking["availableConnectionToken"], api.partner_href("MX"))
    assert created.status_code == 201, created.text
    exchange_doc = api.get(created.headers["location"]).json()
    assert exchange_doc["status"] == "active"
    assert exchange_doc["_links"]["exchange-partner"]["href"] == api.partner_href("MX")

    source = api.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": created.headers["location"]}},
            "bankAccountType": "checking",
            "name": "Jane's Checking",
        },
    )
    assert source.status_code == 201, source.text
    body = api.get(source.headers["location"]).json()
    assert body["status"] == "verified"
    assert body["type"] == "bank"
    assert body["bankAccountType"] == "checking"
    assert body["bankName"] == "MX Bank"
    assert re.fullmatch(r"[0-9a-f]{64}", body["fingerprint"])
    assert body["removed"] is False
    stored = run(services.store.get_funding_source, body["id"])
    assert re.fullmatch(r"\d{10,12}", stored.account_number)
    assert stored.routing_number == "091000019"
    response_text = api.get(source.headers["location"]).text
    assert stored.account_number not in response_text
    assert "accountNumber" not in response_text


def test_the_same_mx_account_exchanged_again_is_a_duplicate_resource(api, customer):
    """Listing again hands out a fresh token for the same account: redeeming it answers
    DuplicateResource naming the existing exchange, however often it is tried."""
    connect_mx(api, customer)
    checking = next(c for c in available(api, customer) if c["name"] == "MX Bank Checking")
    first = exchange(api, customer, checking["availableConnectionToken"])
    assert first.status_code == 201, first.text
    mx = api.partner_href("MX")
    for _ in range(2):
        again = next(c for c in available(api, customer) if c["name"] == "MX Bank Checking")
        assert again["availableConnectionToken"] != checking["availableConnectionToken"]
        duplicate = exchange(api, customer, again["availableConnectionToken"], mx)
        error = assert_dwolla_error(duplicate, 400, "DuplicateResource")
        existing = first.headers["location"]
        assert error["message"] == f"Exchange already exists: id={existing.rsplit('/', 1)[1]}"
        assert error["_links"]["about"] == {
            "href": existing,
            "type": "application/vnd.dwolla.v1.hal+json",
            "resource-type": "exchange",
        }
    listed = api.get(f"/customers/{customer['id']}/exchanges").json()
    assert [e["_links"]["self"]["href"] for e in listed["_embedded"]["exchanges"]] == [existing]
    topics = [e["topic"] for e in api.get("/events").json()["_embedded"]["events"]]
    assert topics.count("customer_exchange_created") == 1
    savings = next(c for c in available(api, customer) if c["name"] == "MX Bank Savings")
    assert exchange(api, customer, savings["availableConnectionToken"]).status_code == 201


def test_tampered_connection_token_is_rejected(api, customer):
    connect_mx(api, customer)
    token = available(api, customer)[0]["availableConnectionToken"]
    body, tag = token.split(".")
    payload = base64.urlsafe_b64decode(body + "==").replace(b"ACT-", b"ACT-0")
    forged = base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + tag
    assert_dwolla_error(exchange(api, customer, forged), 400, "InvalidExchangeToken")
    assert_dwolla_error(exchange(api, customer, token[:-3] + "abc"), 400, "InvalidExchangeToken")


@pytest.mark.parametrize("token", ["", "not-a-token", "eyJhY2NvdW50SWQiOiJBQ1QtMSJ9"])
def test_garbage_connection_tokens_are_rejected(api, customer, token):
    response = exchange(api, customer, token)
    assert response.status_code == 400
    assert response.json()["code"] in ("InvalidExchangeToken", "ValidationError")


def test_connection_token_is_single_use(api, customer):
    connect_mx(api, customer)
    token = available(api, customer)[0]["availableConnectionToken"]
    assert exchange(api, customer, token).status_code == 201
    assert_dwolla_error(exchange(api, customer, token), 400, "InvalidExchangeToken")


def test_connection_token_of_another_customer_is_rejected(api, customer):
    connect_mx(api, customer)
    token = available(api, customer)[0]["availableConnectionToken"]
    other = api.create_customer()
    assert_dwolla_error(exchange(api, other, token), 400, "InvalidExchangeToken")


def test_connection_token_used_by_another_account_is_rejected(api, api_for, make_account, customer):
    connect_mx(api, customer)
    token = available(api, customer)[0]["availableConnectionToken"]
    other_api = api_for(make_account("Other"))
    other_customer = other_api.create_customer()
    assert_dwolla_error(exchange(other_api, other_customer, token), 400, "InvalidExchangeToken")
    assert_dwolla_error(exchange(other_api, customer, token), 403, "forbidden")


def test_exchange_of_another_account_is_forbidden(api, api_for, make_account, customer):
    connect_mx(api, customer)
    token = available(api, customer)[0]["availableConnectionToken"]
    location = exchange(api, customer, token).headers["location"]
    other = api_for(make_account("Other"))
    assert_dwolla_error(other.get(location), 403, "forbidden")


def test_customer_exchanges_are_listed(api, customer):
    connect_mx(api, customer)
    for connection in available(api, customer):
        exchange(api, customer, connection["availableConnectionToken"])
    listed = api.get(f"/customers/{customer['id']}/exchanges").json()
    assert listed["total"] == 2
    assert {e["status"] for e in listed["_embedded"]["exchanges"]} == {"active"}


def test_removed_funding_source_stays_readable_and_can_be_added_again(api, customer):
    connect_mx(api, customer)
    savings = next(c for c in available(api, customer) if c["name"] == "MX Bank Savings")
    location = exchange(api, customer, savings["availableConnectionToken"]).headers["location"]
    body = {"_links": {"exchange": {"href": location}}, "bankAccountType": "savings", "name": "S"}
    source = api.post(f"/customers/{customer['id']}/funding-sources", body).headers["location"]
    removed = api.post(source, {"removed": True})
    assert removed.status_code == 200
    assert removed.json()["removed"] is True
    assert_dwolla_error(api.post(source, {"removed": True}), 400, "InvalidResourceState")
    live = api.get(
        f"/customers/{customer['id']}/funding-sources", params={"removed": "false"}
    ).json()
    assert live["_embedded"]["funding-sources"] == []
    again = api.post(f"/customers/{customer['id']}/funding-sources", body)
    assert again.status_code == 201


def test_mx_reauth_round_trip(api, customer):
    connect_mx(api, customer)
    token = next(c for c in available(api, customer) if c["name"] == "MX Bank Checking")[
        "availableConnectionToken"
    ]
    location = exchange(api, customer, token).headers["location"]
    exchange_id = location.rsplit("/", 1)[1]
    reset = api.post(f"/sandbox/exchanges/{exchange_id}/reset-login")
    assert reset.status_code == 200, reset.text
    assert "re-authenticate" in reset.json()["_links"]
    events = api.get("/events").json()["_embedded"]["events"]
    reauth = [e for e in events if e["topic"] == "customer_exchange_reauth_required"]
    assert [e["resourceId"] for e in reauth] == [exchange_id]
    assert reauth[0]["_links"]["customer"]["href"].endswith(customer["id"])
    body = {"_links": {"exchange": {"href": location}}, "bankAccountType": "checking", "name": "C"}
    assert_dwolla_error(
        api.post(f"/customers/{customer['id']}/funding-sources", body), 400, "UpdateCredentials"
    )

    session = api.post(f"{location}/exchange-sessions")
    assert session.status_code == 201, session.text
    url = api.get(session.headers["location"]).json()["_links"]["external-provider-session"]["href"]
    page = submit(api.client, url, username="mxuser", password="password")
    assert page.status_code == 200
    assert "re-authenticate" not in api.get(location).json()["_links"]
    assert api.post(f"/customers/{customer['id']}/funding-sources", body).status_code == 201


def test_account_numbers_and_partner_handles_are_encrypted_in_the_database(
    api, customer, run, services
):
    connect_mx(api, customer)
    token = next(c for c in available(api, customer) if c["name"] == "MX Bank Checking")[
        "availableConnectionToken"
    ]
    location = exchange(api, customer, token).headers["location"]
    body = {"_links": {"exchange": {"href": location}}, "bankAccountType": "checking", "name": "C"}
    source_id = (
        api.post(f"/customers/{customer['id']}/funding-sources", body)
        .headers["location"]
        .rsplit("/", 1)[1]
    )
    store = services.store
    stored = run(store.get_funding_source, source_id)
    row = run(
        store.database.fetch_one, "SELECT * FROM funding_sources WHERE id = :id", {"id": source_id}
    )
    assert stored.account_number not in str(row)
    exchange_row = run(store.database.fetch_one, "SELECT connection FROM exchanges", {})
    assert "MBR-" not in exchange_row["connection"]


@pytest.mark.parametrize(
    ("name", "wrong"), [("MX Bank Checking", "savings"), ("MX Bank Savings", "checking")]
)
def test_bank_account_type_must_match_the_mx_account(api, customer, name, wrong):
    connect_mx(api, customer)
    connection = next(c for c in available(api, customer) if c["name"] == name)
    location = exchange(api, customer, connection["availableConnectionToken"]).headers["location"]
    body = {"_links": {"exchange": {"href": location}}, "bankAccountType": wrong, "name": "S"}
    response = api.post(f"/customers/{customer['id']}/funding-sources", body)
    error = assert_dwolla_error(response, 400, "ValidationError")["_embedded"]["errors"][0]
    assert (error["path"], error["code"]) == ("/bankAccountType", "Invalid")
    assert error["message"].startswith("bankAccountType must be ")
    assert not error["message"].startswith(f"bankAccountType must be {wrong}")
