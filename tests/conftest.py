"""Shared fixtures: settings -> app -> client -> account -> token -> customer.

Every test runs once per storage backend (SQLite file under tmp_path, and a PostgreSQL
database created for the run and emptied before each test); nothing touches the network.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.domain.accounts import NewAccount, create_account
from bankbridge.services import Services
from bankbridge.store import open_database
from helpers import TEST_SECRET_KEY, ApiClient
from postgres_server import admin_url, fresh_database

T = TypeVar("T")

PUBLIC_URL = "http://testserver"
REDIRECT_URLS = ["https://platform.example/return", "com.example.app"]


BACKENDS = tuple(
    b.strip() for b in os.environ.get("BANKBRIDGE_TEST_BACKENDS", "sqlite,postgresql").split(",")
)


def pytest_report_header() -> str:
    return f"bankbridge storage backends under test: {', '.join(BACKENDS)}"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One fresh PostgreSQL database for this run (migrated by the first app that opens it)."""
    try:
        admin_context = admin_url()
        admin = admin_context.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        with fresh_database(admin) as url:
            yield url
    finally:
        admin_context.__exit__(None, None, None)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A clean database per test: a new SQLite file, or the run's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/bankbridge.db"
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_empty_postgres(url))
    return url


async def _empty_postgres(url: str) -> None:
    database = await open_database(url)
    try:
        tables = await database.fetch_all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'schema_migrations'"
        )
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await database.execute(f"TRUNCATE {names} CASCADE")
    finally:
        await database.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Sandbox settings on a clean database; links use the test client's host."""
    return Settings(
        database_url=database_url,
        public_url_override=PUBLIC_URL,
        secret_key=Secret(TEST_SECRET_KEY),
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
        return run(create_account, services.store, name, urls, partners or [])  # type: ignore[no-any-return]

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
