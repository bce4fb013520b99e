"""Dwolla's official Python SDK (dwollav2), unchanged, against a live BankBridge.

Each partner's whole flow: token, customer, partners, exchange session, the hosted page
completed by form POST, exchange, verified funding source; and a webhook receiver on
localhost gets a correctly signed event for each step.
"""

from __future__ import annotations

import asyncio
import re
import time

import dwollav2
import httpx
import pytest

from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import create_account
from bankbridge.store import SqlStore, open_database
from bankbridge.webhooks.signing import verify_signature
from flows import complete_plaid_link, public_token_of, submit
from live_server import live_server
from webhook_testing import Receiver


@pytest.fixture
def dwolla(settings):
    """(token, base URL, http client for hosted pages) against a live server."""
    with live_server(settings) as base:
        created = asyncio.run(_create_account(settings))
        environments = dict(dwollav2.Client.ENVIRONMENTS)
        dwollav2.Client.ENVIRONMENTS["bankbridge"] = {
            "auth_url": f"{base}/auth",
            "token_url": f"{base}/token",
            "api_url": base,
        }
        try:
            client = dwollav2.Client(
                key=created.application.key, secret=created.secret, environment="bankbridge"
            )
            with httpx.Client(base_url=base) as browser:
                yield client.Auth.client(), base, browser
        finally:
            dwollav2.Client.ENVIRONMENTS.clear()
            dwollav2.Client.ENVIRONMENTS.update(environments)


async def _create_account(settings):
    """An account made directly in the database the live server uses."""
    database = await open_database(settings.database_url)
    try:
        store = SqlStore(database, load_vault(settings))
        return await create_account(store, "SDK test", ["https://platform.example/return"], [])
    finally:
        await database.close()


STEP_TOPICS = {
    "customer_created",
    "customer_exchange_created",
    "customer_funding_source_added",
    "customer_funding_source_verified",
}


@pytest.fixture
def receiver(dwolla):
    """A localhost webhook receiver subscribed through the SDK."""
    token = dwolla[0]
    hooks = Receiver().start()
    token.post("webhook-subscriptions", {"url": hooks.url, "secret": "sdk-test-secret"})
    yield hooks
    hooks.stop()


def _assert_signed_events(receiver, customer_url, topics=STEP_TOPICS):
    """Wait (bounded) until every step's event for the customer arrived, correctly signed."""
    customer_href = customer_url.rstrip("/")
    deadline = time.monotonic() + 20
    while True:
        seen = {
            r.json()["topic"]
            for r in list(receiver.requests)
            if r.json()["_links"].get("customer", {}).get("href") == customer_href
        }
        if topics <= seen or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert topics <= seen, seen
    for request in receiver.requests:
        assert verify_signature(
            "sdk-test-secret", request.body, request.headers["x-request-signature-sha-256"]
        )
        assert request.headers["x-dwolla-topic"] == request.json()["topic"]


def _new_customer(token):
    response = token.post(
        "customers", {"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"}
    )
    assert response.status == 201
    return response.headers["location"]


def _partner(token, name):
    partners = token.get("exchange-partners").body["_embedded"]["exchange-partners"]
    return next(p for p in partners if p["name"] == name)["_links"]["self"]["href"]


def _session(token, customer_url, partner):
    created = token.post(
        f"{customer_url}/exchange-sessions",
        {"_links": {"exchange-partner": {"href": _partner(token, partner)}}},
    )
    assert created.status == 201
    return token.get(created.headers["location"]).body


def _funding_source(token, customer_url, exchange_url, **fields):
    created = token.post(
        f"{customer_url}/funding-sources",
        {"_links": {"exchange": {"href": exchange_url}}, "name": "My account", **fields},
    )
    assert created.status == 201
    return token.get(created.headers["location"]).body


def test_sdk_gets_a_token_and_lists_partners(dwolla):
    token, base, _ = dwolla
    assert token.get("/").body["_links"]["customers"]["href"] == f"{base}/customers"
    names = {
        p["name"] for p in token.get("exchange-partners").body["_embedded"]["exchange-partners"]
    }
    assert names == {"MX", "Plaid", "Checkout.com"}


def test_sdk_mx_flow_to_verified_funding_source(dwolla, receiver):
    token, _, browser = dwolla
    customer_url = _new_customer(token)
    session = _session(token, customer_url, "MX")
    assert set(session) == {"created", "_links"}
    page = submit(
        browser,
        session["_links"]["external-provider-session"]["href"],
        username="mxuser",
        password="password",
    )
    assert "Connected" in page.text
    connections = token.get(f"{customer_url}/available-exchange-connections").body
    connection = next(
        c
        for c in connections["_embedded"]["available-exchange-connections"]
        if c["name"] == "MX Bank Checking"
    )
    exchange = token.post(
        f"{customer_url}/exchanges",
        {
            "_links": {"exchange-partner": {"href": _partner(token, "MX")}},
            "mx": {"availableConnectionToken": connection["availableConnectionToken"]},
        },
    )
    source = _funding_source(
        token, customer_url, exchange.headers["location"], bankAccountType="checking"
    )
    assert (source["status"], source["type"]) == ("verified", "bank")
    _assert_signed_events(receiver, customer_url)


