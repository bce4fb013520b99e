"""Shared fixtures: settings -> app -> client -> account -> token -> customer.

Every test gets its own SQLite file under pytest's tmp_path; nothing touches the network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Settings
from bankbridge.domain.accounts import NewAccount, create_account
from bankbridge.services import Services
from helpers import ApiClient

T = TypeVar("T")

PUBLIC_URL = "http://testserver"
REDIRECT_URLS = ["https://platform.example/return", "com.example.app"]


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    """Sandbox settings with a fresh SQLite file; links use the test client's host."""
    return Settings(
        database_url=f"sqlite:///{tmp_path}/bankbridge.db", public_url_override=PUBLIC_URL
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A test client of a started app (lifespan run: store open, adapters built)."""
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as test_client:
        yield test_client


@pytest.fixture
def run(client: TestClient) -> Callable[..., Any]:
    """Run a coroutine function on the app's event loop: ``run(fn, *args)``."""

    def call(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        return client.portal.call(fn, *args)  # type: ignore[union-attr]

    return call


@pytest.fixture
def services(client: TestClient) -> Services:
    """The started app's services (store, adapters)."""
    result: Services = client.app.state.services  # type: ignore[attr-defined]
    return result


@pytest.fixture
def make_account(run: Callable[..., Any], services: Services) -> Callable[..., NewAccount]:
    """Factory: a new account (all partners unless ``partners`` is given)."""

    def make(
        name: str = "Acme",
        redirect_urls: list[str] | None = None,
        partners: list[str] | None = None,
    ) -> NewAccount:
        urls = REDIRECT_URLS if redirect_urls is None else redirect_urls
        return run(create_account, services.require_store(), name, urls, partners or [])  # type: ignore[no-any-return]

    return make


@pytest.fixture
def account(make_account: Callable[..., NewAccount]) -> NewAccount:
    """An account with every partner enabled and the test redirect URLs."""
    return make_account()


@pytest.fixture
def api_for(client: TestClient) -> Callable[[NewAccount], ApiClient]:
    """Factory: an authenticated API client for an account (a real token from POST /token)."""

    def make(new_account: NewAccount) -> ApiClient:
        return ApiClient.login(client, new_account.application.key, new_account.secret)

    return make


@pytest.fixture
def api(api_for: Callable[[NewAccount], ApiClient], account: NewAccount) -> ApiClient:
    """The test account's authenticated API client."""
    return api_for(account)


@pytest.fixture
def customer(api: ApiClient) -> dict[str, Any]:
    """A customer of the test account, as GET returns it."""
    return api.create_customer()
