"""Remote mode: the same adapters, over real HTTP, to a partner at a configured base URL.

The "partner" here is a second BankBridge in sandbox mode serving its emulators on a real
port, so the remote-mode instance exercises its production transport end to end offline.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import create_account
from bankbridge.store import SqlStore, open_database
from flows import complete_plaid_link, public_token_of, submit
from helpers import TEST_SECRET_KEY, ApiClient, assert_dwolla_error, sandbox_credentials
from live_server import HAL, live_server


@pytest.fixture
def partner_site(tmp_path):
    """A sandbox BankBridge whose emulators play the real partners."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/partners.db", secret_key=Secret(TEST_SECRET_KEY)
    )
    with live_server(settings) as base:
        yield base


def _account_api(client):
    """An API client of a new account in ``client``'s app."""
    store = client.app.state.services.store
    account = client.portal.call(create_account, store, "Remote", [], [])
    return ApiClient.login(client, account.application.key, account.secret)


@pytest.fixture
def remote(settings, partner_site):
    """A remote-mode BankBridge pointed at ``partner_site``, and an API client for it."""
    overrides = {
        slug: {
            "base_url": f"{partner_site}/sandbox/{slug}",
            "client_id": sandbox_credentials(slug).client_id,
            "secret": sandbox_credentials(slug).secret,
        }
        for slug in ("mx", "plaid", "checkout")
    }
    remote_settings = settings.with_changes(mode="remote", partner_overrides=overrides)
    with TestClient(create_app(remote_settings), base_url="http://testserver") as client:
        yield _account_api(client), partner_site


def test_remote_mode_mounts_no_emulators(remote):
    api, _ = remote
    assert api.client.get("/sandbox/plaid/link?token=x").status_code == 404


def test_remote_mode_plaid_flow_runs_over_real_http(remote):
    api, partner_site = remote
    customer = api.create_customer()
    session = api.get(api.create_session(customer, "Plaid").headers["location"]).json()
    token = session["externalProviderSessionToken"]
    with httpx.Client(base_url=partner_site) as browser:
        page = complete_plaid_link(browser, f"/sandbox/plaid/link?token={token}")
    public = public_token_of(page.text)
    created = api.post(f"/customers/{customer['id']}/exchanges", {"plaid": {"publicToken": public}})
    assert created.status_code == 201, created.text
    source = api.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": created.headers["location"]}},
            "bankAccountType": "checking",
            "name": "C",
        },
    )
    assert source.status_code == 201, source.text


def test_remote_mode_mx_widget_url_comes_from_the_partner(remote):
    api, partner_site = remote
    customer = api.create_customer()
    session = api.get(api.create_session(customer, "MX").headers["location"]).json()
    assert session["_links"]["external-provider-session"]["href"].startswith(
        f"{partner_site}/sandbox/mx/connect/"
    )


def test_sandbox_controls_are_not_available_in_remote_mode(remote):
    api, _ = remote
    exchange = "/sandbox/exchanges/4a9e5c2e-1111-4bbb-8ccc-000000000000"
    assert_dwolla_error(api.post(f"{exchange}/reset-login"), 404, "NotFound")
    assert_dwolla_error(
        api.post(f"{exchange}/partner-webhooks", {"webhookCode": "ERROR"}), 404, "NotFound"
    )


def test_unreachable_partner_is_a_dwolla_server_error_without_partner_detail(settings):
    overrides = {
        "plaid": {"base_url": "http://127.0.0.1:9", "client_id": "x", "secret": "s3cret-value"}
    }
    broken = settings.with_changes(mode="remote", partner_overrides=overrides)
    with TestClient(create_app(broken), base_url="http://testserver") as client:
        from bankbridge.domain.accounts import create_account

        account = client.portal.call(create_account, client.app.state.services.store, "R", [], [])
        api = ApiClient.login(client, account.application.key, account.secret)
        response = api.create_session(api.create_customer(), "Plaid")
    body = assert_dwolla_error(response, 502, "ServerError")
    assert "127.0.0.1" not in body["message"] and "s3cret" not in response.text