def test_sdk_plaid_flow_to_verified_funding_source(dwolla, receiver):
    token, _, browser = dwolla
    customer_url = _new_customer(token)
    session = _session(token, customer_url, "Plaid")
    link_token = session["externalProviderSessionToken"]
    page = complete_plaid_link(
        browser, f"/sandbox/plaid/link?token={link_token}", subtype="savings"
    )
    public_token = public_token_of(page.text)
    exchange = token.post(
        f"{customer_url}/exchanges",
        {
            "_links": {"exchange-partner": {"href": _partner(token, "Plaid")}},
            "plaid": {"publicToken": public_token},
        },
    )
    source = _funding_source(
        token, customer_url, exchange.headers["location"], bankAccountType="savings"
    )
    assert (source["status"], source["bankAccountType"]) == ("verified", "savings")
    # Dwolla's own code sample: app_token.get('%s/balance' % funding_source_url).
    balance = token.get(f"{source['_links']['self']['href']}/balance").body
    assert balance["available"] == {"value": "200.00", "currency": "USD"}
    assert balance["closing"] == {"value": "210.00", "currency": "USD"}
    _assert_signed_events(receiver, customer_url)


def test_sdk_reads_update_credentials_and_follows_its_about_link(dwolla):
    """A lapsed login: the balance read raises the SDK's UpdateCredentialsError, whose
    ``_links.about`` creates the re-authentication session, as Dwolla's docs describe."""
    token, _, browser = dwolla
    customer_url = _new_customer(token)
    session = _session(token, customer_url, "Plaid")
    page = complete_plaid_link(
        browser, f"/sandbox/plaid/link?token={session['externalProviderSessionToken']}"
    )
    exchange = token.post(
        f"{customer_url}/exchanges", {"plaid": {"publicToken": public_token_of(page.text)}}
    )
    exchange_url = exchange.headers["location"]
    source = _funding_source(token, customer_url, exchange_url, bankAccountType="checking")
    exchange_id = exchange_url.rsplit("/", 1)[1]
    token.post(f"sandbox/exchanges/{exchange_id}/reset-login")
    with pytest.raises(dwollav2.UpdateCredentialsError) as raised:
        token.get(f"{source['_links']['self']['href']}/balance")
    about = raised.value.body["_links"]["about"]["href"]
    assert about == f"{exchange_url}/exchange-sessions"
    assert token.post(about, {}).status == 201


def test_sdk_maps_dwolla_errors_to_its_exception_classes(dwolla):
    token, base, _ = dwolla
    with pytest.raises(dwollav2.NotFoundError):
        token.get(f"{base}/customers/4a9e5c2e-1111-4bbb-8ccc-000000000000")
    with pytest.raises(dwollav2.ValidationError) as raised:
        token.post("customers", {"firstName": "A"})
    paths = {e["path"] for e in raised.value.body["_embedded"]["errors"]}
    assert paths == {"/lastName", "/email"}


def test_sdk_checkout_flow_to_verified_card_funding_source(dwolla, receiver):
    token, _, browser = dwolla
    customer_url = _new_customer(token)
    session = _session(token, customer_url, "Checkout.com")
    data = session["externalProviderSessionData"]
    page = submit(
        browser,
        f"/sandbox/checkout/flow/{data['id']}",
        card_number="4024 7644 4997 1519",
        expiry_month="12",
        expiry_year="2035",
        cvv="100",
        name="Jane Doe",
    )
    payment = re.search(r"pay_[a-z2-7]{26}", page.text).group(0)
    exchange = token.post(
        f"{customer_url}/exchanges",
        {
            "_links": {"exchange-partner": {"href": _partner(token, "Checkout.com")}},
            "token": payment,
        },
    )
    source = _funding_source(
        token,
        customer_url,
        exchange.headers["location"],
        cardDetails={
            "firstName": "Jane",
            "lastName": "Doe",
            "billingAddress": {
                "address1": "1 Main St",
                "city": "Dallas",
                "stateProvinceRegion": "TX",
                "country": "US",
                "postalCode": "76034",
            },
        },
    )
    assert (source["status"], source["type"]) == ("verified", "card")
    assert source["cardDetails"]["lastFour"] == "1519"
    _assert_signed_events(receiver, customer_url)
