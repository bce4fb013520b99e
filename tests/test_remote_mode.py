"""Remote mode: the same adapters, over real HTTP, to a partner at a configured base URL.

The "partner" here is a second BankBridge in sandbox mode serving its emulators on a real
port, so the remote-mode instance exercises its production transport end to end offline.
"""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.domain.accounts import create_account
from flows import complete_plaid_link, public_token_of
from helpers import TEST_SECRET_KEY, ApiClient, assert_dwolla_error, sandbox_credentials
from live_server import live_server


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
    response = api.post("/sandbox/exchanges/4a9e5c2e-1111-4bbb-8ccc-000000000000/reset-login")
    assert_dwolla_error(response, 404, "NotFound")


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