@pytest.fixture
def live_remote(settings, partner_site):
    """A remote-mode BankBridge on a real port (so partners can reach its receivers), an
    account on it, that account's HTTP API client and a customer; and the partner site."""
    overrides = {
        slug: {
            "base_url": f"{partner_site}/sandbox/{slug}",
            "client_id": sandbox_credentials(slug).client_id,
            "secret": sandbox_credentials(slug).secret,
        }
        for slug in ("mx", "plaid")
    }
    remote_settings = settings.with_changes(mode="remote", partner_overrides=overrides)
    with live_server(remote_settings) as base:
        made = asyncio.run(_remote_account(remote_settings))
        token = httpx.post(
            f"{base}/token",
            data={"grant_type": "client_credentials"},
            auth=(made.application.key, made.secret),
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Accept": HAL}
        with httpx.Client(base_url=base, headers=headers) as api:
            created = api.post(
                "/customers",
                json={"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"},
            )
            assert created.status_code == 201, created.text
            customer = api.get(created.headers["location"]).json()
            yield api, made.account.id, customer, partner_site, remote_settings


def _session(api, customer, partner_name):
    partners = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    partner = next(p for p in partners if p["name"] == partner_name)["_links"]["self"]["href"]
    location = api.post(
        f"/customers/{customer['id']}/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": partner}}},
    ).headers["location"]
    return api.get(location).json()


def _reauth_events(api):
    events = api.get("/events").json()["_embedded"]["events"]
    return [e["topic"] for e in events].count("customer_exchange_reauth_required")


def test_remote_mode_plaid_webhooks_arrive_over_real_http(live_remote):
    """The partner site's Plaid emulator signs and POSTs ITEM webhooks to the remote
    instance's receiver over HTTP; the receiver fetches the key from the partner site."""
    api, _, customer, partner_site, remote_settings = live_remote
    link_token = _session(api, customer, "Plaid")["externalProviderSessionToken"]
    with httpx.Client(base_url=partner_site) as browser:
        page = complete_plaid_link(browser, f"/sandbox/plaid/link?token={link_token}")
    exchange = api.post(
        f"/customers/{customer['id']}/exchanges",
        json={"plaid": {"publicToken": public_token_of(page.text)}},
    ).headers["location"]
    access = asyncio.run(_access_token(remote_settings, exchange.rsplit("/", 1)[1]))
    credentials = sandbox_credentials("plaid")
    fired = httpx.post(
        f"{partner_site}/sandbox/plaid/sandbox/item/fire_webhook",
        json={"access_token": access, "webhook_code": "ERROR"},
        headers={"PLAID-CLIENT-ID": credentials.client_id, "PLAID-SECRET": credentials.secret},
    )
    assert fired.status_code == 200, fired.text
    assert "re-authenticate" in api.get(exchange).json()["_links"]
    assert _reauth_events(api) == 1


def test_remote_mode_mx_webhooks_arrive_over_real_http(live_remote):
    """The partner site's MX emulator, its webhook URL set to the remote instance's
    receiver (MX's dashboard setting), POSTs member webhooks there with HTTP Basic."""
    api, account_id, customer, partner_site, _ = live_remote
    credentials = sandbox_credentials("mx")
    mx = httpx.Client(
        base_url=f"{partner_site}/sandbox/mx",
        auth=(credentials.client_id, credentials.secret),
        headers={"Accept": "application/vnd.mx.api.v1+json"},
    )
    with mx:
        receiver = str(api.base_url).rstrip("/") + f"/partner-webhooks/mx/{account_id}"
        configured = mx.post("/sandbox/webhook_url", json={"url": receiver})
        assert configured.status_code == 200, configured.text
        widget = _session(api, customer, "MX")["_links"]["external-provider-session"]["href"]
        with httpx.Client() as browser:
            page = submit(browser, widget, username="mxuser", password="password")
        assert "Connected" in page.text
        listed = api.get(f"/customers/{customer['id']}/available-exchange-connections").json()
        checking = next(
            c
            for c in listed["_embedded"]["available-exchange-connections"]
            if c["name"] == "MX Bank Checking"
        )
        exchange = api.post(
            f"/customers/{customer['id']}/exchanges",
            json={"mx": {"availableConnectionToken": checking["availableConnectionToken"]}},
        ).headers["location"]
        user = mx.get("/users").json()["users"][0]["guid"]
        member = mx.get(f"/users/{user}/members").json()["members"][0]["guid"]
        expired = mx.post(f"/users/{user}/members/{member}/sandbox/expire_credentials", json={})
        assert expired.status_code == 200, expired.text
        assert _reauth_events(api) == 1
        assert "re-authenticate" in api.get(exchange).json()["_links"]


async def _remote_account(settings):
    database = await open_database(settings.database_url)
    try:
        store = SqlStore(database, load_vault(settings))
        return await create_account(store, "Remote", [], [])
    finally:
        await database.close()


async def _access_token(settings, exchange_id):
    database = await open_database(settings.database_url)
    try:
        exchange = await SqlStore(database, load_vault(settings)).get_exchange(exchange_id)
        return exchange.connection["access_token"]
    finally:
        await database.close()
