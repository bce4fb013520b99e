"""Secrets at rest: after real MX, Plaid and Checkout.com flows, no row of any table holds a
full account number, a Plaid access token or a Checkout.com session secret in plain text;
rows stored in plain JSON before sealing existed still work, and are sealed at start."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.testclient import TestClient

import bankbridge.store.sql as sql_store
from bankbridge.app import create_app
from bankbridge.config import Settings
from bankbridge.domain.accounts import NewAccount, create_account
from bankbridge.services import Services
from flows import complete_plaid_link, submit
from helpers import ApiClient


@contextmanager
def _started(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def _services(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def _every_row(client: TestClient) -> str:
    """Every row of every table, as text (what a copy of the database file gives away)."""
    database = _services(client).store.database  # type: ignore[attr-defined]
    if database.dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        names = [r["name"] for r in client.portal.call(database.fetch_all, query)]  # type: ignore[union-attr]
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        names = [r["tablename"] for r in client.portal.call(database.fetch_all, query)]  # type: ignore[union-attr]
    assert {"emulator_records", "exchange_sessions", "exchanges"} <= set(names)
    dump = []
    for name in names:
        rows = client.portal.call(database.fetch_all, f'SELECT * FROM "{name}"')  # type: ignore[union-attr]
        dump.append(f"{name}: {rows!r}")
    return "\n".join(dump)


def _partner_flows(api: ApiClient) -> dict[str, Any]:
    """MX and Plaid exchanges and a Checkout.com session, through the API and hosted pages."""
    customer = api.create_customer()
    mx = api.get(api.create_session(customer, "MX").headers["location"]).json()
    url = mx["_links"]["external-provider-session"]["href"]
    assert submit(api.client, url, username="mxuser", password="password").status_code == 200
    listed = api.get(f"/customers/{customer['id']}/available-exchange-connections").json()
    token = next(
        c["availableConnectionToken"]
        for c in listed["_embedded"]["available-exchange-connections"]
        if c["name"] == "MX Bank Checking"
    )
    mx_exchange = api.post(
        f"/customers/{customer['id']}/exchanges", {"mx": {"availableConnectionToken": token}}
    )
    assert mx_exchange.status_code == 201, mx_exchange.text

    plaid = api.get(api.create_session(customer, "Plaid").headers["location"]).json()
    page = complete_plaid_link(
        api.client, f"/sandbox/plaid/link?token={plaid['externalProviderSessionToken']}"
    )
    public = re.search(r"public-sandbox-[0-9a-f-]{36}", page.text)
    assert public, page.text[:300]
    plaid_exchange = api.post(
        f"/customers/{customer['id']}/exchanges", {"plaid": {"publicToken": public.group(0)}}
    )
    assert plaid_exchange.status_code == 201, plaid_exchange.text

    checkout = api.create_session(customer, "Checkout.com").headers["location"]
    return {
        "customer": customer,
        "exchanges": [mx_exchange.headers["location"], plaid_exchange.headers["location"]],
        "checkout_session": checkout,
        "checkout_data": api.get(checkout).json()["externalProviderSessionData"],
    }


def _secrets(client: TestClient, api: ApiClient, flows: dict[str, Any]) -> list[str]:
    """The account number, access token and session secrets the flows produced."""
    store = _services(client).store
    found = []
    for location in flows["exchanges"]:
        body = {"_links": {"exchange": {"href": location}}, "bankAccountType": "checking"}
        source = api.post(
            f"/customers/{flows['customer']['id']}/funding-sources", {**body, "name": "C"}
        )
        assert source.status_code == 201, source.text
        source_id = source.headers["location"].rsplit("/", 1)[1]
        stored = client.portal.call(store.get_funding_source, source_id)  # type: ignore[union-attr]
        found.append(stored.account_number)
        exchange = client.portal.call(store.get_exchange, location.rsplit("/", 1)[1])  # type: ignore[union-attr]
        found.extend(v for k, v in exchange.connection.items() if k == "access_token")
    data = flows["checkout_data"]
    found += [data["payment_session_secret"], data["payment_session_token"]]
    assert len(found) == 5 and all(found), found
    return found


def _login(client: TestClient, account: NewAccount) -> ApiClient:
    return ApiClient.login(client, account.application.key, account.secret)


def test_no_table_holds_an_account_number_access_token_or_session_secret(
    settings: Settings,
) -> None:
    """The partner flows' secrets work through the API and appear in no raw row."""
    with _started(settings) as client:
        store = _services(client).store
        account = client.portal.call(create_account, store, "Rest", [], [])  # type: ignore[union-attr]
        api = _login(client, account)
        flows = _partner_flows(api)
        secrets = _secrets(client, api, flows)
        dump = _every_row(client)
    for secret in secrets:
        assert secret not in dump


def test_rows_stored_in_plain_json_still_work_and_are_sealed_at_start(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written the way BankBridge wrote them before sealing (plain keys, plain JSON)."""
    with monkeypatch.context() as legacy:
        legacy.setattr(sql_store, "record_key", lambda vault, partner, kind, key: key)
        legacy.setattr(sql_store, "seal_record", lambda vault, p, k, key, data: json.dumps(data))
        legacy.setattr(sql_store, "seal_session_data", lambda vault, sid, data: json.dumps(data))
        with _started(settings) as client:
            store = _services(client).store
            account = client.portal.call(create_account, store, "Legacy", [], [])  # type: ignore[union-attr]
            flows = _partner_flows(_login(client, account))
            before = _every_row(client)
    assert flows["checkout_data"]["payment_session_secret"] in before  # really plain

    with _started(settings) as client:  # this start seals the old rows
        api = _login(client, account)
        assert (
            api.get(flows["checkout_session"]).json()["externalProviderSessionData"]
            == (flows["checkout_data"])
        )
        secrets = _secrets(client, api, flows)  # the emulators find their old records
        dump = _every_row(client)
    for secret in secrets:
        assert secret not in dump
