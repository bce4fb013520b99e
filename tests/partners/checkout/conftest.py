"""Checkout.com fixtures: the app's adapter, a domain customer, sessions and paid sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from checkout_support import AUTH, EMULATOR, SESSION_BODY, card_form, payment_id_in
from starlette.testclient import TestClient

from bankbridge.models import Customer
from bankbridge.partners.checkout.adapter import CheckoutAdapter
from bankbridge.services import Services
from bankbridge.store.base import EmulatorRecords
from helpers import TEST_OWNER, domain_customer


@pytest.fixture
def adapter(services: Services) -> CheckoutAdapter:
    """The app's Checkout.com adapter (talks to the emulator in-process)."""
    result = services.adapters_for(TEST_OWNER)["checkout"]
    assert isinstance(result, CheckoutAdapter)
    return result


@pytest.fixture
def records(services: Services) -> EmulatorRecords:
    """The Checkout.com emulator's records of the test account."""
    return services.store.emulator_records(f"checkout/{TEST_OWNER}")


@pytest.fixture
def checkout_customer() -> Customer:
    """A domain customer to open payment sessions for."""
    return domain_customer("5b1f7c1e-2222-4a2b-8c3d-0123456789ab")


@pytest.fixture
def new_session(client: TestClient) -> Callable[..., str]:
    """Factory: a new payment session's id; keyword arguments change the request body."""

    def make(**changes: Any) -> str:
        response = client.post(
            f"{EMULATOR}/payment-sessions", json={**SESSION_BODY, **changes}, headers=AUTH
        )
        assert response.status_code == 201, response.text
        session_id: str = response.json()["id"]
        return session_id

    return make


@pytest.fixture
def pay(client: TestClient) -> Callable[..., str]:
    """Factory: pay a session on the Flow page with a card; returns the pay_ id shown."""

    def make(session_id: str, number: str, **overrides: str) -> str:
        response = client.post(f"{EMULATOR}/flow/{session_id}", data=card_form(number, **overrides))
        assert response.status_code == 200, response.text
        return payment_id_in(response.text)

    return make
