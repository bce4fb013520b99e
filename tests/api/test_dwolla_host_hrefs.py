"""Hrefs on Dwolla's own host are accepted: ids are read from the path, never the host.

Dwolla's SDKs rebuild every href on their own base URL (dwolla-v2 for Node turns
``http://bankbridge/exchanges/<id>`` into ``https://api-sandbox.dwolla.com/exchanges/<id>``),
so a platform's request bodies can name Dwolla's host even when they reach BankBridge.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from helpers import sandbox_credentials

DWOLLA_SANDBOX = "https://api-sandbox.dwolla.com"


def on_dwolla(href: str) -> str:
    """The same resource's href on Dwolla's sandbox host."""
    return DWOLLA_SANDBOX + urlsplit(href).path


def test_a_session_names_its_partner_by_a_dwolla_host_href(api, customer):
    partner = api.partner_href("MX")
    created = api.post(
        f"/customers/{customer['id']}/exchange-sessions",
        {"_links": {"exchange-partner": {"href": on_dwolla(partner)}}},
    )
    assert created.status_code == 201, created.text
    session = api.get(created.headers["location"]).json()
    # Answers carry BankBridge's own hrefs, whatever host the request named.
    assert session["_links"]["exchange-partner"]["href"] == partner


def test_an_exchange_and_its_funding_source_take_dwolla_host_hrefs(api, customer, account):
    plaid = sandbox_credentials("plaid", account.account.id)
    public_token = api.client.post(
        "/sandbox/plaid/sandbox/public_token/create",
        json={"institution_id": "ins_109508", "initial_products": ["auth"]},
        headers={"PLAID-CLIENT-ID": plaid.client_id, "PLAID-SECRET": plaid.secret},
    ).json()["public_token"]
    exchange = api.post(
        f"/customers/{customer['id']}/exchanges",
        {
            "_links": {"exchange-partner": {"href": on_dwolla(api.partner_href("Plaid"))}},
            "plaid": {"publicToken": public_token},
        },
    )
    assert exchange.status_code == 201, exchange.text
    source = api.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": on_dwolla(exchange.headers["location"])}},
            "bankAccountType": "checking",
            "name": "Checking",
        },
    )
    assert source.status_code == 201, source.text
    body = api.get(source.headers["location"]).json()
    assert body["_links"]["exchange"]["href"] == exchange.headers["location"]
