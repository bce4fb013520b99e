"""Plaid end to end: session -> Link page -> public token -> exchange -> funding source,
processor tokens, and re-authentication."""

from __future__ import annotations

import pytest

from flows import complete_plaid_link, public_token_of, submit
from helpers import assert_dwolla_error, sandbox_credentials


@pytest.fixture
def plaid_headers(account):
    """The account's own sandbox Plaid credentials, as a platform sends them."""
    return _headers(account)


def _headers(account):
    credentials = sandbox_credentials("plaid", account.account.id)
    return {"PLAID-CLIENT-ID": credentials.client_id, "PLAID-SECRET": credentials.secret}


def link(api, customer, redirect_url=None, password="pass_good", subtype="checking"):
    """Create a Plaid session and complete its Link page; returns the last page."""
    location = api.create_session(customer, "Plaid", redirect_url).headers["location"]
    token = api.get(location).json()["externalProviderSessionToken"]
    return complete_plaid_link(
        api.client, f"/sandbox/plaid/link?token={token}", password=password, subtype=subtype
    )


def public_token(api, customer, subtype="checking"):
    page = link(api, customer, subtype=subtype)
    assert page.status_code == 200, page.text
    return public_token_of(page.text)


def exchange(api, customer, body):
    return api.post(f"/customers/{customer['id']}/exchanges", body)


def funding_source(api, customer, exchange_location, name="Checking", kind="checking"):
    return api.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": exchange_location}},
            "bankAccountType": kind,
            "name": name,
        },
    )


def processor_token(client, headers, subtype="checking"):
    """A processor token for one account of a new Sandbox Item, made as a platform does."""
    public = client.post(
        "/sandbox/plaid/sandbox/public_token/create",
        json={"institution_id": "ins_109508", "initial_products": ["auth"]},
        headers=headers,
    ).json()["public_token"]
    access = client.post(
        "/sandbox/plaid/item/public_token/exchange",
        json={"public_token": public},
        headers=headers,
    ).json()["access_token"]
    accounts = client.post(
        "/sandbox/plaid/accounts/get", json={"access_token": access}, headers=headers
    ).json()["accounts"]
    account_id = next(a["account_id"] for a in accounts if a["subtype"] == subtype)
    return client.post(
        "/sandbox/plaid/processor/token/create",
        json={"access_token": access, "account_id": account_id, "processor": "dwolla"},
        headers=headers,
    ).json()["processor_token"]


def test_link_page_shows_a_public_token(api, customer):
    assert public_token(api, customer).startswith("public-sandbox-")


def test_link_page_keeps_the_public_token_when_the_session_has_a_redirect_url(api, customer):
    page = link(api, customer, redirect_url="https://platform.example/return")
    assert page.status_code == 200 and "location" not in page.headers
    assert public_token_of(page.text).startswith("public-sandbox-")


def test_link_page_error_password_shows_the_plaid_error(api, customer):
    page = link(api, customer, password="error_ITEM_LOCKED")
    assert "ITEM_LOCKED" in page.text
    assert "public-sandbox-" not in page.text


def test_public_token_becomes_a_verified_bank_funding_source(api, customer):
    created = exchange(
        api,
        customer,
        {
            "_links": {"exchange-partner": {"href": api.partner_href("Plaid")}},
            "plaid": {"publicToken": public_token(api, customer)},
        },
    )
    assert created.status_code == 201, created.text
    source = funding_source(api, customer, created.headers["location"])
    assert source.status_code == 201, source.text
    body = api.get(source.headers["location"]).json()
    assert (body["status"], body["type"], body["bankName"]) == (
        "verified",
        "bank",
        "First Platypus Bank",
    )
    assert "1111222233330000" not in api.get(source.headers["location"]).text


def test_a_linked_savings_account_becomes_a_savings_funding_source(api, customer):
    created = exchange(
        api, customer, {"plaid": {"publicToken": public_token(api, customer, "savings")}}
    )
    assert created.status_code == 201, created.text

    source = funding_source(api, customer, created.headers["location"], "Savings", "savings")

    assert source.status_code == 201, source.text
    body = api.get(source.headers["location"]).json()
    assert (body["status"], body["bankAccountType"]) == ("verified", "savings")
    assert body["bankName"] == "First Platypus Bank"


