"""Bank balances: ``GET /funding-sources/{id}/balance`` read live from Plaid and MX emulators,
set with the sandbox control, refused for cards and lapsed logins as Dwolla documents."""

from __future__ import annotations

import pytest

from api.test_checkout_flow import card_source, payment_id
from api.test_checkout_flow import exchange as card_exchange
from api.test_mx_flow import available, connect_mx
from api.test_mx_flow import exchange as mx_exchange
from api.test_plaid_flow import _headers as plaid_headers
from api.test_plaid_flow import exchange as plaid_exchange
from api.test_plaid_flow import funding_source, processor_token, public_token
from helpers import assert_dwolla_error, sandbox_credentials

MX_MEDIA = "application/vnd.mx.api.v1+json"
BANK_BALANCE_KEYS = {"_links", "available", "closing", "lastUpdated"}


def plaid_source(api, customer):
    """A bank funding source from a Plaid Link exchange; returns (source URL, exchange URL)."""
    made = plaid_exchange(api, customer, {"plaid": {"publicToken": public_token(api, customer)}})
    assert made.status_code == 201, made.text
    source = funding_source(api, customer, made.headers["location"])
    assert source.status_code == 201, source.text
    return source.headers["location"], made.headers["location"]


def mx_source(api, customer):
    """A bank funding source from an MX exchange; returns (source URL, exchange URL)."""
    connect_mx(api, customer)
    checking = next(c for c in available(api, customer) if c["name"] == "MX Bank Checking")
    made = mx_exchange(api, customer, checking["availableConnectionToken"])
    assert made.status_code == 201, made.text
    source = funding_source(api, customer, made.headers["location"])
    assert source.status_code == 201, source.text
    return source.headers["location"], made.headers["location"]


SOURCES = {"plaid": plaid_source, "mx": mx_source}


def test_plaid_balance_is_the_sandbox_accounts_balances(api, customer):
    source, _ = plaid_source(api, customer)
    response = api.get(f"{source}/balance")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == BANK_BALANCE_KEYS
    # The Plaid Sandbox checking account: available 100, current 110.
    assert body["available"] == {"value": "100.00", "currency": "USD"}
    assert body["closing"] == {"value": "110.00", "currency": "USD"}
    assert body["_links"]["self"]["href"] == f"{source}/balance"
    assert body["_links"]["self"]["resource-type"] == "balance"
    assert body["_links"]["funding-source"]["href"] == source


def test_mx_balance_is_read_after_a_balance_check(api, customer):
    source, _ = mx_source(api, customer)
    body = api.get(f"{source}/balance").json()
    assert set(body) == BANK_BALANCE_KEYS
    assert body["available"]["currency"] == "USD"
    assert float(body["available"]["value"]) > 0


@pytest.mark.parametrize("partner", sorted(SOURCES))
def test_the_sandbox_control_sets_the_balance_the_partner_reports(api, customer, partner):
    source, _ = SOURCES[partner](api, customer)
    source_id = source.rsplit("/", 1)[1]
    body = {"available": {"value": "542.5"}, "closing": {"value": "600"}}
    set_response = api.post(f"/sandbox/funding-sources/{source_id}/balance", body)
    assert set_response.status_code == 200, set_response.text
    read = api.get(f"{source}/balance").json()
    assert read["available"]["value"] == "542.50"
    assert read["closing"]["value"] == "600.00"


@pytest.mark.parametrize("partner", sorted(SOURCES))
def test_a_lapsed_login_answers_update_credentials_and_flags_the_exchange(api, customer, partner):
    source, exchange = SOURCES[partner](api, customer)
    exchange_id = exchange.rsplit("/", 1)[1]
    assert api.post(f"/sandbox/exchanges/{exchange_id}/reset-login").status_code == 200
    body = assert_dwolla_error(api.get(f"{source}/balance"), 400, "UpdateCredentials")
    assert "re-authenticate" in body["message"]
    about = body["_links"]["about"]
    assert about["href"] == f"{exchange}/exchange-sessions"
    assert about["resource-type"] == "exchange-sessions"
    assert "re-authenticate" in api.get(exchange).json()["_links"]
    # Following the link, as Dwolla's docs do, opens the re-authentication session.
    session = api.post(about["href"], {})
    assert session.status_code == 201, session.text


