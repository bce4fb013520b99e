"""Plaid fixtures: the adapter of a started app, and a small client of the Plaid emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from plaid_support import LINK_TOKEN_BODY, PlaidPost
from starlette.testclient import TestClient

from bankbridge.domain.accounts import NewAccount
from bankbridge.models import Customer
from bankbridge.partners.plaid.adapter import PlaidAdapter
from bankbridge.services import Services
from helpers import domain_customer, sandbox_credentials


@pytest.fixture
def owner(account: NewAccount) -> str:
    """The account whose Plaid sandbox the tests use (its redirect URLs are registered)."""
    return account.account.id


@pytest.fixture
def credential_headers(owner: str) -> dict[str, str]:
    """The owner's sandbox Plaid credentials, as Plaid's headers."""
    credentials = sandbox_credentials("plaid", owner)
    return {"PLAID-CLIENT-ID": credentials.client_id, "PLAID-SECRET": credentials.secret}


@pytest.fixture
def adapter(services: Services, owner: str) -> PlaidAdapter:
    """The owner's Plaid adapter (talks to the emulator in-process)."""
    result = services.adapters_for(owner)["plaid"]
    assert isinstance(result, PlaidAdapter)
    return result


@pytest.fixture
def plaid_customer() -> Customer:
    """A domain customer to open Plaid sessions for."""
    return domain_customer("9f0c1d2e-1111-4a2b-8c3d-0123456789ab")


@pytest.fixture
def plaid(client: TestClient, credential_headers: dict[str, str]) -> PlaidPost:
    """POST JSON to the emulator with the owner's credentials in headers (``headers``
    overrides)."""

    def post(path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return client.post(
            f"/sandbox/plaid{path}",
            json=body,
            headers=credential_headers if headers is None else headers,
        )

    return post


@pytest.fixture
def link_token(plaid: PlaidPost) -> Callable[..., str]:
    """Factory: a new link token; keyword arguments add to the request body."""

    def make(**extra: Any) -> str:
        response = plaid("/link/token/create", {**LINK_TOKEN_BODY, **extra})
        assert response.status_code == 200, response.text
        token: str = response.json()["link_token"]
        return token

    return make


@pytest.fixture
def access_token(plaid: PlaidPost) -> str:
    """The access token of a new Sandbox Item (First Platypus Bank, user_good)."""
    created = plaid(
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["auth"]},
    )
    exchanged = plaid(
        "/item/public_token/exchange", {"public_token": created.json()["public_token"]}
    )
    token: str = exchanged.json()["access_token"]
    return token