def test_the_same_bank_account_through_two_links_is_a_duplicate_funding_source(api, customer):
    """Each Link makes a new Plaid item, so a new exchange; the bank account behind both is
    one funding source: the second answers DuplicateResource naming the first."""
    first = exchange(api, customer, {"plaid": {"publicToken": public_token(api, customer)}})
    second = exchange(api, customer, {"plaid": {"publicToken": public_token(api, customer)}})
    assert (first.status_code, second.status_code) == (201, 201), second.text
    source = funding_source(api, customer, first.headers["location"])
    assert source.status_code == 201, source.text
    duplicate = funding_source(api, customer, second.headers["location"])
    error = assert_dwolla_error(duplicate, 400, "DuplicateResource")
    assert error["_links"]["about"]["href"] == source.headers["location"]


def test_public_token_is_single_use(api, customer):
    token = public_token(api, customer)
    assert exchange(api, customer, {"plaid": {"publicToken": token}}).status_code == 201
    assert_dwolla_error(
        exchange(api, customer, {"plaid": {"publicToken": token}}), 400, "InvalidExchangeToken"
    )


def test_unknown_public_token_is_rejected(api, customer):
    response = exchange(
        api,
        customer,
        {"plaid": {"publicToken": "public-sandbox-00000000-0000-4000-8000-000000000000"}},
    )
    assert_dwolla_error(response, 400, "InvalidExchangeToken")


def test_exchange_body_must_name_exactly_one_token(api, customer):
    body = assert_dwolla_error(exchange(api, customer, {}), 400, "ValidationError")
    assert body["_embedded"]["errors"][0]["path"] == "/token"
    both = {"plaid": {"publicToken": "a"}, "token": "b"}
    assert_dwolla_error(exchange(api, customer, both), 400, "ValidationError")


def test_exchange_partner_must_match_the_token_kind(api, customer):
    body = {
        "_links": {"exchange-partner": {"href": api.partner_href("MX")}},
        "plaid": {"publicToken": "x"},
    }
    error = assert_dwolla_error(exchange(api, customer, body), 400, "ValidationError")
    assert error["_embedded"]["errors"][0]["path"] == "/_links/exchange-partner/href"


def test_processor_token_makes_a_secure_exchange(api, customer, plaid_headers):
    processor = processor_token(api.client, plaid_headers)
    created = exchange(
        api,
        customer,
        {"_links": {"exchange-partner": {"href": api.partner_href("Plaid")}}, "token": processor},
    )
    assert created.status_code == 201, created.text
    assert funding_source(api, customer, created.headers["location"]).status_code == 201
    assert_dwolla_error(exchange(api, customer, {"token": processor}), 400, "InvalidExchangeToken")


def test_plaid_reauth_round_trip_emits_and_restores(api, customer):
    created = exchange(api, customer, {"plaid": {"publicToken": public_token(api, customer)}})
    location = created.headers["location"]
    exchange_id = location.rsplit("/", 1)[1]
    reset = api.post(f"/sandbox/exchanges/{exchange_id}/reset-login")
    assert reset.status_code == 200
    assert "re-authenticate" in reset.json()["_links"]
    events = api.get("/events").json()["_embedded"]["events"]
    reauth = [e for e in events if e["topic"] == "customer_exchange_reauth_required"]
    assert [e["resourceId"] for e in reauth] == [exchange_id]
    assert reauth[0]["_links"]["customer"]["href"].endswith(customer["id"])
    refused = assert_dwolla_error(funding_source(api, customer, location), 400, "UpdateCredentials")
    assert refused["_links"]["about"]["href"] == f"{location}/exchange-sessions"

    session = api.post(f"{location}/exchange-sessions", {})
    assert session.status_code == 201, session.text
    token = api.get(session.headers["location"]).json()["externalProviderSessionToken"]
    page = submit(
        api.client, f"/sandbox/plaid/link?token={token}", username="user_good", password="pass_good"
    )
    assert "re-connected" in page.text.lower()
    assert public_token_of(page.text)
    assert "re-authenticate" not in api.get(location).json()["_links"]
    assert funding_source(api, customer, location).status_code == 201


def test_reauth_session_for_checkout_exchange_is_not_offered(api, customer):
    # Re-auth sessions need an exchange; a missing one is a plain 404.
    response = api.post("/exchanges/4a9e5c2e-1111-4bbb-8ccc-000000000000/exchange-sessions", {})
    assert_dwolla_error(response, 404, "NotFound")


def test_a_plaid_checking_account_cannot_be_stored_as_savings(api, customer):
    created = exchange(api, customer, {"plaid": {"publicToken": public_token(api, customer)}})
    response = funding_source(api, customer, created.headers["location"], kind="savings")
    body = assert_dwolla_error(response, 400, "ValidationError")
    [error] = body["_embedded"]["errors"]
    assert (error["path"], error["code"]) == ("/bankAccountType", "Invalid")
    assert error["message"].startswith("bankAccountType must be checking")
    assert funding_source(api, customer, created.headers["location"]).status_code == 201
