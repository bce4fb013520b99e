"""Dwolla's official OpenAPI spec against a live BankBridge, fuzzed with Schemathesis.

The spec is not part of this repository: it is read from ``../shared/dwolla-openapi/openapi.yml``
or from ``$DWOLLA_OPENAPI_SPEC``. Without it the test is skipped with a message saying how to
enable it, except in CI (``CI=true``), where a missing spec fails the run. Where the spec and
Dwolla's seed documents disagree, the seed wins: docs/deviations.md lists each case.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bankbridge.config import Settings
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import create_account
from bankbridge.store import SqlStore, open_database
from flows import complete_plaid_link
from live_server import live_server
from spec_fuzzing import (
    DEVIATIONS,
    SPEC_ENV,
    Summary,
    fuzz,
    implemented_operations,
    load_spec,
    spec_path,
)

HAL = "application/vnd.dwolla.v1.hal+json"
# Deliveries go to a closed local port: the worker records failed attempts, nothing leaves.
WEBHOOK_SUBSCRIPTION = {"url": "http://127.0.0.1:9/hooks", "secret": "fuzzing-secret"}
MAX_EXAMPLES = int(os.environ.get("BANKBRIDGE_FUZZ_EXAMPLES", "100"))


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Fuzzing exercises the API, not storage: one backend keeps it bounded."""
    return f"sqlite:///{tmp_path}/fuzz.db"