def test_a_lapse_at_the_partner_is_found_by_a_balance_read_and_told_once(
    api, customer, client, account, run, services
):
    """The member lapses at MX behind BankBridge's back (the platform's own MX sandbox
    call) and MX's webhook never arrives (its URL points nowhere): the balance read finds
    the lapse, flags the exchange and emits the event once."""
    source, exchange = mx_source(api, customer)
    credentials = sandbox_credentials("mx", account.account.id)
    auth = (credentials.client_id, credentials.secret)
    headers = {"Accept": MX_MEDIA, "Content-Type": "application/json"}
    nowhere = {"url": "http://127.0.0.1:9/unreachable"}
    configured = client.post(
        "/sandbox/mx/sandbox/webhook_url", headers=headers, auth=auth, json=nowhere
    )
    assert configured.status_code == 200, configured.text
    exchange_id = exchange.rsplit("/", 1)[1]
    user = client.get("/sandbox/mx/users", headers=headers, auth=auth).json()["users"][0]
    members = client.get(f"/sandbox/mx/users/{user['guid']}/members", headers=headers, auth=auth)
    member = members.json()["members"][0]["guid"]
    expired = client.post(
        f"/sandbox/mx/users/{user['guid']}/members/{member}/sandbox/expire_credentials",
        headers=headers,
        auth=auth,
        json={},
    )
    assert expired.status_code == 200, expired.text
    assert run(services.store.get_exchange, exchange_id).reauth_required is False
    for _ in range(2):
        assert_dwolla_error(api.get(f"{source}/balance"), 400, "UpdateCredentials")
    events = api.get("/events").json()["_embedded"]["events"]
    topics = [e["topic"] for e in events if e["resourceId"] == exchange_id]
    assert topics.count("customer_exchange_reauth_required") == 1
    assert "re-authenticate" in api.get(exchange).json()["_links"]


def test_a_processor_token_exchange_reads_its_balance(api, customer, account):
    token = processor_token(api.client, plaid_headers(account))
    made = plaid_exchange(api, customer, {"token": token})
    assert made.status_code == 201, made.text
    source = funding_source(api, customer, made.headers["location"])
    body = api.get(f"{source.headers['location']}/balance").json()
    assert body["closing"]["value"] == "110.00"


def test_a_card_funding_source_has_no_bank_balance(api, customer):
    made = card_exchange(api, customer, payment_id(api, customer))
    assert made.status_code == 201, made.text
    location = card_source(api, customer, made.headers["location"]).headers["location"]
    assert_dwolla_error(api.get(f"{location}/balance"), 400, "UnsupportedOperation")
    card_id = location.rsplit("/", 1)[1]
    control = api.post(
        f"/sandbox/funding-sources/{card_id}/balance", {"closing": {"value": "1.00"}}
    )
    assert_dwolla_error(control, 400, "UnsupportedOperation")


def test_another_accounts_funding_source_balance_is_forbidden(api, customer, api_for, make_account):
    source, _ = plaid_source(api, customer)
    other = api_for(make_account("Other"))
    assert_dwolla_error(other.get(f"{source}/balance"), 403, "forbidden")


def test_an_unknown_funding_source_has_no_balance(api):
    response = api.get("/funding-sources/4a9e5c2e-1111-4bbb-8ccc-000000000000/balance")
    assert_dwolla_error(response, 404, "NotFound")


def test_a_removed_funding_source_has_no_balance(api, customer):
    source, _ = plaid_source(api, customer)
    assert api.post(source, {"removed": True}).status_code == 200
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "InvalidResourceState")


def test_the_sandbox_balance_control_checks_its_body(api, customer):
    source, _ = plaid_source(api, customer)
    source_id = source.rsplit("/", 1)[1]
    response = api.post(
        f"/sandbox/funding-sources/{source_id}/balance", {"closing": {"value": "lots"}}
    )
    assert_dwolla_error(response, 400, "ValidationError")