@pytest.fixture
def dwolla_spec() -> str:
    """The path of Dwolla's spec, or a skip (a failure in CI) saying how to provide it."""
    found = spec_path()
    if found is not None:
        return str(found)
    where = os.environ.get(SPEC_ENV) or "../shared/dwolla-openapi/openapi.yml"
    message = (
        f"spec fuzzing did not run: Dwolla's OpenAPI spec was not found at {where}. "
        "Clone https://github.com/Dwolla/dwolla-openapi and set "
        f"{SPEC_ENV}=/path/to/dwolla-openapi/openapi.yml to enable it."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def platform(settings: Settings) -> Iterator[dict[str, Any]]:
    """A live server with an account whose resources the fuzzer can address by id."""
    created = asyncio.run(_create_account(settings))
    with live_server(settings) as base:
        token = httpx.post(
            f"{base}/token",
            data={"grant_type": "client_credentials"},
            auth=(created.application.key, created.secret),
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Accept": HAL, "Content-Type": HAL}
        with httpx.Client(base_url=base, headers=headers) as api:
            ids = _populate(api, base)
        ids["accounts"] = [created.account.id]
        yield {
            "base": base,
            "token": token,
            "basic": (created.application.key, created.secret),
            "ids": ids,
            "bodies": _valid_bodies(base, ids),
        }


def test_every_deviation_applied_is_documented() -> None:
    """Each patch made to the in-memory spec has its entry in docs/deviations.md."""
    root = Path(__file__).resolve().parent.parent
    documented = (root / "docs" / "deviations.md").read_text(encoding="utf-8")
    for deviation in DEVIATIONS:
        assert f"### `{deviation.key}`" in documented, deviation.key
    assert "docs/deviations.md" in (root / "README.md").read_text(encoding="utf-8")


def test_the_fuzzed_operations_are_the_implemented_ones(dwolla_spec: str) -> None:
    """Every Dwolla operation we serve is fuzzed; ours alone (sandbox, health) are not."""
    operations = implemented_operations(load_spec(Path(dwolla_spec))["paths"])
    assert ("GET", "/exchange-sessions/{id}") in operations
    assert ("POST", "/customers/{id}/exchange-sessions") in operations
    assert not any(path.startswith("/sandbox") for _, path in operations)


def test_dwolla_spec_fuzzing_finds_no_server_error_or_schema_violation(
    dwolla_spec: str, platform: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Schemathesis: no 5xx, and every response matches Dwolla's schema for its status."""
    summary = fuzz(
        load_spec(Path(dwolla_spec)),
        base_url=platform["base"],
        bearer=platform["token"],
        basic=platform["basic"],
        ids=platform["ids"],
        max_examples=MAX_EXAMPLES,
        bodies=platform["bodies"],
        deviations=DEVIATIONS,
    )
    _report("spec fuzzing", summary, capsys)
    assert summary.operations >= 10
    assert not summary.failures, summary.line()


def test_own_openapi_fuzzing_finds_no_server_error_or_schema_violation(
    platform: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Schemathesis on /openapi.json: BankBridge answers exactly as its own document says."""
    document = httpx.get(f"{platform['base']}/openapi.json").json()
    summary = fuzz(
        document,
        base_url=platform["base"],
        bearer=platform["token"],
        basic=platform["basic"],
        ids=platform["ids"],
        max_examples=max(1, MAX_EXAMPLES // 4),
        bodies=platform["bodies"],
        ours_too=True,
    )
    _report("own openapi fuzzing", summary, capsys)
    assert summary.operations == len(implemented_operations(document["paths"], ours_too=True))
    assert not summary.failures, summary.line()


def _report(title: str, summary: Summary, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\n{summary.line().replace('spec fuzzing', title)}")
        if os.environ.get("BANKBRIDGE_FUZZ_VERBOSE"):
            for label, statuses in sorted(summary.statuses.items()):
                print(f"  {label}: {dict(sorted(statuses.items()))}")
        for failure in summary.failures:
            print(f"  FAIL {failure.operation} [{failure.check}] {failure.status}")
            print("    " + failure.detail.replace("\n", "\n    "))
            print("    " + failure.request.replace("\n", "\n    "))


async def _create_account(settings: Settings) -> Any:
    database = await open_database(settings.database_url)
    try:
        store = SqlStore(database, load_vault(settings))
        return await create_account(store, "Fuzz", ["https://platform.example/return"], [])
    finally:
        await database.close()


def _populate(api: httpx.Client, base: str) -> dict[str, list[str]]:
    """A customer with one session per partner, a Plaid exchange and its funding source, and
    a webhook subscription (first, so that their events make webhooks)."""
    subscription = api.post("/webhook-subscriptions", json=WEBHOOK_SUBSCRIPTION)
    assert subscription.status_code == 201, subscription.text
    created = api.post(
        "/customers", json={"firstName": "Fuzz", "lastName": "Er", "email": "fuzz@example.com"}
    )
    assert created.status_code == 201, created.text
    customer_url = created.headers["location"]
    partners = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    href = {p["name"]: p["_links"]["self"]["href"] for p in partners}
    sessions = {}
    for name in ("MX", "Plaid", "Checkout.com"):
        made = api.post(
            f"{customer_url}/exchange-sessions",
            json={"_links": {"exchange-partner": {"href": href[name]}}},
        )
        assert made.status_code == 201, made.text
        sessions[name] = made.headers["location"]
    link_token = api.get(sessions["Plaid"]).json()["externalProviderSessionToken"]
    with httpx.Client(base_url=base) as browser:
        page = complete_plaid_link(browser, f"/sandbox/plaid/link?token={link_token}")
    match = re.search(r"public-sandbox-[0-9a-f-]{36}", page.text)
    assert match, page.text[:300]
    exchange = api.post(
        f"{customer_url}/exchanges",
        json={
            "_links": {"exchange-partner": {"href": href["Plaid"]}},
            "plaid": {"publicToken": match.group(0)},
        },
    )
    assert exchange.status_code == 201, exchange.text
    source = api.post(
        f"{customer_url}/funding-sources",
        json={
            "_links": {"exchange": {"href": exchange.headers["location"]}},
            "name": "Fuzz",
            "bankAccountType": "checking",
        },
    )
    assert source.status_code == 201, source.text
    ids: dict[str, list[str]] = {
        "customers": [_id(customer_url)],
        "exchange-sessions": [_id(s) for s in sessions.values()],
        "exchange-partners": [_id(h) for h in href.values()],
        "exchanges": [_id(exchange.headers["location"])],
        "funding-sources": [_id(source.headers["location"])],
    }
    ids["webhook-subscriptions"] = [_id(subscription.headers["location"])]
    ids["events"] = [e["id"] for e in api.get("/events").json()["_embedded"]["events"]][:3]
    ids["webhooks"] = _first_webhooks(api, subscription.headers["location"])
    return ids


def _first_webhooks(api: httpx.Client, subscription_url: str) -> list[str]:
    """The subscription's first delivery attempts (to a closed local port), once made."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listed = api.get(f"{subscription_url}/webhooks").json()
        webhooks = [w["id"] for w in listed["_embedded"]["webhooks"]]
        if webhooks:
            return webhooks[:3]
        time.sleep(0.1)
    return []


def _valid_bodies(base: str, ids: dict[str, list[str]]) -> dict[str, Callable[[], Any]]:
    """Known-valid request bodies, sent now and then in place of generated ones."""
    emails = itertools.count(1)
    partners = itertools.cycle(ids["exchange-partners"])
    return {
        "POST /customers": lambda: {
            "firstName": "Fuzz",
            "lastName": "Er",
            "email": f"fuzz{next(emails)}@example.com",
            "type": "unverified",
        },
        "POST /customers/{id}/exchange-sessions": lambda: {
            "_links": {"exchange-partner": {"href": f"{base}/exchange-partners/{next(partners)}"}}
        },
        "POST /customers/{id}/funding-sources": lambda: {
            "_links": {"exchange": {"href": f"{base}/exchanges/{ids['exchanges'][0]}"}},
            "name": "Again",
            "bankAccountType": "checking",
        },
        "POST /webhook-subscriptions": lambda: dict(WEBHOOK_SUBSCRIPTION),
        "POST /webhook-subscriptions/{id}": lambda: {"paused": False},
    }


def _id(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[-1]
